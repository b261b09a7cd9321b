"""The app on a PostgreSQL project: another coder's change shows up by itself (LISTEN/NOTIFY,
with the app's poll turned off), and a lost connection is said, then its return."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest

from reader.core.importing import import_seeds
from reader.core.store import Store
from reader.ui import screens
from reader.ui.app import make_app
from reader.ui.screens.main import MainScreen


async def wait_until(pilot: object, condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    """Let the app run until ``condition`` holds (a deadline, not a speed target)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    return condition()


async def test_another_coders_change_appears_without_polling(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(screens.main, "POLL_SECONDS", 3600.0)  # only a notification can tell
    store = Store(pg_url)
    import_seeds(store)
    app = make_app(store)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.document is not None
        document = screen.document.id
        other = Store(pg_url)
        try:
            other.annotations.create(document, 40, 46, ["来自另一位"], "实时")
        finally:
            other.close()
        assert await wait_until(
            pilot,
            lambda: any(
                tag.name == "来自另一位" for a in screen.annotations for tag in a.tags
            ),
        )
    store.close()


async def test_a_lost_connection_is_said_and_so_is_its_return(pg_url: str) -> None:
    store = Store(pg_url)
    import_seeds(store)
    app = make_app(store)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()

        def said(text: str) -> bool:
            return any(text in str(n.message) for n in app._notifications)

        assert await wait_until(pilot, lambda: store.change_token() > 0)  # listening
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity"
                " where datname = current_database() and pid <> pg_backend_pid()"
            )
        assert await wait_until(pilot, lambda: said("Lost the connection"))
        assert await wait_until(pilot, lambda: said("again"))
        screen = app.screen
        assert isinstance(screen, MainScreen) and screen.document is not None
        # The app's own connection was cut too: the next action connects again and saves.
        created = store.annotations.create(screen.document.id, 1, 4, ["回来了"], "")
        assert store.annotations.get(created.id) is not None
    store.close()
