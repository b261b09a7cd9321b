"""The served app in a real headless Chromium: keys typed into the page annotate the database.

Needs Debian's chromium and chromium-driver (`.ci/run` installs them); skipped with the command
that installs them when they are missing, and a failure in CI (CI=true).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import serve_support
from serve_support import (
    annotate_in_browser,
    headless_chromium,
    network_requests,
    open_reader,
    press,
    reader_serve,
    require_browser,
    trace_length,
    wait_for,
    wait_for_screen,
)

from reader.core.convert import SCRIPT_CYCLE
from reader.core.store import Store

S2TWP_PRESSES = [config for config, _ in SCRIPT_CYCLE].index("s2twp")
TITLE = "长春国际汽车城党工委"
TAG = "浏览器编码"


def test_keys_typed_in_the_browser_annotate_the_database(tmp_path: Path) -> None:
    require_browser()
    db = tmp_path / "team.db"
    with (
        reader_serve("--db", str(db), "--port", "0", cwd=tmp_path) as server,
        headless_chromium(trace_websocket=True) as driver,
    ):
        network_requests(driver)  # forget the browser's own start-up requests
        open_reader(driver, server.url, TITLE)
        # this tab's own app process (a spare started at another size is stopped)
        wait_for(lambda: len(server.app_pids()) == 1, 30, what="one app process")

        annotate_in_browser(driver, TAG)

        def tagged():  # type: ignore[no-untyped-def]
            store = Store(db)
            try:
                return [a for a in store.all_annotations() if TAG in [t.name for t in a.tags]]
            finally:
                store.close()

        [annotation] = wait_for(tagged, 30, what="the annotation in the database")
        store = Store(db)
        text = store.get_document(annotation.document_id).text
        store.close()
        assert annotation.end - annotation.start == 10  # v, then Shift+Right nine times
        assert annotation.quote == text[annotation.start : annotation.end]

        mark = trace_length(driver)
        press(driver, *"s" * S2TWP_PRESSES)
        wait_for_screen(driver, "臺灣用語", since=mark)
        driver.save_screenshot(str(tmp_path / "reader-in-chromium-s2twp.png"))
        assert (tmp_path / "reader-in-chromium-s2twp.png").stat().st_size > 10_000

        # Nothing was asked of anywhere but this server (fonts included).
        requests = network_requests(driver)
        assert any(url.startswith(f"{server.origin}/static/") for url in requests)
        strays = [
            url
            for url in requests
            if not url.startswith((server.origin, server.origin.replace("http", "ws", 1)))
            and not url.startswith("data:")
        ]
        assert strays == []
        console = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert console == []  # no CSP violation, no failed load


def test_a_missing_browser_skips_here_and_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(serve_support, "CHROMEDRIVER", tmp_path / "no-chromedriver")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="make browser"):
        require_browser()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no-chromedriver"):
        require_browser()


def test_with_a_token_the_page_and_its_websocket_get_in(tmp_path: Path) -> None:
    """The printed address (with ?token=) works in a real browser: the page's cookie carries
    the token to its scripts and its websocket; the bare address is refused."""
    require_browser()
    token = "a-token-for-the-browser-test"
    with (
        reader_serve(
            "--db", str(tmp_path / "a.db"), "--port", "0", "--token", token, cwd=tmp_path
        ) as server,
        headless_chromium(trace_websocket=True) as driver,
    ):
        driver.get(f"{server.origin}/")
        assert "403 Forbidden" in driver.page_source
        assert server.app_pids() == []
        open_reader(driver, server.url, TITLE)
        assert "?token=" in server.url
        wait_for(lambda: len(server.app_pids()) == 1, 30, what="one app process")
