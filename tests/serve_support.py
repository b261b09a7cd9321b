"""Running `reader serve` as a real process, and a real headless Chromium to look at it.

Shared by the serve tests and benchmarks/serve_browser.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL_BROWSER = "run `make browser` (apt-get install chromium chromium-driver fonts-noto-cjk)"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # we run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--metrics-recording-only",
    "--disable-features=Translate,OptimizationHints,MediaRouter",
]
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]")


def browser_missing() -> str | None:
    """Why the headless browser cannot run here, or None when it can."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    fonts = (
        subprocess.run(
            ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
        )
        if shutil.which("fc-list")
        else None
    )
    if fonts is None or not fonts.stdout.strip():
        missing.append("a Chinese font")
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package (pip install -e '.[test]')")
    if missing:
        return f"needs {', '.join(missing)}: {INSTALL_BROWSER}"
    return None


def require_browser() -> None:
    """Skip with the one command that fixes it; in CI (CI=true) a missing browser fails."""
    import pytest

    reason = browser_missing()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI: the browser tests {reason}")
    pytest.skip(f"the browser tests {reason}")


@dataclass
class RunningServer:
    process: subprocess.Popen[str]
    url: str  # as printed, with ?token= when there is one
    lines: list[str]

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 80

    def app_pids(self) -> list[int]:
        """The app processes this server started (its direct children)."""
        return children(self.process.pid)

    def stop(self, timeout: float = 30) -> str:
        """Ctrl+C, as a user would; returns the rest of the output."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        rest, _ = self.process.communicate(timeout=timeout)
        return rest


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found.extend(int(word) for word in task.read_text().split())
    return found


def process_alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


@contextmanager
def reader_serve(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> Iterator[RunningServer]:
    """`python -m reader serve ARGS` until it prints its address; stopped with Ctrl+C after."""
    process = subprocess.Popen(
        [sys.executable, "-m", "reader", "serve", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert process.stdout is not None
    lines: list[str] = []
    url = None
    for line in process.stdout:  # the first line is the address (or an error, then EOF)
        lines.append(line)
        if match := re.search(r"reader serve: (http://\S+)", line):
            url = match.group(1)
            break
    if url is None:
        process.wait(timeout=30)
        raise RuntimeError(f"reader serve did not start: {''.join(lines)}")
    server = RunningServer(process, url, lines)
    try:
        yield server
    finally:
        if process.poll() is None:
            server.stop()


@contextmanager
def headless_chromium(
    window: tuple[int, int] = (1280, 800), trace_websocket: bool = False
) -> Iterator[object]:
    """A Selenium driver on Debian's chromium through /usr/bin/chromedriver (no downloads).

    The browser's own network log is on (``network_requests`` reads it); with
    ``trace_websocket`` every websocket message is time-stamped in ``window.readerTrace``.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="reader-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={window[0]},{window[1]}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    service = Service(executable_path=str(CHROMEDRIVER), log_output=subprocess.DEVNULL)
    driver = webdriver.Chrome(service=service, options=options)
    try:
        if trace_websocket:
            driver.execute_cdp_cmd(
                "Page.addScriptToEvaluateOnNewDocument", {"source": WEBSOCKET_TRACE}
            )
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


# Wraps the page's WebSocket (before any page script runs) to time-stamp what it sends and
# receives, and the animation frame after each message: when the terminal has painted it.
WEBSOCKET_TRACE = """
window.readerTrace = [];
const NativeWebSocket = window.WebSocket;
window.WebSocket = function (...args) {
  const socket = new NativeWebSocket(...args);
  window.readerTrace.push({kind: "opened", t: performance.now(), data: String(args[0])});
  const send = socket.send.bind(socket);
  const decoder = new TextDecoder();
  socket.send = (data) => {
    window.readerTrace.push({kind: "sent", t: performance.now(), data: String(data)});
    return send(data);
  };
  socket.addEventListener("message", (event) => {
    const binary = typeof event.data !== "string";  // the app's output; strings are pongs
    const entry = {kind: "received", t: performance.now(), painted: null, text: "", binary};
    if (binary) {
      entry.text = decoder.decode(new Uint8Array(event.data), {stream: true});
    }
    window.readerTrace.push(entry);
    requestAnimationFrame(() => { entry.painted = performance.now(); });
  });
  return socket;
};
window.WebSocket.prototype = NativeWebSocket.prototype;
"""


def network_requests(driver) -> list[str]:  # type: ignore[no-untyped-def]
    """Every URL the browser asked for since the last call (Chromium's performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] in ("Network.requestWillBeSent", "Network.webSocketCreated"):
            params = message["params"]
            urls.append(params["request"]["url"] if "request" in params else params["url"])
    return urls


def screen_text(chunks: list[str]) -> str:
    """The text a stream of terminal output wrote, escape sequences removed."""
    return ANSI.sub("", "".join(chunks))


def wait_for(condition, timeout: float, interval: float = 0.1, what: str = "condition"):  # type: ignore[no-untyped-def]
    """Poll ``condition`` until it returns something true, or raise after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(interval)


def trace_length(driver) -> int:  # type: ignore[no-untyped-def]
    return int(driver.execute_script("return window.readerTrace.length"))


def received_text(driver, since: int = 0) -> str:  # type: ignore[no-untyped-def]
    """What the app has written to this page since trace entry ``since``, as plain text."""
    entries = driver.execute_script("return window.readerTrace.slice(arguments[0])", since)
    return screen_text([entry["text"] for entry in entries if entry["kind"] == "received"])


def wait_for_screen(driver, text: str, since: int = 0, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    wait_for(lambda: text in received_text(driver, since), timeout, what=repr(text))


def press(driver, *keys: str, shift: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Type into the page's terminal as a user would (xterm.js turns keys into input)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver.execute_script("document.querySelector('.xterm-helper-textarea').focus()")
    actions = ActionChains(driver)
    if shift:
        actions.key_down(Keys.SHIFT)
    for key in keys:
        actions.send_keys(key)
    if shift:
        actions.key_up(Keys.SHIFT)
    actions.perform()


def open_reader(driver, url: str, title: str, timeout: float = 90) -> None:  # type: ignore[no-untyped-def]
    """Load the page and wait until the app has painted ``title`` (the article's heading)."""
    driver.get(url)
    wait_for_screen(driver, title, timeout=timeout)


def annotate_in_browser(driver, tag: str, down: int = 13, right: int = 5, extra: int = 9) -> None:  # type: ignore[no-untyped-def]
    """The keys of the issue: move, ``v``, Shift+arrows, ``t``, a tag name, Enter."""
    from selenium.webdriver.common.keys import Keys

    press(driver, *[Keys.ARROW_DOWN] * down, *[Keys.ARROW_RIGHT] * right)
    press(driver, "v")
    press(driver, *[Keys.ARROW_RIGHT] * extra, shift=True)
    mark = trace_length(driver)
    press(driver, "t")
    wait_for_screen(driver, "Tag 「", since=mark)  # the tag picker is open
    press(driver, tag, Keys.ENTER)
