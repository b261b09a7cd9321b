"""Importing the files users actually have: every corpus file type, bad input, big files."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from support import expected_index_rows, index_rows_by_document

from reader.core.importing import (
    ImportFailure,
    expand_paths,
    import_file,
    import_paths,
)
from reader.core.store import Store
from reader.core.webpage import extract_article

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
WEB = CORPUS / "web"


def squeeze(text: str) -> str:
    """Text without whitespace and quotation marks, for comparing extractions paragraph-wise.

    (chinese.expected.txt has its quotation marks as stray C1 controls \x93 \x94.)
    """
    return re.sub(r"[\s\"“”‘’「」\x80-\x9f]", "", text)


@pytest.fixture
def empty_store(fresh_target: Callable[[], str]):
    opened = Store(fresh_target())
    yield opened
    opened.close()


@pytest.mark.parametrize(
    ("relative", "encoding", "script", "line"),
    [
        ("encodings/三国演义.gbk.txt", "gbk", "simplified", "宴桃园豪杰三结义"),
        ("encodings/三國演義.big5hkscs.txt", "big5hkscs", "traditional", "[\u72ad票]狡鋒協"),
        ("encodings/水滸後傳.big5.txt", "big5", "traditional", "病尉遲閒住受餘殃"),
        ("encodings/红楼梦.gb18030.txt", "gb18030", "simplified", "强烈建议广大读者购买正版图书"),
        ("long/紅樓夢.traditional.one-line.txt", "utf-8", "traditional", "第一回甄士隱夢幻識通靈"),
        ("long/红楼梦.simplified.crlf.txt", "utf-8", "simplified", "甄士隐梦幻识通灵\u3000贾雨村"),
        ("long/西遊記.traditional.wikisource.txt", "utf-8", "traditional", "靈根育孕源流出"),
    ],
)
def test_corpus_text_files_import_as_a_reader_expects(
    empty_store: Store, relative: str, encoding: str, script: str, line: str
) -> None:
    result = import_file(empty_store, CORPUS / relative)
    document = empty_store.documents.get(result.document_id)
    assert (result.encoding, document.encoding) == (encoding, encoding)
    assert (result.script, document.script) == (script, script)
    assert line in document.text
    assert "\r" not in document.text and not document.text.startswith("\ufeff")
    assert document.version == 1 and result.status == "new"


def test_crlf_becomes_lf_and_one_line_stays_one_line(empty_store: Store) -> None:
    crlf = CORPUS / "long/红楼梦.simplified.crlf.txt"
    text = empty_store.documents.get(import_file(empty_store, crlf).document_id).text
    raw = crlf.read_bytes().decode("utf-8")
    assert text == raw.replace("\r\n", "\n")
    assert text.startswith("《红楼梦》曹雪芹\n\n\n第一回")
    one_line = CORPUS / "long/紅樓夢.traditional.one-line.txt"
    text = empty_store.documents.get(import_file(empty_store, one_line).document_id).text
    assert "\n" not in text and len(text) == len(one_line.read_text(encoding="utf-8"))


def test_offsets_count_code_points_outside_the_bmp(empty_store: Store) -> None:
    path = CORPUS / "long/西遊記.traditional.wikisource.txt"
    text = empty_store.documents.get(import_file(empty_store, path).document_id).text
    wide = [index for index, char in enumerate(text) if ord(char) > 0xFFFF]
    assert wide, "the excerpt keeps some CJK Extension B characters"
    annotation = empty_store.annotations.create(1, wide[0], wide[0] + 1)
    assert annotation.quote == text[wide[0]] and len(annotation.quote) == 1


def test_samples_keep_their_metadata(store: Store) -> None:
    documents = {doc.title: doc for doc in store.documents.summaries()}
    simplified = documents["【汽开区】长春国际汽车城党工委、管委会正式揭牌"]
    assert (simplified.published, simplified.source) == ("2021-09-29 08:13", "")
    traditional = documents["長春汽開區:攜手中國一汽 共建現代化國際汽車城"]
    assert (traditional.published, traditional.source) == ("2020-01-13 14:25:37", "吉林日報")


@pytest.mark.parametrize(
    ("site", "title", "published", "source", "author"),
    [
        ("gmw", "宇航员在太空中喝酒会怎么样？后果很严重", "2017-03-10", "", "肖春芳"),
        ("qq", "DeepMind新电脑已可利用记忆自学 人工智能迈上新台阶", "2016-10-14", "", ""),
        ("pixnet", "新竹尖石_美樹營地賞楓 (2)", "2013-12-28", "史蒂文的家_藍天", "史蒂文的家_藍天"),
    ],
)
def test_saved_pages_import_the_expected_article(
    empty_store: Store, site: str, title: str, published: str, source: str, author: str
) -> None:
    result = import_file(empty_store, WEB / site / "source.html")
    document = empty_store.documents.get(result.document_id)
    expected = json.loads((WEB / site / "expected-metadata.json").read_text(encoding="utf-8"))
    assert document.title.startswith(title) and expected["title"].startswith(title)
    assert (document.published, document.source) == (published, source)
    assert document.author.startswith(author)
    assert document.encoding == "utf-8"  # qq's meta tag claims gb2312; the bytes are UTF-8
    assert "<" not in document.text and "function(" not in document.text
    article = extract_article((WEB / site / "expected.html").read_text(encoding="utf-8"))
    paragraphs = [squeeze(line) for line in article.text.split("\n") if len(line.strip()) > 12]
    found = squeeze(document.text)
    share = sum(paragraph in found for paragraph in paragraphs) / len(paragraphs)
    assert share >= 0.75, f"only {share:.0%} of the expected paragraphs were extracted"


def test_bbc_page_with_mixed_line_endings(empty_store: Store) -> None:
    raw = (WEB / "bbc" / "chinese_article.html").read_bytes()
    assert b"\r\n" in raw and raw.count(b"\n") > raw.count(b"\r\n")
    result = import_file(empty_store, WEB / "bbc" / "chinese_article.html")
    document = empty_store.documents.get(result.document_id)
    assert document.title == "港特首梁振英就住宅违建事件道歉"
    assert document.published == "2012-12-10"
    expected = (WEB / "bbc" / "chinese.expected.txt").read_text(encoding="utf-8")
    found = squeeze(document.text)
    for paragraph in filter(None, map(squeeze, expected.split("\n"))):
        assert paragraph in found


def test_identical_content_is_not_duplicated(empty_store: Store, tmp_path: Path) -> None:
    source = CORPUS / "encodings/水滸後傳.big5.txt"
    first = import_file(empty_store, source)
    again = import_file(empty_store, source)
    copy = tmp_path / "copy.txt"
    shutil.copy(source, copy)
    elsewhere = import_file(empty_store, copy)
    assert first.created and not again.created and not elsewhere.created
    assert again.status == elsewhere.status == "unchanged"
    assert again.document_id == elsewhere.document_id == first.document_id
    assert empty_store.documents.count() == 1


def test_bad_inputs_each_get_a_one_line_reason(empty_store: Store, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text(" \r\n\t\n", encoding="utf-8")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "big.txt").write_text("长" * 2000, encoding="utf-8")
    (tmp_path / "broken.txt").write_bytes("开头".encode() + b"\xff\xfe" + "结尾".encode())
    (tmp_path / "no-text").mkdir()
    (tmp_path / "no-text" / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    reasons = {}
    for name in ("empty.txt", "blank.txt", "image.txt", "big.txt", "broken.txt", "no-text"):
        with pytest.raises(ImportFailure) as caught:
            import_file(empty_store, tmp_path / name, max_size=4000)
        reasons[name] = str(caught.value)
    assert reasons["empty.txt"].endswith("empty.txt: empty file")
    assert reasons["blank.txt"].endswith("no text (only whitespace)")
    assert "binary file (NUL byte at offset 8)" in reasons["image.txt"]
    assert "too large (5.9 KB; the limit is 3.9 KB)" in reasons["big.txt"]
    assert "byte 6" in reasons["broken.txt"] and "utf-8" in reasons["broken.txt"]
    assert reasons["no-text"].endswith("not a regular file")
    assert all("\n" not in reason for reason in reasons.values())
    assert empty_store.documents.count() == 0
    [problem] = list(expand_paths([tmp_path / "no-text"]))
    assert isinstance(problem, ImportFailure) and "folder has no text files" in str(problem)


def test_unreadable_file_is_reported(
    empty_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("机密", encoding="utf-8")
    if os.geteuid() != 0:
        secret.chmod(0)
    else:  # root reads anything: make the read fail the way a permission error does

        def refuse(self: Path) -> bytes:
            raise PermissionError(13, "Permission denied", str(self))

        monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(ImportFailure, match=r"secret\.txt: cannot read \(Permission denied\)"):
        import_file(empty_store, secret)
    assert empty_store.documents.count() == 0


def test_folders_and_globs_expand_and_failures_do_not_stop_the_rest(
    empty_store: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "articles"
    (folder / "nested" / ".hidden").mkdir(parents=True)
    (folder / "a.txt").write_text("第一篇文章。", encoding="utf-8")
    (folder / "nested" / "b.html").write_text(
        "<html><body><article><p>第二篇文章的正文。</p></article></body></html>", encoding="utf-8"
    )
    (folder / "nested" / "c.txt").write_bytes(b"")
    (folder / "nested" / ".hidden" / "d.txt").write_text("隐藏", encoding="utf-8")
    (folder / "notes.json").write_text("{}", encoding="utf-8")
    outcomes = list(import_paths(empty_store, [folder, str(tmp_path / "art*" / "a.txt"), "nope*"]))
    names = [(path.name if path else None, type(result).__name__) for path, result in outcomes]
    assert names == [
        ("a.txt", "ImportResult"),
        ("b.html", "ImportResult"),
        ("c.txt", "ImportFailure"),
        (None, "ImportFailure"),  # nope*: no files match; a.txt via the glob is not repeated
    ]
    assert empty_store.documents.count() == 2
    assert "第二篇文章的正文。" in empty_store.documents.get(2).text


def test_novel_sized_files_import_whole(empty_store: Store, tmp_path: Path) -> None:
    """The 2.4 MB one-line and 2.5 MB CRLF novels import whole (benchmarks/import_corpus.py
    prints how long each takes)."""
    one_line = (CORPUS / "long/紅樓夢.traditional.one-line.txt").read_bytes()
    crlf = (CORPUS / "long/红楼梦.simplified.crlf.txt").read_bytes()
    for name, chunk in (("one-line.txt", one_line), ("crlf.txt", crlf)):
        path = tmp_path / name
        path.write_bytes(chunk * (2_500_000 // len(chunk) + 1))
        result = import_file(empty_store, path)
        assert result.chars > 800_000
        assert empty_store.documents.get(result.document_id).text[-50:] in chunk.decode(
            "utf-8"
        ).replace("\r\n", "\n")


def test_many_files_commit_in_batches_and_a_failure_stays_its_own(
    empty_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contextlib import contextmanager

    from reader.core import importing
    from reader.core.errors import StoreError
    from reader.core.store.documents import Documents

    monkeypatch.setattr(importing, "BATCH_CHARS", 20)  # a batch ends after ~3 files
    folder = tmp_path / "many"
    folder.mkdir()
    texts = {f"{n:02d}.txt": f"第{n}篇文章，发展的文章{'。' * n}" for n in range(10)}
    texts["03.txt"] = ""  # fails before the store is touched
    texts["07.txt"] = texts["06.txt"]  # the same content: unchanged
    texts["08.txt"] = "存储失败的文章"  # the store refuses it (in its savepoint)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    real_add = Documents.add

    def refuse_one(self: Documents, **fields):
        if fields["text"] == texts["08.txt"]:
            raise StoreError("disk full (as if)")
        return real_add(self, **fields)

    monkeypatch.setattr(Documents, "add", refuse_one)
    outcomes = {path.name: result for path, result in import_paths(empty_store, [folder]) if path}
    failed = {name for name, result in outcomes.items() if isinstance(result, ImportFailure)}
    assert list(outcomes) == sorted(texts)
    assert failed == {"03.txt", "08.txt"}
    assert "disk full (as if)" in str(outcomes["08.txt"])
    assert outcomes["07.txt"].status == "unchanged"
    assert outcomes["07.txt"].document_id == outcomes["06.txt"].document_id
    stored = dict(empty_store.search_index.originals())
    assert sorted(stored.values()) == sorted(
        text for name, text in texts.items() if name not in failed | {"07.txt"}
    )
    assert index_rows_by_document(empty_store) == expected_index_rows(empty_store)

    # A batch whose COMMIT fails: its files are reported failed, none of them stored.
    real_bulk = empty_store.bulk_transaction
    batches = iter([True, False])

    @contextmanager
    def failing_commit():
        with real_bulk():
            yield
            if next(batches, False):
                raise StoreError("the database is locked (as if)")

    monkeypatch.setattr(empty_store, "bulk_transaction", failing_commit)
    for name in ("a.txt", "b.txt", "c.txt", "d.txt", "e.txt"):
        (folder / "more").mkdir(exist_ok=True)
        (folder / "more" / name).write_text(f"新的文章{name}，很长的一篇。", encoding="utf-8")
    outcomes = {p.name: r for p, r in import_paths(empty_store, [folder / "more"]) if p}
    lost = [name for name, result in outcomes.items() if isinstance(result, ImportFailure)]
    assert lost == ["a.txt", "b.txt"]  # the first batch
    assert all("locked (as if)" in str(outcomes[name]) for name in lost)
    stored_now = set(dict(empty_store.search_index.originals()).values())
    assert {f"新的文章{name}，很长的一篇。" for name in ("c.txt", "d.txt", "e.txt")} <= stored_now
    assert not {f"新的文章{name}，很长的一篇。" for name in lost} & stored_now
    assert empty_store.documents.count() == 7 + 3
    assert index_rows_by_document(empty_store) == expected_index_rows(empty_store)
