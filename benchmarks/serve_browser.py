"""`reader serve` in a headless Chromium: first paint against the terminal, and five sessions.

1. Article visible: from the browser's navigation start to the animation frame after the bytes
   that draw the article's first paragraph arrive, against the same app started in a
   pseudo-terminal of the same size (from spawn to those bytes written). Both include Python's
   start; the browser adds the page, its scripts, the websocket and the session process.
   Target: browser <= 2x terminal (medians, alternated, taken in one run).
2. Five browsers at once on one database: once all five show the article (and 2 s of their
   start-up have passed), a key (`j`, moving the cursor and scrolling) pressed in all five
   together, many times; per session, from the page sending the key to the first bytes of the
   app's answer arriving in the page. Target: each <= 0.5 s.

    nice python benchmarks/serve_browser.py [--rounds 5] [--keys 20]
    python benchmarks/serve_browser.py --screenshot /path/shot.png   # annotated, in s2twp

Needs Debian's chromium and chromium-driver (make browser).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from serve_support import (  # noqa: E402  (tests/ holds the shared harness)
    annotate_in_browser,
    browser_missing,
    headless_chromium,
    open_reader,
    press,
    reader_serve,
    screen_text,
    trace_length,
    wait_for,
    wait_for_screen,
)

from reader.core.convert import SCRIPT_CYCLE  # noqa: E402

FIRST_PARAGRAPH = "承载着省委"  # the sample article's first paragraph, on its first screen
TITLE = "长春国际汽车城党工委"
WINDOW = (1280, 800)


def browser_first_paint(driver, url: str) -> tuple[float, float, tuple[int, int]]:  # type: ignore[no-untyped-def]
    """Seconds from navigation start to the frame after the article's bytes and to the
    websocket's opening (the page's own part), and the terminal's cols x rows."""
    open_reader(driver, url, FIRST_PARAGRAPH)

    def painted() -> float | None:
        seen: list[str] = []
        for entry in driver.execute_script("return window.readerTrace"):
            if entry["kind"] == "received" and entry["binary"]:
                seen.append(entry["text"])
                if FIRST_PARAGRAPH in screen_text(seen):
                    return entry["painted"]
        return None

    milliseconds = wait_for(painted, 10, what="the frame after the article's bytes")
    [opened] = [
        e for e in driver.execute_script("return window.readerTrace") if e["kind"] == "opened"
    ]
    query = parse_qs(urlsplit(opened["data"]).query)  # the page's size, sent with the websocket
    size = (int(query["width"][0]), int(query["height"][0]))
    return milliseconds / 1000, opened["t"] / 1000, size


