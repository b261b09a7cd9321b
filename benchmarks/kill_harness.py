"""Kill a process that is writing annotations with SIGKILL at random moments, and check that
nothing it reported as saved is lost and the database is never damaged.

A child process opens a Store and performs random annotation actions (create, retag, comment,
move, delete) as fast as it can. Before each it prints ``B <action>``, after the method returns
(the transaction is committed) ``K <result>``, flushing each line. The parent kills it after a
random delay, then checks with its own connection:

- ``PRAGMA integrity_check`` is ok;
- the annotations are exactly what the confirmed (``K``) actions produce, plus possibly the one
  action in flight (begun, unconfirmed), applied entirely or not at all;
- the undo log holds exactly one entry per action that took effect (action and log entry
  commit together).

Then it starts a new child on the same database, until enough writes are confirmed.

Usage: .venv/bin/python benchmarks/kill_harness.py [--writes 1000] [--db PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CODEBOOK = ("产业", "政策", "人物", "地名", "=公式", "-负面")
COMMENTS = ("", "重要", "第一行\n第二行", '含"引号",逗号', "=SUM(A1:A2)", "很长的评论" * 40)

# The model of one annotation: (document_id, start, end, tags, comment).
Model = dict[int, tuple[int, int, int, tuple[str, ...], str]]


# The child: writes until it is killed.


def child(db: Path, seed: int) -> None:
    from reader.core.store import Store

    rng = random.Random(seed)
    store = Store(db)
    documents = [(d.id, len(store.get_document(d.id).text)) for d in store.list_documents()]
    ids = [a.id for a in store.all_annotations()]

    def say(kind: str, payload: dict) -> None:
        sys.stdout.write(f"{kind} {json.dumps(payload, ensure_ascii=False)}\n")
        sys.stdout.flush()

    while True:
        roll = rng.random()
        if roll < 0.35 or not ids:
            document_id, length = rng.choice(documents)
            start = rng.randrange(0, length - 50)
            action = {
                "op": "create",
                "document_id": document_id,
                "start": start,
                "end": start + rng.randint(1, 40),
                "tags": rng.sample(CODEBOOK, rng.randint(0, 3)),
                "comment": rng.choice(COMMENTS),
            }
            say("B", action)
            created = store.create_annotation(
                document_id, action["start"], action["end"], action["tags"], action["comment"]
            )
            ids.append(created.id)
            say("K", {**action, "id": created.id})
            continue
        target = rng.choice(ids)
        if roll < 0.6:
            action = {"op": "tags", "id": target, "tags": rng.sample(CODEBOOK, rng.randint(0, 3))}
            say("B", action)
            store.set_tags(target, action["tags"])
        elif roll < 0.8:
            action = {"op": "comment", "id": target, "comment": rng.choice(COMMENTS)}
            say("B", action)
            store.set_comment(target, action["comment"])
        elif roll < 0.9:
            length = len(store.get_document(store.get_annotation(target).document_id).text)
            start = rng.randrange(0, length - 50)
            action = {"op": "range", "id": target, "start": start, "end": start + 10}
            say("B", action)
            store.set_range(target, action["start"], action["end"])
        else:
            action = {"op": "delete", "id": target}
            say("B", action)
            store.delete_annotation(target)
            ids.remove(target)
        say("K", action)


# The app child: the same, through the real Textual app's keys (headless).

UI_TAGS = ("产业", "政策", "人物")
UI_COMMENTS = ("要点", "第一行\n第二行", "=1+1")


def app_child(db: Path, seed: int) -> None:
    import asyncio

    asyncio.run(_drive_app(db, seed))


async def _drive_app(db: Path, seed: int) -> None:
    from reader.core.store import Store
    from reader.ui.app import make_app

    rng = random.Random(seed)
    store = Store(db)
    app = make_app(store)

    # Textual captures sys.stdout while the app runs: write to the real one, unbuffered.
    out = sys.__stdout__
    assert out is not None

    def say(kind: str, payload: object) -> None:
        out.write(f"{kind} {json.dumps(payload, ensure_ascii=False)}\n")
        out.flush()

    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        screen = app.screen
        view = screen.view  # type: ignore[attr-defined]
        document = screen.document  # type: ignore[attr-defined]
        while True:
            existing = store.annotations_for(document.id)
            if rng.random() < 0.6 or not existing:
                say("B", {"op": "app-create"})
                view.anchor = None
                view.move_cursor(rng.randrange(0, len(document.text) - 50))
                await pilot.pause()
                await pilot.press("v", *["right"] * rng.randint(1, 6), "t")
                await pilot.pause()
                await pilot.press(*rng.choice(UI_TAGS), "enter")
            else:
                target = rng.choice(existing)
                say("B", {"op": "app-comment", "id": target.id})
                view.anchor = None
                view.move_cursor(target.start)
                await pilot.pause()
                await pilot.press("c")
                await pilot.pause()
                await pilot.press(*rng.choice(UI_COMMENTS), "ctrl+s")
            await pilot.pause()
            view.anchor = None
            state = [
                [a.id, a.document_id, a.start, a.end, sorted(t.name for t in a.tags), a.comment]
                for a in store.all_annotations()
            ]
            say("K", {"op": "state", "state": state})


# The parent: kills children and checks what they left.


@dataclass
class Report:
    attempted: int = 0
    confirmed: int = 0
    found: int = 0
    kills: int = 0
    in_flight_applied: int = 0
    in_flight_absent: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"writes attempted {self.attempted}, confirmed {self.confirmed}, found after the"
            f" kills {self.found} (lost {self.confirmed - self.found}); kills {self.kills};"
            f" in-flight writes at a kill: {self.in_flight_applied} applied whole,"
            f" {self.in_flight_absent} absent; problems: {len(self.problems)}"
        )


def apply(model: Model, action: dict) -> Model:
    op = action["op"]
    if op == "state":  # the app child reports the whole state after each action
        return {row[0]: (row[1], row[2], row[3], tuple(row[4]), row[5]) for row in action["state"]}
    updated = dict(model)
    if op == "create":
        if "id" not in action:
            raise ValueError("an unconfirmed create has no id yet")
        updated[action["id"]] = (
            action["document_id"],
            action["start"],
            action["end"],
            tuple(sorted(set(action["tags"]))),
            action["comment"],
        )
        return updated
    document_id, start, end, tags, comment = updated[action["id"]]
    if op == "tags":
        tags = tuple(sorted(set(action["tags"])))
    elif op == "comment":
        comment = action["comment"]
    elif op == "range":
        start, end = action["start"], action["end"]
    else:
        del updated[action["id"]]
        return updated
    updated[action["id"]] = (document_id, start, end, tags, comment)
    return updated


def read_state(db: Path) -> tuple[str, Model, int]:
    conn = sqlite3.connect(db)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        tags: dict[int, list[str]] = {}
        for annotation_id, name in conn.execute(
            "select x.annotation_id, t.name from annotation_tags x join tags t on t.id = x.tag_id"
        ):
            tags.setdefault(annotation_id, []).append(name)
        state = {
            row[0]: (row[1], row[2], row[3], tuple(sorted(tags.get(row[0], []))), row[4])
            for row in conn.execute(
                "select id, document_id, start_offset, end_offset, comment from annotations"
            )
        }
        log = conn.execute("select count(*) from undo_log where undone = 0").fetchone()[0]
    finally:
        conn.close()
    return check, state, log


def run_child(db: Path, seed: int, delay: float, log: Path, *, app: bool = False) -> list[str]:
    """Start a writer, SIGKILL it ``delay`` seconds after its first write began; its lines."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("ab") as errors:
        process = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--app-child" if app else "--child",
                str(db),
                str(seed),
            ],
            stdout=subprocess.PIPE,
            stderr=errors,
            env=env,
        )
    lines: list[str] = []
    started = threading.Event()

    def pump() -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            lines.append(raw.decode("utf-8", "replace"))
            started.set()
        started.set()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    started.wait(timeout=30)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    reader.join()
    return lines


