"""Bad input gets a clear one-line answer: damaged UTF-8, impossible options, empty pages,
encoding suffixes in file names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from reader.cli import cli
from reader.core.decoding import DecodeError, decode_bytes
from reader.core.library import ImportError_, prepare_file


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["import", *args])
    return result.exit_code, result.output


def test_a_small_damaged_utf8_file_is_refused_with_the_offset() -> None:
    """It was imported as cp775 mojibake, labelled Simplified, exit 0."""
    with pytest.raises(DecodeError, match=r"utf-8 fails at byte 4 \(0xff"):
        decode_bytes(b"abc " + b"\xff\xfe\xfd " + "中".encode())
    # An explicit encoding still says otherwise.
    replaced = decode_bytes(b"abc \xff\xfe\xfd \xe4\xb8\xad", "utf-8", "replace")
    assert replaced.text == "abc \ufffd\ufffd\ufffd 中" and replaced.replaced == 3


def test_a_short_text_with_escape_sequences_is_text_not_binary() -> None:
    """One OSC 52 (ended by BEL) in a short article made it "binary": such files must import,
    and are shown safely."""
    raw = "标题\n\n正文。\x1b]52;c;aGVsbG8=\x07测试。\x1b[2J发展。\n".encode()
    assert decode_bytes(raw).text == raw.decode()
    with pytest.raises(DecodeError, match="control characters throughout"):
        decode_bytes(bytes(range(1, 9)) * 40 + "中文".encode())


def test_latin1_without_utf8_sequences_is_still_detected() -> None:
    assert decode_bytes("café crème brûlée, déjà vu.".encode("latin-1")).text.startswith("caf")


def test_damaged_utf8_through_the_command_line(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.txt"
    damaged.write_bytes(b"abc \xff\xfe\xfd \xe4\xb8\xad\n")
    code, output = run("--db", str(tmp_path / "x.db"), str(damaged))
    assert code == 1 and "byte 4" in output and "cp775" not in output


@pytest.mark.parametrize(
    ("option", "value", "reason"),
    [
        ("--max-size", "inf", "is not a size"),
        ("--max-size", "-5", "is not a size"),
        ("--encoding", "rot13", "is not a text encoding"),
        ("--encoding", "hex", "is not a text encoding"),
    ],
)
def test_impossible_options_get_one_line(
    tmp_path: Path, option: str, value: str, reason: str
) -> None:
    article = tmp_path / "a.txt"
    article.write_text("正文。", encoding="utf-8")
    arguments = ["import", "--db", str(tmp_path / "x.db"), option, value, str(article)]
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 2 and reason in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


@pytest.mark.parametrize("encoding", ["rot13", "hex"])
def test_the_core_refuses_codecs_that_are_not_text_encodings(encoding: str) -> None:
    with pytest.raises(DecodeError, match="not a known text encoding"):
        decode_bytes(b"abc", encoding)


def test_a_page_that_yields_only_its_title_is_a_failure(tmp_path: Path) -> None:
    page = tmp_path / "deep.html"
    page.write_text(
        "<html><head><title>标题</title></head><body>"
        + "<div>" * 100_000
        + "正文内容很多很多。" * 20
        + "</div>" * 100_000
        + "</body></html>",
        encoding="utf-8",
    )
    with pytest.raises(ImportError_, match="only the title “标题”"):
        prepare_file(page)
    code, output = run("--db", str(tmp_path / "x.db"), str(page))
    assert code == 1 and "0 files" in output


@pytest.mark.parametrize("suffix", ["big5", "gb18030", "utf-8", "gbk"])
def test_a_title_from_a_file_name_drops_the_encoding_suffix(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"expected.{suffix}.txt"
    text = "甄士隱夢幻識通靈，賈雨村風塵懷閨秀。\n" if suffix == "big5" else "甄士隐梦幻识通灵。\n"
    path.write_bytes(text.encode(suffix) * 20)
    assert prepare_file(path).title == "expected"


def test_file_name_titles(tmp_path: Path) -> None:
    from reader.core.documents import title_from_filename

    assert title_from_filename(Path("expected.big5.txt")) == "expected"
    assert title_from_filename(Path("expected.gb18030.txt")) == "expected"
    assert title_from_filename(Path("report.v2.txt")) == "report.v2"
    assert title_from_filename(Path("x.hex.txt")) == "x.hex"  # hex is not a text encoding
    assert title_from_filename(Path("big5.txt")) == "big5"


def test_a_file_name_that_is_not_utf8_imports_and_prints(tmp_path: Path) -> None:
    """It crashed with UnicodeEncodeError: SQLite cannot store the name's lone surrogates."""
    name = os.fsdecode(b"\xffbad.txt")
    (tmp_path / name).write_text("正文内容。\n", encoding="utf-8")
    db = str(tmp_path / "x.db")
    for status in ("new", "unchanged"):
        code, output = run("--db", db, str(tmp_path / name))
        assert code == 0, output
        assert output.startswith(status) and "\ufffdbad  (6 chars)" in output
        assert f"{tmp_path}/\ufffdbad.txt" in output