def terminal_first_paint(db: Path, size: tuple[int, int]) -> float:
    """Seconds from spawning `reader open` in a pty of ``size`` to the article's bytes."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "reader", "open", f"--db={db}"],
        stdin=child,
        stdout=child,
        stderr=child,
        env={**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor"},
        start_new_session=True,
    )
    os.close(child)
    chunks: list[str] = []
    raw = b""
    try:
        while time.perf_counter() - started < 60:
            ready, _, _ = select.select([main], [], [], 0.5)
            if not ready:
                continue
            raw += os.read(main, 65536)
            chunks = [raw.decode("utf-8", "ignore")]
            if FIRST_PARAGRAPH in screen_text(chunks):
                return time.perf_counter() - started
        raise RuntimeError("the article never appeared in the terminal")
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        os.close(main)


def key_latencies(driver, presses: int, keys: str = "j") -> list[float]:  # type: ignore[no-untyped-def]
    """Seconds from each key sent to the first bytes of the answer, in one browser."""
    mark = trace_length(driver)
    latencies = []
    for number in range(presses):
        before = trace_length(driver)
        press(driver, keys[number % len(keys)])
        wait_for(
            lambda before=before: any(
                e["kind"] == "received" and e["binary"]
                for e in driver.execute_script(
                    "return window.readerTrace.slice(arguments[0])", before
                )
            ),
            10,
            interval=0.02,
            what="the app's answer",
        )
        time.sleep(0.1)
    trace = driver.execute_script("return window.readerTrace.slice(arguments[0])", mark)
    sent_at = None
    for entry in trace:
        if entry["kind"] == "sent" and '"stdin"' in entry["data"]:
            sent_at = entry["t"]
        elif entry["kind"] == "received" and entry["binary"] and sent_at is not None:
            latencies.append((entry["t"] - sent_at) / 1000)
            sent_at = None
    return latencies


def first_paint(rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="reader-serve-bench-") as folder:
        db = Path(folder) / "bench.db"
        browser: list[float] = []
        page: list[float] = []
        terminal: list[float] = []
        with reader_serve("--db", str(db), "--port", "0", cwd=Path(folder)) as server:
            size = (80, 24)
            for attempt in range(rounds + 1):  # the first (cold) pass of each is dropped
                with headless_chromium(WINDOW, trace_websocket=True) as driver:
                    seconds, page_part, size = browser_first_paint(driver, server.url)
                in_terminal = terminal_first_paint(db, size)
                if attempt:
                    browser.append(seconds)
                    page.append(page_part)
                    terminal.append(in_terminal)
        b, t = statistics.median(browser), statistics.median(terminal)
        print(f"window {size[0]}x{size[1]} cells, median of {rounds}, alternated:")
        print(f"  article visible in the browser (from navigation): {b * 1000:7.0f} ms")
        p = statistics.median(page)
        print(f"    of which the page until its websocket opens:    {p * 1000:7.0f} ms")
        print(f"  article painted in a terminal (from spawn):       {t * 1000:7.0f} ms")
        print(f"  ratio browser/terminal:                           {b / t:7.2f}  (<= 2)")


def five_sessions(sessions: int, presses: int) -> None:
    with tempfile.TemporaryDirectory(prefix="reader-serve-bench-") as folder:
        db = Path(folder) / "bench.db"
        with reader_serve("--db", str(db), "--port", "0", cwd=Path(folder)) as server:
            drivers = []
            contexts = []
            try:
                for _ in range(sessions):
                    context = headless_chromium(WINDOW, trace_websocket=True)
                    drivers.append(context.__enter__())
                    contexts.append(context)
                with ThreadPoolExecutor(sessions) as pool:
                    list(pool.map(lambda d: open_reader(d, server.url, TITLE), drivers))
                    assert len(server.app_pids()) == sessions
                    time.sleep(2)  # the five apps' start-up work, on a two-core machine
                    results = list(pool.map(lambda d: key_latencies(d, presses), drivers))
            finally:
                for context in contexts:
                    context.__exit__(None, None, None)
        print(f"{sessions} browsers at once on one database, {presses} keys each, together:")
        for number, latencies in enumerate(results, 1):
            print(
                f"  session {number}: median {statistics.median(latencies) * 1000:6.0f} ms,"
                f" worst {max(latencies) * 1000:6.0f} ms  ({len(latencies)} keys)"
            )
        worst = max(max(latencies) for latencies in results)
        print(f"  worst over all sessions: {worst * 1000:6.0f} ms  (<= 500)")


def screenshot(path: Path) -> None:
    """The closing note's picture: a passage annotated in the browser, shown in s2twp."""
    presses = [config for config, _ in SCRIPT_CYCLE].index("s2twp")
    with tempfile.TemporaryDirectory(prefix="reader-serve-shot-") as folder:
        db = Path(folder) / "team.db"
        with (
            reader_serve("--db", str(db), "--port", "0", cwd=Path(folder)) as server,
            headless_chromium(WINDOW, trace_websocket=True) as driver,
        ):
            open_reader(driver, server.url, TITLE)
            annotate_in_browser(driver, "汽车城")
            time.sleep(1)
            mark = trace_length(driver)
            press(driver, *"s" * presses)
            wait_for_screen(driver, "臺灣用語", since=mark)
            time.sleep(1)  # let the last frame settle
            driver.save_screenshot(str(path))
    print(f"wrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="page loads (and terminal starts)")
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--keys", type=int, default=20, help="keys pressed in each session")
    parser.add_argument("--screenshot", type=Path, help="only save the s2twp screenshot here")
    args = parser.parse_args()
    if reason := browser_missing():
        sys.exit(f"serve_browser: {reason}")
    if args.screenshot:
        screenshot(args.screenshot)
        return
    first_paint(args.rounds)
    five_sessions(args.sessions, args.keys)


if __name__ == "__main__":
    main()
