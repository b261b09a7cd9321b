"""Notifications keep every Chinese character, wherever a pane border runs under them."""

from __future__ import annotations

import pytest
from textual.strip import Strip
from textual.widgets._toast import Toast

from reader.core.store import Store
from reader.ui.app import make_app

MESSAGE = "深化城市路网，宇航员在太空中喝酒会怎样"


def toast_text(app) -> str:
    """The toast's rows as the compositor draws them, without the cursor moves."""
    [toast] = app.screen.query(Toast)
    update = app.screen._compositor.render_update(full=True)
    region = toast.content_region
    rows = []
    for y in range(region.y, region.bottom):
        line = Strip.join(list(update.strips[y])).crop(region.x, region.right)
        rows.append("".join(segment.text for segment in line if not segment.control).strip())
    return "".join(rows)


@pytest.mark.parametrize("size", [(140, 45), (80, 24), (200, 60)])
async def test_a_notice_over_pane_borders_loses_no_character(store: Store, size) -> None:
    """One to four ASCII characters in front shift the message by a cell each, so that some
    character of it straddles every pane border the toast covers."""
    app = make_app(store)
    async with app.run_test(size=size, notifications=True) as pilot:
        for shift in range(4):
            message = "x" * shift + MESSAGE
            app.clear_notifications()
            app.notify(message)
            for _ in range(40):  # the toast is mounted, then laid out, a refresh or two later
                await pilot.pause(0.05)
                if all(toast.region for toast in app.screen.query(Toast)):
                    break
            assert toast_text(app) == message
