"""Where two answers are possible, the right one is taken (or none): fuzzy re-anchoring ties and
its threshold, restore's duplicate check and nearest occurrence, GB against Big5.

Each test here fails for a bug of the kind issue 11 lists under "Ambiguity" (planted one at a
time in a copy): a tie resolved to the first candidate, the threshold moved, the duplicate check
comparing starts only, the first occurrence taken instead of the nearest, Big5 ranked over GBK.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from reader.core.decoding import big5_frequent, chinese_score, decode_bytes, gb_frequent
from reader.core.export import COLUMNS, join_tags, neutralise, write_csv
from reader.core.reanchor import Anchor, reanchor
from reader.core.restore import import_csv
from reader.core.store import Store

QUOTE = "长春国际汽车城正式揭牌"

# Fuzzy re-anchoring: ties and the threshold


def test_two_equally_good_fuzzy_places_without_context_orphan_the_passage() -> None:
    # The quote is gone; two edits of it remain, each one character off (挂 and 摘 for 揭).
    text = "前文。长春国际汽车城正式挂牌。中间的话很多很多。长春国际汽车城正式摘牌。后文。"
    first, second = text.index("长春国际汽车城正式挂牌"), text.index("长春国际汽车城正式摘牌")
    assert fuzz.ratio(QUOTE, text[first : first + 11]) == fuzz.ratio(
        QUOTE, text[second : second + 11]
    )
    # Whichever old offset: neither place is better, so neither is taken.
    for old_start in (0, first, second, len(text)):
        assert reanchor(text, Anchor(QUOTE, "", "", old_start)) is None
    # With one of them gone the other is taken: the tie was what orphaned it.
    single = text.replace("长春国际汽车城正式摘牌", "别的事情")
    placed = reanchor(single, Anchor(QUOTE, "", "", 0))
    assert placed is not None and not placed.exact
    assert single[placed.start : placed.end] == "长春国际汽车城正式挂牌"


def test_two_equally_good_bracketed_places_orphan_the_passage() -> None:
    # The same surroundings at both places: the bracketed search finds two equal candidates.
    block = "甲方代表说：{}，大家鼓掌。"
    text = (
        "序言。"
        + block.format("长春国际汽车城正式挂牌")
        + "又一次"
        + block.format("长春国际汽车城正式摘牌")
    )
    anchor = Anchor(QUOTE, "甲方代表说：", "，大家鼓掌。", 9)
    assert reanchor(text, anchor) is None
    single = text.replace("长春国际汽车城正式摘牌", "长春国际汽车城全部拆除完毕")
    placed = reanchor(single, anchor)
    assert placed is not None
    assert single[placed.start : placed.end] == "长春国际汽车城正式挂牌"


@pytest.mark.parametrize(
    ("edited", "twin", "score", "found"),
    [
        ("长春国际汽车城揭幕了", "长春国际汽车城揭开了", 90.0, True),  # one edit in ten
        ("长春国际汽车镇揭幕了", "长春国际汽车村揭幕了", 80.0, True),  # two: the threshold
        ("长春国陆汽车镇揭幕了", "长春国地汽车镇揭幕了", 70.0, False),  # three: below it
    ],
)
def test_the_fuzzy_threshold_is_80_inclusive(
    edited: str, twin: str, score: float, found: bool
) -> None:
    quote = "长春国际汽车城揭牌了"
    assert fuzz.ratio(quote, edited) == score
    text = "无关的前文内容在这里。" + edited + "。无关的后文内容在这里。"
    placed = reanchor(text, Anchor(quote, "", "", 11))
    if found:
        assert placed is not None and not placed.exact
        assert text[placed.start : placed.end] == edited
    else:
        assert placed is None
    # The same edits between the old neighbours (the bracketed search) obey the same limit.
    between_neighbours = Anchor(quote, "无关的前文内容在这里。", "。无关的后文内容在这里。", 11)
    bracketed = reanchor(text, between_neighbours)
    if found:
        assert bracketed is not None and text[bracketed.start : bracketed.end] == edited
    else:
        assert bracketed is None
    # A second edit of the passage elsewhere, as far off as this one: the search anywhere sees
    # a tie, so only the bracketed search, keeping its limit too, can place it.
    elsewhere = text + "另外一处：" + twin + "。完。"
    assert fuzz.ratio(quote, twin) == score
    assert reanchor(elsewhere, Anchor(quote, "", "", 11)) is None
    between = reanchor(elsewhere, between_neighbours)
    if found:
        assert between is not None and elsewhere[between.start : between.end] == edited
    else:
        assert between is None


def test_the_real_bug_a_fuzzy_match_does_not_take_the_full_stops_around_it() -> None:
    text = "开头。全面建设双一流的长春国际汽车城。结尾。"
    placed = reanchor(text, Anchor("全面建设“双一流”的长春国际汽车城", "", "", 0))
    assert placed is not None
    assert (placed.start, placed.end) == (3, 18)


# Restore: the duplicate check and the nearest occurrence


def write_rows(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in COLUMNS})


def test_a_backup_of_an_annotation_whose_end_moved_since_comes_back(
    store: Store, tmp_path: Path
) -> None:
    # Same id, same start, another end: not the annotation of the backup, which is added again.
    document = store.documents.summaries()[0].id
    annotation = store.annotations.create(document, 100, 110, ["政策"], "评论")
    backup = tmp_path / "backup.csv"
    with backup.open("w", encoding="utf-8", newline="") as out:
        write_csv(store, out)
    store.annotations.set_range(annotation.id, 100, 130)
    report = import_csv(store, backup)
    assert (report.added, report.already_present, report.missing) == (1, 0, [])
    spans = sorted((a.start, a.end, a.comment) for a in store.annotations.for_document(document))
    assert spans == [(100, 110, "评论"), (100, 130, "评论")]
    # Importing it once more adds nothing: now it is here.
    again = import_csv(store, backup)
    assert (again.added, again.already_present) == (0, 1)


def test_same_content_same_start_another_end_is_not_a_duplicate(
    store: Store, tmp_path: Path
) -> None:
    document = store.documents.summaries()[0]
    text = store.documents.get(document.id).text
    here = store.annotations.create(document.id, 100, 110, ["政策"], "同一条评论")
    path = tmp_path / "other.csv"
    write_rows(
        path,
        [
            {
                "annotation_id": 999,
                "document_id": document.id,
                "document_title": neutralise(document.title),
                "start": 100,
                "end": 120,
                "passage": neutralise(text[100:120]),
                "tags": join_tags(["政策"]),
                "comment": "同一条评论",
                "created_at": here.created_at,
                "updated_at": here.updated_at,
                "status": "active",
            }
        ],
    )
    report = import_csv(store, path)
    assert (report.added, report.already_present) == (1, 0)
    assert sorted((a.start, a.end) for a in store.annotations.for_document(document.id)) == [
        (100, 110),
        (100, 120),
    ]


@pytest.mark.parametrize("nearer", ["first", "second", "third"])
def test_a_passage_that_moved_goes_to_its_nearest_occurrence(tmp_path: Path, nearer: str) -> None:
    store = Store(tmp_path / "library.db")
    try:
        passage = "汽车城揭牌"
        filler = "这是一段与之无关的文字，用来隔开。" * 3
        text = filler.join(["开头", passage, passage, passage, "结尾"])
        document_id = store.documents.add(text=text, title="汽车城", content_hash="hash-汽车城")
        occurrences = [i for i in range(len(text)) if text.startswith(passage, i)]
        assert len(occurrences) == 3
        target = occurrences[["first", "second", "third"].index(nearer)]
        exported_start = target + 7  # the text moved: the passage is no longer at its offsets
        assert text[exported_start : exported_start + len(passage)] != passage
        path = tmp_path / "moved.csv"
        write_rows(
            path,
            [
                {
                    "annotation_id": 5,
                    "document_id": document_id,
                    "document_title": "汽车城",
                    "start": exported_start,
                    "end": exported_start + len(passage),
                    "passage": passage,
                    "status": "active",
                }
            ],
        )
        report = import_csv(store, path)
        assert (report.added, report.moved, report.missing) == (1, 1, [])
        (restored,) = store.annotations.for_document(document_id)
        assert (restored.start, restored.end) == (target, target + len(passage))
    finally:
        store.close()


# GB against Big5, when both decode cleanly


@pytest.mark.parametrize(
    ("text", "encoding", "family"),
    [
        ("长春国际汽车城正式揭牌", "gbk", "gb"),  # reads as Big5 too, with kana in it
        ("长春国际汽车城", "gbk", "gb"),  # as Big5: 酗景弊暱イ陬傑
        ("汽车", "gbk", "gb"),
        ("今天天气很好", "gbk", "gb"),
        ("記憶體", "big5", "big5"),  # as GBK: 癘拘砰, all common characters too
        ("長春國際汽車城", "big5", "big5"),
    ],
)
def test_short_texts_that_read_both_ways_come_out_in_their_own_code(
    text: str, encoding: str, family: str
) -> None:
    raw = text.encode(encoding)
    other = "big5" if family == "gb" else "gb18030"
    raw.decode(other)  # the trap: the other family decodes these bytes without an error
    decoded = decode_bytes(raw)
    assert decoded.text == text
    assert decoded.encoding.startswith(family)


def test_the_frequent_sets_are_the_published_blocks() -> None:
    # GB2312 level 1 is 3,755 characters; Big5's frequent block (A440-C67E) 5,401.
    assert len(gb_frequent()) == 3755
    assert len(big5_frequent()) == 5401
    assert "イ" not in big5_frequent() and "さ" not in big5_frequent()
    assert chinese_score("长春国际汽车城".encode("gbk").decode("big5")) < 1.0
