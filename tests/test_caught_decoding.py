"""Decoding at its edges: explicit encodings with a BOM or replacement, the damage sentence, the
frequent-character sets (mutants the first mutmut run left alive)."""

from __future__ import annotations

import codecs

import pytest

from reader.core.decoding import (
    DecodeError,
    big5_frequent,
    common_chinese,
    decode_bytes,
    gb_frequent,
)

NEWS = "长春国际汽车城正式揭牌。"


def test_an_explicit_utf8_drops_its_byte_order_mark() -> None:
    raw = codecs.BOM_UTF8 + "中文".encode()
    for errors in ("strict", "replace"):
        decoded = decode_bytes(raw, "utf-8", errors)
        assert (decoded.text, decoded.encoding, decoded.replaced) == ("中文", "utf-8-sig", 0)
    # Without a BOM it stays utf-8, and a U+FEFF inside the text is kept.
    inner = decode_bytes("中\ufeff文".encode(), "utf-8")
    assert (inner.text, inner.encoding) == ("中\ufeff文", "utf-8")
    tail = decode_bytes("中文\ufeff".encode(), "utf-8", "replace")
    assert tail.text == "中文\ufeff"


@pytest.mark.parametrize(
    ("raw", "encoding", "text", "replaced"),
    [
        ("中文".encode() + b"\xff", "utf-8", "中文\ufffd", 1),
        ("中文\ufffd".encode() + b"\xff", "utf-8", "中文\ufffd\ufffd", 1),  # one was real
        ("中文".encode("gbk") + b"\xff", "gbk", "中文\ufffd", 1),
        ("中文\ufffd".encode("gb18030") + b"\x81", "gb18030", "中文\ufffd\ufffd", 1),
        ("中文".encode(), "utf-8", "中文", 0),
        (b"abc", "latin-1", "abc", 0),
    ],
)
def test_replaced_counts_only_what_was_replaced(
    raw: bytes, encoding: str, text: str, replaced: int
) -> None:
    decoded = decode_bytes(raw, encoding, "replace")
    assert (decoded.text, decoded.replaced) == (text, replaced)


def test_an_explicit_encoding_that_fails_says_where() -> None:
    with pytest.raises(DecodeError) as raised:
        decode_bytes("中文".encode() + b"\xff", "utf-8")
    assert str(raised.value) == (
        "not valid utf-8: fails at byte 6 (0xff) (add --errors replace to import it anyway)"
    )


@pytest.mark.parametrize("name", ["rot13", "hex", "base64"])
def test_a_codec_that_is_not_a_text_encoding_is_refused(name: str) -> None:
    with pytest.raises(DecodeError, match="is not a known text encoding"):
        decode_bytes(b"abc", name)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "中文".encode() + b"\xff\xfe",
            "looks like utf-8 but utf-8 fails at byte 6 (0xff 0xfe)"
            " (use --encoding with --errors replace to import it anyway)",
        ),
        (
            (NEWS * 10).encode("gbk") + b"\xff\xff",
            "looks like gb18030 but gb18030 fails at byte 240 (0xff 0xff)"
            " (use --encoding with --errors replace to import it anyway)",
        ),
        (
            b"abc \xff\xfe\xfd " + "中".encode(),
            "looks like utf-8 but utf-8 fails at byte 4 (0xff 0xfe)"
            " (use --encoding with --errors replace to import it anyway)",
        ),
    ],
)
def test_damaged_text_is_refused_naming_its_encoding_and_where(raw: bytes, message: str) -> None:
    with pytest.raises(DecodeError) as raised:
        decode_bytes(raw)
    assert str(raised.value) == message


def test_a_big5_file_with_a_bad_byte_is_named_as_big5() -> None:
    raw = ("長春國際汽車城正式揭牌。" * 10).encode("big5") + b"\xff\xff"
    with pytest.raises(DecodeError, match=r"looks like big5hkscs but big5hkscs fails at byte 240"):
        decode_bytes(raw)


def test_mostly_good_utf8_with_a_few_bad_bytes_is_damaged_utf8() -> None:
    good = ("长春国际汽车城" * 20).encode()
    raw = good + b"\xff" + good  # 1 bad byte in 280 characters: under 2 %
    with pytest.raises(DecodeError, match=r"looks like utf-8 but utf-8 fails at byte 420 \(0xff"):
        decode_bytes(raw)


def test_the_frequent_sets_are_made_of_their_blocks() -> None:
    gb = gb_frequent()
    big5 = big5_frequent()
    assert "啊" in gb and "座" in gb  # first and last of GB2312 level 1
    assert "一" in big5 and "籲" in big5  # A440 and C67E, the block's first and last
    assert "龘" not in big5  # F9D5: the last of the less frequent block
    assert "\ufffd" not in big5 and None not in big5
    assert common_chinese() == gb | big5
    assert all(len(char) == 1 for char in common_chinese())


def test_an_explicit_codec_that_keeps_the_bom_has_it_dropped() -> None:
    raw = codecs.BOM_UTF16_LE + "中文\ufeff".encode("utf-16-le")
    assert decode_bytes(raw, "utf-16-le").text == "中文\ufeff"
    assert decode_bytes(raw, "utf-16-le", "replace").text == "中文\ufeff"


def test_a_detected_bom_is_reported_and_dropped() -> None:
    decoded = decode_bytes(codecs.BOM_UTF8 + "中文\ufeff".encode())
    assert (decoded.text, decoded.encoding, decoded.bom) == ("中文\ufeff", "utf-8-sig", True)
    plain = decode_bytes("中文".encode())
    assert plain.bom is False


def test_a_bom_followed_by_bad_bytes_says_so() -> None:
    with pytest.raises(DecodeError) as raised:
        decode_bytes(codecs.BOM_UTF8 + "中".encode() + b"\xff")
    assert str(raised.value) == (
        "has a utf-8-sig byte-order mark but utf-8-sig fails at byte 6 (0xff)"
    )


def test_a_nul_at_the_very_start_is_binary() -> None:
    with pytest.raises(DecodeError, match=r"binary file \(NUL byte at offset 0\)"):
        decode_bytes(b"\x00abc")


def test_the_chinese_score_counts_only_characters_past_ascii() -> None:
    from reader.core.decoding import chinese_score

    assert chinese_score("abc") == 0.0
    assert chinese_score("\x7f中") == 1.0  # DEL is ASCII: not counted
    assert chinese_score("\x80中") == 0.5  # the first code point past it is
    assert chinese_score("中文ｱ") == pytest.approx(2 / 3)


def test_a_few_controls_in_a_text_are_not_a_binary_file() -> None:
    few = "正文" * 50 + "\x01" * 8  # eight: an escape sequence or two, however short the text
    assert decode_bytes(few.encode()).text == few
    sparse = "正文" * 500 + "\x01" * 9  # nine in 1,009 characters: under 1 %
    assert decode_bytes(sparse.encode()).text == sparse
    with pytest.raises(DecodeError, match="binary"):
        decode_bytes(("正" * 800 + "\x01" * 9).encode())  # nine, over 1 %
