"""Two programs on one database: no "database is locked", no lost write, changes noticed."""

from __future__ import annotations

import threading
from pathlib import Path
from types import ModuleType

import pytest
from support import load_benchmark

from reader.core.export import write_csv
from reader.core.store import Store


@pytest.fixture(scope="module")
def concurrency() -> ModuleType:
    return load_benchmark("concurrency")


def test_annotating_while_exporting_and_importing(tmp_path: Path, concurrency: ModuleType) -> None:
    outcome = concurrency.run(tmp_path / "annotations.db", seconds=4.0)
    print(outcome.summary())
    assert outcome.errors == []
    assert outcome.integrity == "ok"
    assert outcome.lost == 0
    assert outcome.annotator_ops > 0 and outcome.exporter_ops > 0  # both really ran


def test_data_version_tells_of_the_other_programs_changes(db_path: Path, store: Store) -> None:
    other = Store(db_path)
    seen = store.data_version()
    own = other.data_version()
    store.create_annotation(store.list_documents()[0].id, 0, 4)
    assert store.data_version() == seen  # our own commit is not news to us
    assert other.data_version() != own
    changed = other.data_version()
    assert other.data_version() == changed  # polling is stable when nothing happens
    other.close()


def test_two_stores_writing_from_threads_lose_nothing(db_path: Path, store: Store) -> None:
    document = store.list_documents()[0].id
    made: dict[str, list[int]] = {"a": [], "b": []}
    errors: list[BaseException] = []

    def write(name: str) -> None:
        try:
            own = Store(db_path)
            for index in range(60):
                made[name].append(own.create_annotation(document, index, index + 3, [name]).id)
                own.set_comment(made[name][-1], f"{name}{index}")
            own.close()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(name,)) for name in made]
    for thread in threads:
        thread.start()
    with (db_path.parent / "during.csv").open("w", encoding="utf-8", newline="") as out:
        write_csv(store, out)
    for thread in threads:
        thread.join()
    assert errors == []
    ids = {a.id: a for a in store.all_annotations()}
    assert set(made["a"]) | set(made["b"]) == set(ids)
    assert len(ids) == 120
    assert all(ids[i].comment.startswith("a") for i in made["a"])
