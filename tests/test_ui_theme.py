"""Every colour of the article follows the theme the moment it changes."""

from __future__ import annotations

from rich.style import Style

from reader.core.store import Store
from reader.ui.app import make_app
from reader.ui.widgets.article_view import ArticleView

SIZE = (140, 45)


def dimmed_row_styles(view: ArticleView) -> list[Style]:
    """The styles of the first row (the sample's site navigation, drawn dimmed)."""
    return [segment.style for segment in view.render_line(0) if segment.text.strip()]


async def test_dimmed_navigation_follows_a_theme_change(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.view
        app.screen.query_one("#library").focus()  # no cursor on the row
        await pilot.pause()
        assert view.render_line(0).text.startswith("无障碍")
        dark = dimmed_row_styles(view)
        assert dark and all(style.bgcolor == view.rich_style.bgcolor for style in dark)
        app.theme = "textual-light"
        await pilot.pause()
        light = dimmed_row_styles(view)
        background = view.rich_style.bgcolor
        assert background != dark[0].bgcolor  # the light theme did change the background
        assert all(style.bgcolor == background for style in light)
        dimmed = view.get_component_rich_style("article-view--boilerplate").color
        assert all(style.color == dimmed for style in light)
