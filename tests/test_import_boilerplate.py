"""Site navigation and footers in page dumps: found by general rules, never in novels."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.core.boilerplate import boilerplate_spans, is_menu_like
from reader.core.decoding import decode_bytes
from reader.core.documents import normalize_text

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "corpus"


def seed(name: str) -> str:
    return normalize_text((ROOT / "seeds" / name).read_text(encoding="utf-8"))


def test_simplified_sample_navigation_and_editor_line() -> None:
    text = seed("changchun-auto-city-simplified.txt")
    title = text.index("【汽开区】长春国际汽车城党工委、管委会正式揭牌")
    footer = text.rindex("编 辑:")
    assert boilerplate_spans(text) == [(0, title), (footer, len(text))]


def test_traditional_sample_navigation_and_copyright_notice() -> None:
    text = seed("changchun-auto-city-traditional.txt")
    title = text.index("長春汽開區:攜手中國一汽 共建現代化國際汽車城")
    footer = text.index("國際在線版權與信息産品內容銷售的聲明")
    spans = boilerplate_spans(text)
    assert spans == [(0, title), (footer, len(text))]
    article = text[spans[0][1] : spans[1][0]]
    assert "365天,就是365個服務一汽日" in article
    assert article.rstrip().endswith("加快建設現代化國際汽車城。")


def test_rules_are_not_tied_to_the_samples() -> None:
    text = (
        "首页 | 新闻 | 体育 | 财经 | 娱乐\n"
        "当前位置：首页 > 新闻 > 国内\n\n"
        "某市召开经济工作会议\n"
        "2023年5月6日 09:30 来源：某市日报\n\n"
        "会议指出，今年以来全市经济运行总体平稳。\n"
        "会议要求，各部门要切实抓好落实。\n\n"
        "责任编辑：王五\n"
        "关于我们 | 联系我们 | 网站地图 | 隐私政策\n"
        "Copyright © 2023 某市日报社 版权所有\n"
    )
    spans = boilerplate_spans(text)
    assert spans == [(0, text.index("某市召开")), (text.index("责任编辑"), len(text))]


def test_prose_mentioning_copyright_is_not_a_footer() -> None:
    paragraph = "他认为，版权保护和未经授权转载的问题，需要在法律层面进一步明确，各方应当共同努力。"
    text = "标题\n\n" + "正文第一段。\n" * 5 + paragraph + "\n"
    assert boilerplate_spans(text) == []


@pytest.mark.parametrize(
    ("relative", "encoding"),
    [
        ("long/紅樓夢.traditional.one-line.txt", "utf-8"),
        ("long/红楼梦.simplified.crlf.txt", "utf-8"),
        ("encodings/三国演义.gbk.txt", "gbk"),
        ("encodings/水滸後傳.big5.txt", "big5"),
    ],
)
def test_novels_have_no_navigation_or_footer(relative: str, encoding: str) -> None:
    text = normalize_text((CORPUS / relative).read_bytes().decode(encoding))
    assert boilerplate_spans(text) == []


def test_wikisource_licence_footer_is_found_but_the_table_of_contents_is_not_navigation() -> None:
    path = CORPUS / "long/西遊記.traditional.wikisource.txt"
    text = normalize_text(decode_bytes(path.read_bytes()).text)
    [(start, end)] = boilerplate_spans(text)
    assert text[start:].startswith("About this digital edition") and end == len(text)


def test_menu_lines() -> None:
    assert is_menu_like("政务服务 中国政府网 省政府网 English 日本語 한국어 Русский 站群导航")
    assert is_menu_like("当前位置:\xa0 首页\xa0>\xa0 政务\xa0>\xa0 开发区动态")
    assert not is_menu_like("第001回\u3000\u3000靈根育孕源流出\u3000\u3000心性修持大道生")
    assert not is_menu_like("会议指出，今年以来全市经济运行总体平稳。")