def run(
    db: Path,
    *,
    writes: int,
    min_delay: float = 0.0,
    max_delay: float = 0.25,
    seed: int = 1,
    min_kills: int = 3,
    log: Path | None = None,
    app: bool = False,
) -> Report:
    """Kill writers on ``db`` until ``writes`` writes are confirmed (and ``min_kills`` kills).

    With ``app``, the writer is the Textual app driven by its keys; its actions are checked
    by the state it showed after each, and the undo-log count is not checked (a comment saved
    unchanged is an action without a visible change).
    """
    from reader.core.library import import_seeds
    from reader.core.store import Store

    store = Store(db)
    if not store.list_documents():
        import_seeds(store)
    store.close()
    log = log or db.with_suffix(".child-errors.log")
    rng = random.Random(seed)
    report = Report()
    model: Model = read_state(db)[1]
    applied = read_state(db)[2]
    while report.confirmed < writes or report.kills < min_kills:
        delay = rng.uniform(min_delay, max_delay)
        lines = run_child(db, rng.randrange(1 << 30), delay, log, app=app)
        report.kills += 1
        begun: dict | None = None
        confirmed_now = 0
        for line in lines:
            kind, _, payload = line.partition(" ")
            if not line.endswith("\n") or kind not in ("B", "K"):
                continue  # a line cut by the kill
            action = json.loads(payload)
            if kind == "B":
                report.attempted += 1
                begun = action
            else:
                updated = apply(model, action)
                if not app or updated != model:
                    confirmed_now += 1
                model = updated
                applied += 1
                begun = None
        report.confirmed += confirmed_now
        check, state, log_entries = read_state(db)
        if check != "ok":
            report.problems.append(f"kill {report.kills}: integrity_check says {check}")
        # The undo log says whether the in-flight action committed (it commits with it); the
        # state must then show that action whole, or not at all.
        expected: Model | None = model
        committed = state != model if app else log_entries == applied + 1
        if begun is not None and committed:
            expected = _with_in_flight(model, state, begun)
            report.in_flight_applied += 1
            applied += 1
        elif begun is not None:
            report.in_flight_absent += 1
        lost = lost_writes(model if expected is None else expected, state)
        report.found += confirmed_now - min(lost, confirmed_now)
        if expected is None or state != expected:
            report.problems.append(
                f"kill {report.kills}: database differs from the confirmed writes"
                f" (in flight: {begun})"
            )
        if not app and log_entries != applied:
            report.problems.append(
                f"kill {report.kills}: {log_entries} undo entries for {applied} actions"
            )
            applied = log_entries
        model = state
    return report


