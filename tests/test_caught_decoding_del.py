"""A single-byte Western file with DEL characters in it is read in its code page, not refused
as damaged UTF-8: DEL (0x7F) is ASCII, not a sign of multi-byte UTF-8 (found by mutmut on
decoding._damaged)."""

from __future__ import annotations

from reader.core.decoding import decode_bytes


def test_a_cp1252_text_with_del_characters_decodes() -> None:
    line = "Le café est très bon, la crème brûlée aussi.\x7f\n"
    decoded = decode_bytes((line * 3).encode("cp1252"))
    assert (decoded.text, decoded.encoding) == (line * 3, "cp1252")
