"""Encoding detection on real legacy files (excerpts of the corpus, original bytes kept)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from reader.core.decoding import DecodeError, chinese_score, decode_bytes

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
ENCODINGS = CORPUS / "encodings"


@pytest.mark.parametrize(
    ("name", "encoding", "lines"),
    [
        ("三国演义.gbk.txt", "gbk", ["第一回\u3000宴桃园豪杰三结义\u3000斩黄巾英雄首立功"]),
        (
            "水滸後傳.big5.txt",
            "big5",
            ["\u3000\u3000出版說明", "\u3000\u3000第三回 病尉遲閒住受餘殃 欒廷玉失機同入伙"],
        ),
        (
            "三國演義.big5hkscs.txt",
            "big5hkscs",
            # The HKSCS character at the byte Python's big5/cp950 stop at (0x72AD, 犭).
            ["閹遺丑，本無懿德，[\u72ad票]狡鋒協，好亂樂"],
        ),
        ("红楼梦.gb18030.txt", "gb18030", ["强烈建议广大读者购买正版图书！"]),
    ],
)
def test_legacy_files_decode_to_what_a_reader_expects(
    name: str, encoding: str, lines: list[str]
) -> None:
    raw = (ENCODINGS / name).read_bytes()
    decoded = decode_bytes(raw)
    assert decoded.encoding == encoding
    for line in lines:
        assert line in decoded.text
    assert "\ufffd" not in decoded.text


@pytest.mark.parametrize("name", ["水滸後傳.big5.txt", "三國演義.big5hkscs.txt"])
def test_big5_is_not_taken_for_gb18030_although_that_decodes_too(name: str) -> None:
    raw = (ENCODINGS / name).read_bytes()
    nonsense = raw.decode("gb18030")  # the trap: no error at all
    assert chinese_score(nonsense) < 0.5
    assert decode_bytes(raw).encoding.startswith("big5")


def test_gbk_text_is_not_taken_for_big5hkscs() -> None:
    raw = (ENCODINGS / "三国演义.gbk.txt").read_bytes()
    assert chinese_score(raw.decode("big5hkscs", errors="replace")) < 0.5
    assert decode_bytes(raw).encoding == "gbk"


def test_plain_gb2312_text_is_reported_as_gb2312() -> None:
    raw = "中华人民共和国成立了。今天天气很好，我们去公园散步。".encode("gb2312")
    assert decode_bytes(raw).encoding == "gb2312"


@pytest.mark.parametrize(
    ("bom", "codec", "name"),
    [
        (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
    ],
)
def test_byte_order_marks_decide_and_are_dropped(bom: bytes, codec: str, name: str) -> None:
    text = "長春汽開區\r\n攜手中國一汽 𠀋\r\n"
    decoded = decode_bytes(bom + text.encode(codec))
    assert decoded.encoding == name
    assert decoded.text == text


def test_undecodable_bytes_are_refused_naming_encoding_and_offset() -> None:
    raw = "正常的文字".encode() + b"\xff\xfe\xff" + "后面".encode()
    with pytest.raises(DecodeError) as caught:
        decode_bytes(raw)
    message = str(caught.value)
    assert "utf-8" in message or "gb" in message or "big5" in message
    assert "byte 15" in message


def test_explicit_encoding_overrides_detection_and_replace_is_opt_in() -> None:
    raw = "第一回".encode("big5") + b"\x80\x80" + "完".encode("big5")
    with pytest.raises(DecodeError, match=r"not valid big5: fails at byte 6"):
        decode_bytes(raw, encoding="big5")
    decoded = decode_bytes(raw, encoding="big5", errors="replace")
    assert decoded.text.startswith("第一回") and decoded.text.endswith("完")
    assert decoded.replaced >= 1
    # A GB2312 reading of pure Big5 bytes is what the user asked for, nonsense or not.
    assert decode_bytes("中文".encode("big5"), encoding="gb18030").encoding == "gb18030"


def test_unknown_encoding_is_a_clear_error() -> None:
    with pytest.raises(DecodeError, match="not a known text encoding"):
        decode_bytes(b"abc", encoding="klingon")


def test_binary_files_are_refused() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    with pytest.raises(DecodeError, match=r"binary file \(NUL byte at offset 8\)"):
        decode_bytes(png)
    controls = bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15]) * 50
    with pytest.raises(DecodeError, match="binary"):
        decode_bytes(controls)


def test_text_that_is_not_chinese_is_left_to_charset_normalizer() -> None:
    """Not refused and not read as Chinese; which Latin code page is charset-normalizer's call."""
    text = "Les élèves étaient très fâchés contre le maître d'école, déçus et énervés. " * 20
    decoded = decode_bytes(text.encode("cp1252"))
    assert decoded.encoding not in ("gb2312", "gbk", "gb18030", "big5", "cp950", "big5hkscs")
    assert len(decoded.text) == len(text)
    assert decoded.text.startswith("Les él")


@pytest.mark.parametrize(
    "text",
    ["café résumé", "naïve façade", "Señor Muñoz", "Grüße aus München", "Dès Noël où un zéphyr"],
)
def test_a_short_western_text_reads_as_windows_1252_not_a_rare_code_page(text: str) -> None:
    """charset-normalizer ranks cp1006 (Urdu) or cp1250 level with cp1252 on a few words; among
    equals the commonest single-byte encoding wins, so the words come back as they were."""
    decoded = decode_bytes(text.encode("cp1252"))
    assert decoded.text == text
    assert decoded.encoding == "cp1252"
