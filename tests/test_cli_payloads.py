"""Every hostile string of tests/payloads.py, as a title, a file name, a tag name and an error
text, reaches the command line's messages only as visible text: no control character ever.
(Data the user asked for on standard output, such as ``export -o -``, stays byte-exact.)"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from payloads import ALL, CONTROLS

from reader.cli import cli
from reader.core.display import CONTROL, visible_line
from reader.core.export import COLUMNS
from reader.core.store import Store


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def assert_safe(output: str) -> None:
    found = CONTROL.search(output)
    assert found is None, f"raw control character {found.group()!r} in {output!r}"


def file_name(payload: str) -> str:
    return payload.replace("/", "∕")  # the one character a file name cannot hold (with NUL)


@pytest.mark.parametrize("payload", ALL)
def test_import_lines_show_titles_and_paths_as_text(tmp_path: Path, payload: str) -> None:
    titled = tmp_path / "titled.txt"
    titled.write_text(
        f"{payload}\n时间:2021-09-29 08:13 来源:{payload}\n" + "正文第一段。" * 50, encoding="utf-8"
    )
    named = tmp_path / f"{file_name(payload)}.txt"
    named.write_text("另一篇正文。\n", encoding="utf-8")
    empty = tmp_path / f"{file_name(payload)}-empty.txt"
    empty.write_bytes(b"")
    code, output = run("import", "--db", str(tmp_path / "x.db"), str(titled), str(named),
                       str(empty))  # fmt: skip
    assert code == 1  # the empty file failed
    assert_safe(output)
    assert visible_line(payload) in output
    assert visible_line(str(named)) in output and "empty file" in output


@pytest.mark.parametrize("payload", ALL)
def test_restore_lines_show_titles_as_text(tmp_path: Path, payload: str) -> None:
    rows = tmp_path / "rows.csv"
    with rows.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, COLUMNS)
        writer.writeheader()
        writer.writerow({column: "" for column in COLUMNS} | {
            "annotation_id": "3", "document_id": "9", "document_title": payload, "start": "0",
            "end": "2", "passage": "正文", "tags": payload, "comment": payload})  # fmt: skip
        writer.writerow({column: "" for column in COLUMNS} | {"document_id": payload})
    code, output = run("import-annotations", str(rows), "--db", str(tmp_path / "x.db"))
    assert code == 1
    assert_safe(output)
    assert visible_line(payload) in output


@pytest.mark.parametrize("payload", ALL)
def test_error_texts_show_as_text(tmp_path: Path, payload: str) -> None:
    not_a_db = tmp_path / f"{file_name(payload)}.db"
    not_a_db.write_text("不是数据库", encoding="utf-8")
    outputs = [
        run("export", "--db", str(not_a_db), "-o", "-"),
        run("export", "--db", str(tmp_path / f"{file_name(payload)}-missing.db")),
        run("import", "--db", str(tmp_path / "x.db"), "--encoding", payload, str(not_a_db)),
        run("import", "--db", str(tmp_path / "x.db"), str(tmp_path / file_name(payload))),
        run(payload),
    ]
    Store(tmp_path / "real.db").close()
    outputs.append(run("export", "--db", str(tmp_path / "real.db"), "--document", payload))
    outputs.append(run("import-annotations", str(not_a_db), "--db", str(tmp_path / "real.db")))
    for code, output in outputs:
        assert code != 0
        assert_safe(output)


@pytest.mark.parametrize("payload", CONTROLS)
def test_notices_about_the_database_show_as_text(tmp_path: Path, payload: str) -> None:
    path = tmp_path / f"{file_name(payload)}.db"
    store = Store(path)
    store.db.execute("insert into tags (name, color) values ('甲', ?)", [payload])
    store.close()
    code, output = run("export", "--db", str(path), "-o", str(tmp_path / "out.csv"))
    assert code == 0
    assert "not #rrggbb" in output
    assert_safe(output)


def test_requested_data_on_stdout_stays_byte_exact(tmp_path: Path) -> None:
    """export -o - and convert print the user's data, not messages: nothing is replaced."""
    payload = "\x1b[2J清屏"
    path = tmp_path / "x.db"
    store = Store(path)
    document = store.add_document(text=f"{payload}正文。", title=payload)
    store.create_annotation(document, 0, 6, [], payload)
    store.close()
    code, output = run("export", "--db", str(path), "-o", "-")
    assert code == 0 and output.count(payload) == 3  # title, passage, comment
    source = tmp_path / "in.txt"
    source.write_text(payload + "汉字\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["convert", str(source)])
    assert result.stdout_bytes == (payload + "漢字\n").encode("utf-8")
