"""``reader import``: one line per file, a summary, exit status 1 when any file failed."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from reader.cli import cli
from reader.core.store import Store

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"


def run(*args: str) -> tuple[int, list[str], str]:
    result = CliRunner().invoke(cli, ["import", *args])
    return result.exit_code, result.stdout.splitlines(), result.stderr


def test_import_reports_each_file_and_fails_only_the_bad_ones(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    (tmp_path / "empty.txt").write_bytes(b"")
    code, lines, errors = run(
        "--db", db, str(CORPUS / "encodings"), str(tmp_path / "empty.txt"), str(tmp_path / "x*")
    )
    assert code == 1
    assert len(lines) == 5
    encodings = sorted(line.split()[2] for line in lines[:4])
    assert encodings == ["big5", "big5hkscs", "gb18030", "gbk"]
    assert all(line.startswith("new") for line in lines[:4])
    assert "traditional" in lines[1] and "三國演義.big5hkscs" in lines[1]
    assert lines[4] == f"Imported 4 files into {db}: 4 new, 2 failed"
    assert "empty.txt: empty file" in errors and "x*: no files match" in errors
    store = Store(db)
    assert store.documents.count() == 4
    store.close()


def test_reimport_reports_unchanged_and_new_versions(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    article = tmp_path / "article.txt"
    article.write_text(
        "第一段：长春国际汽车城正式揭牌。\n第二段：同为派出机构。\n", encoding="utf-8"
    )
    assert run("--db", db, str(article))[0] == 0
    store = Store(db)
    text = store.documents.get(1).text
    start = text.index("长春国际汽车城")
    store.annotations.create(1, start, start + len("长春国际汽车城"))
    start = text.index("同为派出机构")
    store.annotations.create(1, start, start + len("同为派出机构"))
    store.close()

    code, lines, _ = run("--db", db, str(article))
    assert code == 0 and lines[0].startswith("unchanged") and "1 unchanged" in lines[-1]

    article.write_text("新的导语。\n第一段：长春国际汽车城正式揭牌。\n", encoding="utf-8")
    code, lines, _ = run("--db", db, str(article))
    assert code == 0
    assert lines[0].startswith("version 2    #1")
    assert "annotations: 0 kept, 1 moved, 1 orphaned" in lines[0]
    assert "1 new version" in lines[-1]


def test_encoding_options(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    broken = tmp_path / "broken.txt"
    broken.write_bytes("第一回".encode("big5") + b"\x80\x80" + "完".encode("big5"))
    code, _, errors = run("--db", db, str(broken))
    assert code == 1 and "byte 6" in errors
    result = CliRunner().invoke(cli, ["import", "--db", db, "--errors", "replace", str(broken)])
    assert result.exit_code == 2 and "only valid together with --encoding" in result.output
    code, lines, _ = run("--db", db, "--encoding", "big5", "--errors", "replace", str(broken))
    assert code == 0 and " big5 " in lines[0] and "undecodable bytes replaced" in lines[0]


def test_max_size_option(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("长" * 1000, encoding="utf-8")
    code, lines, errors = run("--db", str(tmp_path / "cli.db"), "--max-size", "1K", str(article))
    assert code == 1 and "too large (2.9 KB; the limit is 1.0 KB)" in errors
    assert lines == [f"Imported 0 files into {tmp_path / 'cli.db'}: 1 failed"]