def _with_in_flight(model: Model, state: Model, begun: dict) -> Model | None:
    """The model with the in-flight action applied (a create takes the one new id)."""
    if begun["op"] == "app-comment":
        changed = {key for key in set(model) | set(state) if model.get(key) != state.get(key)}
        target = begun["id"]
        if changed == {target} and target in state and state[target][:4] == model[target][:4]:
            return state
        return None
    if begun["op"] not in ("create", "app-create"):
        return apply(model, begun)
    new = set(state) - set(model)
    if len(new) != 1:
        return None
    if begun["op"] == "app-create":
        return {**model, next(iter(new)): state[next(iter(new))]}
    return apply(model, {**begun, "id": new.pop()})


def lost_writes(model: Model, state: Model) -> int:
    """Writes the model holds that the database does not, plus rows nobody confirmed."""
    return sum(1 for key, value in model.items() if state.get(key) != value) + sum(
        1 for key in state if key not in model
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writes", type=int, default=1_000)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--app-writes", type=int, default=40, help="0: skip the app run")
    parser.add_argument("--child", nargs=2, metavar=("DB", "SEED"), help=argparse.SUPPRESS)
    parser.add_argument("--app-child", nargs=2, metavar=("DB", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), int(args.child[1]))
        return
    if args.app_child:
        app_child(Path(args.app_child[0]), int(args.app_child[1]))
        return
    db = args.db or Path(tempfile.mkdtemp(prefix="reader-kill-")) / "annotations.db"
    started = time.perf_counter()
    report = run(db, writes=args.writes, seed=args.seed, min_kills=20)
    print(report.summary())
    print(f"({time.perf_counter() - started:.0f} s, database {db})")
    reports = [report]
    if args.app_writes:
        app_db = db.with_name("app.db")
        started = time.perf_counter()
        app_report = run(
            app_db, writes=args.app_writes, seed=args.seed, min_kills=5, max_delay=4.0, app=True
        )
        print("Textual app killed:", app_report.summary())
        print(f"({time.perf_counter() - started:.0f} s, database {app_db})")
        reports.append(app_report)
    for each in reports:
        for problem in each.problems:
            print("PROBLEM:", problem)
    if any(each.problems or each.found != each.confirmed for each in reports):
        sys.exit(1)


if __name__ == "__main__":
    main()
