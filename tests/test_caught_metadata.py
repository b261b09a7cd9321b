"""Title, date and source from the first lines of a saved news page (reader.core.documents):
the headline is the nearest line above the date line, the date line is short and near the top,
and without one the title is the file's (or the first line's)."""

from __future__ import annotations

from reader.core.documents import Metadata, extract_metadata, normalize_text

NAVIGATION = "首页 | 新闻 | 政务\n\n当前位置: 首页 > 新闻\n"


def test_the_headline_above_a_date_line_with_time_and_source() -> None:
    page = (
        NAVIGATION
        + "汽车城正式揭牌\n\n时间:2021-09-29\u00a0 08:13  来源：长春日报 | 作者: 甲\n正文。"
    )
    assert extract_metadata(page, "文件名") == Metadata(
        "汽车城正式揭牌", "2021-09-29 08:13", "长春日报"
    )


def test_traditional_source_and_a_chinese_date() -> None:
    page = "長春汽開區\n2021年9月29日 來源: 新華網\n正文。"
    assert extract_metadata(page) == Metadata("長春汽開區", "2021年9月29日", "新華網")


def test_a_date_line_with_no_title_above_takes_the_fallback() -> None:
    assert extract_metadata("2021/09/29 来源:网\n正文。", "文件名") == Metadata(
        "文件名", "2021/09/29", "网"
    )


def test_a_long_line_holding_a_date_is_prose_not_a_date_line() -> None:
    prose = "据报道，2021年9月29日" + "，长春国际汽车城正式揭牌" * 10  # over 120 characters
    page = "标题行\n" + prose + "\n正文。"
    assert extract_metadata(page, "文件名") == Metadata("文件名", "", "")
    assert extract_metadata(page) == Metadata("标题行", "", "")


def test_only_the_first_sixty_lines_are_the_header() -> None:
    late = "\n" * 60 + "迟到的标题\n2021-09-29 来源:网\n"
    assert extract_metadata("第一行" + late) == Metadata("第一行", "", "")
    early = "\n" * 57 + "标题\n2021-09-29 来源:网\n"
    assert extract_metadata(early) == Metadata("标题", "2021-09-29", "网")


def test_without_a_date_the_first_line_is_cut_to_80_characters() -> None:
    first = "很长的第一行" * 20  # 120 characters
    assert extract_metadata("\n\n" + first + "\n正文。") == Metadata(first[:80], "", "")
    assert extract_metadata("", "文件名") == Metadata("文件名", "", "")


def test_normalising_drops_a_bom_and_makes_every_line_end_lf() -> None:
    assert normalize_text("\ufeff甲\r\n乙\r丙\n丁\ufeff") == "甲\n乙\n丙\n丁\ufeff"


def test_kana_a_fifth_of_kana_and_han_make_a_text_japanese() -> None:
    from reader.core.documents import detect_script

    assert detect_script("東京都庁の") == "japanese"  # 1 kana in 5
    assert detect_script("東京都庁舎の") != "japanese"  # 1 kana in 6


def test_a_file_name_that_is_not_utf8_becomes_storable_text() -> None:
    from pathlib import Path

    from reader.core.documents import path_text, title_from_filename

    name = b"\xb3\xa4\xb4\xba.gbk.txt".decode("utf-8", "surrogateescape")  # 长春 in GBK
    assert path_text(Path("/文章") / name) == "/文章/\ufffd\ufffd\ufffd\ufffd.gbk.txt"
    assert title_from_filename(Path(name)) == "\ufffd\ufffd\ufffd\ufffd"


def test_a_date_line_may_be_120_characters_not_121() -> None:
    def page(length: int) -> str:
        line = "时间:2021-09-29 来源:网 "
        return "标题\n" + line + "·" * (length - len(line)) + "\n正文。"

    assert extract_metadata(page(120)).published == "2021-09-29"
    assert extract_metadata(page(121)).published == ""
