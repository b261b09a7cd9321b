"""Site navigation and footers at their exact edges (mutants the first mutmut run left alive).

Each case is a small page whose navigation or footer ends at a known line, so an edge that moves
by one line, one character or one rule is seen.
"""

from __future__ import annotations

import pytest

from reader.core.boilerplate import (
    boilerplate_spans,
    footer_span,
    is_menu_like,
    navigation_span,
)

MENU_1 = "首页 | 新闻 | 体育 | 财经"
MENU_2 = "长春 江城 四平 吉林"
PROSE = "长春国际汽车城正式揭牌，一汽集团参与共建，各方代表出席了仪式并致辞。"


def line_start(text: str, line: str) -> int:
    return text.index(line)


def line_end(text: str, line: str) -> int:
    return text.index(line) + len(line)


@pytest.mark.parametrize(
    ("line", "menu"),
    [
        ("一二 三四 五六 七八", True),  # four entries
        ("一二 三四 五六", False),  # three are not a menu
        ("一二三四五 一二三四五 一二三四五 一二三四五", True),  # five characters each: still
        ("一二三四五六 一二三四五六 一二三四五六 一二三四五六", False),  # six: words
        ("首页>政务>动态>通知", True),
    ],
)
def test_a_menu_is_four_or_more_entries_of_five_characters_or_fewer(line: str, menu: bool) -> None:
    assert is_menu_like(line) is menu


def test_the_navigation_runs_to_the_line_after_the_last_menu() -> None:
    text = f"{MENU_1}\n\n{MENU_2}\n标题\n{PROSE}\n"
    assert navigation_span(text) == (0, line_end(text, MENU_2) + 1)
    assert boilerplate_spans(text) == [(0, line_end(text, MENU_2) + 1)]


def test_one_menu_is_not_navigation() -> None:
    assert navigation_span(f"{MENU_1}\n标题\n{PROSE}\n") is None


def test_a_page_of_menus_only_is_navigation_to_its_end() -> None:
    text = f"{MENU_1}\n{MENU_2}"
    assert navigation_span(text) == (0, len(text))


def test_a_long_line_ends_the_search_for_menus() -> None:
    text = f"{MENU_1}\n{PROSE}\n{MENU_2}\n{PROSE}\n"
    assert navigation_span(text) is None


def test_with_a_date_line_the_navigation_ends_at_the_headline() -> None:
    text = f"{MENU_1}\n\n标题在这里\n时间:2021-09-29 08:13\n{PROSE}\n"
    assert navigation_span(text) == (0, line_start(text, "标题在这里"))


def test_with_a_date_line_prose_above_the_headline_is_no_navigation() -> None:
    text = f"{MENU_1}\n{PROSE}\n标题在这里\n时间:2021-09-29 08:13\n{PROSE}\n"
    assert navigation_span(text) is None
    text = f"站点名\n标题在这里\n时间:2021-09-29 08:13\n{PROSE}\n"  # short, but no menu
    assert navigation_span(text) is None


def test_a_date_line_on_the_first_line_leaves_no_headline_to_find() -> None:
    assert navigation_span(f"时间:2021-09-29 08:13\n{MENU_1}\n{MENU_2}\n{PROSE}\n") is None


def test_a_long_line_holding_a_date_is_prose_not_the_date_line() -> None:
    dated = "2021-09-29 " + "长" * 110  # 121 characters: prose that mentions a date
    assert len(dated) == 121
    text = f"{MENU_1}\n{PROSE}\n{dated}\n{MENU_2}\n"
    assert navigation_span(text) is None
    short = "2021-09-29 " + "长" * 109  # 120: still a date line
    text = f"{MENU_1}\n{MENU_2}\n标题\n{short}\n{PROSE}\n"
    assert navigation_span(text) == (0, line_start(text, "标题"))


def test_the_footer_takes_the_menus_and_blank_lines_above_its_marker() -> None:
    text = f"{PROSE}\n{PROSE}\n{MENU_1}\n\n责任编辑：张三\n"
    assert footer_span(text) == (line_start(text, MENU_1), len(text))
    plain = f"{PROSE}\n\n责任编辑：张三"
    assert footer_span(plain) == (line_start(plain, "责任编辑"), len(plain))


def test_a_text_that_would_be_all_footer_has_none() -> None:
    assert footer_span(f"{MENU_1}\n\n责任编辑：张三\n") is None
    assert footer_span("版权所有 长春日报") is None


@pytest.mark.parametrize(
    ("marker", "found"),
    [
        ("版权所有 长春日报", True),  # short notice
        ("【" + "本文" * 25 + "版权所有】", True),  # long, but bracketed
        ("本站" + "说明" * 25 + "版权声明：", True),  # long, but a heading
        ("这篇" + "文字" * 25 + "版权所有，欢迎分享", False),  # long prose mentioning copyright
        ("责任编辑：" + "张" * 75, True),  # an editor credit, 80 characters
        ("责任编辑：" + "张" * 76, False),  # 81: too long to be a credit line
    ],
)
def test_what_counts_as_a_footer_marker(marker: str, found: bool) -> None:
    text = f"{PROSE}\n{PROSE}\n{marker}\n"
    expected = (line_start(text, marker), len(text)) if found else None
    assert footer_span(text) == expected


def test_navigation_and_a_footer_that_overlap_keep_the_navigation() -> None:
    text = f"站点\n{MENU_1}\n{MENU_2}\n版权所有 长春日报"
    navigation = (0, line_end(text, MENU_2) + 1)
    assert navigation_span(text) == navigation
    assert footer_span(text) == (line_start(text, MENU_1), len(text))
    assert boilerplate_spans(text) == [navigation]


def test_navigation_and_footer_apart_are_both_kept_in_order() -> None:
    text = f"{MENU_1}\n{MENU_2}\n标题\n{PROSE}\n{PROSE}\n责任编辑：张三\n"
    assert boilerplate_spans(text) == [
        (0, line_end(text, MENU_2) + 1),
        (line_start(text, "责任编辑"), len(text)),
    ]


def test_the_first_line_is_read_from_its_first_character() -> None:
    # One-character entries: without its first character the first line is no longer a menu.
    text = f"a b c d\nx y z w\n标题\n{PROSE}\n"
    assert navigation_span(text) == (0, line_start(text, "标题"))


def test_only_the_first_sixty_lines_are_looked_at_for_navigation() -> None:
    menu = "一 二 三 四"
    text = "\n".join([menu] * 62) + f"\n标题\n{PROSE}"
    # Sixty menu lines are read; the sixty-first and sixty-second are past the header window.
    assert navigation_span(text) == (0, 60 * (len(menu) + 1))


def test_a_footer_is_found_among_the_last_lines_only() -> None:
    body = "\n".join([PROSE] * 30)
    notice = "版权所有 长春日报"
    credits = "\n".join(f"编委{i}" for i in range(20))  # a long run of short lines
    text = f"{body}\n{notice}\n{credits}"
    assert footer_span(text) == (line_start(text, notice), len(text))
    # A notice in the middle of the article, with prose after it, is not a footer.
    middle = f"{body}\n{notice}\n{body}"
    assert footer_span(middle) is None
