"""A team on one PostgreSQL project: coders at once, coders killed mid-action.

1. Throughput: N coder processes (default 10) each do M annotation actions (default 1,000:
   create with a tag, retag, comment, delete every other one) on one PostgreSQL project at
   once. Each process reports its latencies, its errors, and what it was told was saved; the
   project must then hold exactly that (0 lost). The same N×M actions are then done by one
   process on an SQLite file (synchronous=FULL). Printed: errors, lost, p50/p95 latency, actions
   per second on each, and the ratio (PostgreSQL, N processes / SQLite, one process); and the
   CPU time per action of the coder processes and of the server, which, unlike the rate, other
   work on a shared machine hardly changes (the rate is bound by 2 cores / their sum here).
2. SIGKILL: K times (default 100), a coder process is killed at a random moment while it
   writes; every action it had confirmed (printed after the store returned) must be there.
3. The app: first paint (a fresh process, first import to the first screen painted, headless
   140x45) on the same library (the samples, 300 annotations) on PostgreSQL against SQLite,
   median of --rounds; and how long another coder's annotation takes to appear in an open app
   (its 2 s poll turned off: only the notification can tell it), median and worst of 10.

The server is the tests' own kind (tests/pg_support.py: Debian's binaries, a cluster in a
temporary folder), started durable (fsync on), as a real server runs; or --url of your own
(an empty database: the benchmark writes to it).

Usage: nice .venv/bin/python benchmarks/team.py [--coders 10] [--actions 1000] [--kills 100]
       [--skip-app | --only-app | --only-kills]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

TAGS = ("产业", "政策", "人物", "地名")


def coder(target: str, actions: int, seed: int, confirm: bool = False) -> dict:
    """One coder's session: ``actions`` actions, timed; what was confirmed saved."""
    from reader.core.store import Store

    rng = random.Random(seed)
    store = Store(target)
    documents = [(d.id, len(store.documents.get(d.id).text)) for d in store.documents.summaries()]
    kept: dict[int, list] = {}
    latencies: list[float] = []
    errors: list[str] = []
    done = 0
    current: int | None = None
    step = 0
    if confirm:
        print(json.dumps(["ready", 0, None]), flush=True)
    began_at = time.time()
    cpu_at = time.process_time()
    while done < actions:
        began = time.perf_counter()
        try:
            if current is None:
                document_id, length = rng.choice(documents)
                start = rng.randrange(0, length - 20)
                tag = rng.choice(TAGS)
                created = store.annotations.create(document_id, start, start + 6, [tag], "")
                current, step = created.id, 1
                kept[current] = [[tag], ""]
                said = ("create", current)
            elif step == 1:
                tags = sorted(rng.sample(TAGS, 2))
                store.annotations.set_tags(current, tags)
                kept[current][0] = tags
                step, said = 2, ("tag", current)
            elif step == 2:
                comment = f"评论 {seed} {done}"
                store.annotations.set_comment(current, comment)
                kept[current][1] = comment
                step, said = 3, ("comment", current)
            else:
                if current % 2:
                    store.annotations.delete(current)
                    del kept[current]
                    said = ("delete", current)
                else:
                    said = ("keep", current)
                current = None
            latencies.append(time.perf_counter() - began)
            done += 1
            if confirm:  # printed only after the store returned: a confirmed action
                print(json.dumps([*said, kept.get(said[1])], ensure_ascii=False), flush=True)
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")
            done += 1
            current = None
    ended_at = time.time()
    cpu = time.process_time() - cpu_at
    store.close()
    return {
        "cpu": cpu,
        "latencies": latencies,
        "errors": errors,
        "kept": kept,
        "began": began_at,
        "ended": ended_at,
    }


def as_coder(target: str, seed: int) -> str:
    """On a server, coder ``seed`` connects as a role of its own (reader team add ... coder):
    the row-level security checks each of its writes, as for a real team."""
    if not target.startswith("postgresql://"):
        return target
    from reader.core.store import Store
    from reader.core.store.team import TeamRole, add_member

    name = f"bench_coder_{seed}"
    store = Store(target)
    add_member(store.gateway, name, TeamRole.CODER)  # type: ignore[arg-type]
    store.close()
    return target.replace("user=postgres", f"user={name}")


def run_coders(target: str, count: int, actions: int) -> tuple[list[dict], float]:
    """``count`` coder processes at once; their reports, and the time from the first one's
    first action to the last one's last (a process's start-up is not an action)."""
    processes = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", as_coder(target, seed), str(actions), str(seed)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for seed in range(count)
    ]
    reports = [json.loads(process.communicate()[0]) for process in processes]
    return reports, max(r["ended"] for r in reports) - min(r["began"] for r in reports)


def stored(target: str) -> dict[int, list]:
    from reader.core.store import Store

    store = Store(target)
    found = {a.id: [sorted(t.name for t in a.tags), a.comment] for a in store.annotations.all()}
    store.close()
    return found


def lost(reports: list[dict], target: str) -> int:
    expected: dict[int, list] = {}
    for report in reports:
        expected.update({int(k): [sorted(v[0]), v[1]] for k, v in report["kept"].items()})
    found = stored(target)
    return sum(1 for key, value in expected.items() if found.get(key) != value) + len(
        set(found) - set(expected)
    )


def server_cpu(cluster: object) -> float:
    """CPU seconds the server has used so far: the postmaster's own and its children's that
    have exited (each coder's backend exits when the coder closes its store)."""
    data = Path(cluster.folder) / "data"  # type: ignore[attr-defined]
    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(fields[index]) for index in (11, 12, 13, 14))  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def figures(
    name: str, reports: list[dict], seconds: float, target: str, server: float | None = None
) -> float:
    latencies = sorted(x for r in reports for x in r["latencies"])
    errors = [e for r in reports for e in r["errors"]]
    actions = len(latencies) + len(errors)
    rate = actions / seconds
    p50 = statistics.median(latencies) * 1000
    p95 = latencies[int(len(latencies) * 0.95)] * 1000
    print(
        f"{name}: {actions} actions in {seconds:.1f} s = {rate:.0f}/s;"
        f" p50 {p50:.1f} ms, p95 {p95:.1f} ms; errors {len(errors)}; lost {lost(reports, target)}"
    )
    cpu = sum(r["cpu"] for r in reports) / actions * 1000
    spent = f"    CPU per action: coders {cpu:.2f} ms"
    if server is not None:
        on_server = server / actions * 1000
        spent += f", server {on_server:.2f} ms, together {cpu + on_server:.2f} ms"
    print(spent)
    for error in errors[:5]:
        print("   ", error)
    return rate


def fresh_project(cluster: object, name: str) -> str:
    from reader.core.importing import import_seeds
    from reader.core.store import Store

    database = cluster.new_database()  # type: ignore[attr-defined]
    url = cluster.url(database)  # type: ignore[attr-defined]
    store = Store(url)
    import_seeds(store)
    store.close()
    return url


def one_step_on(action: str, confirmed: list, found: list | None) -> bool:
    """Whether ``found`` is the state one action after a confirmed ``action`` left it as
    ``confirmed``: the action the kill interrupted may have committed before it was printed
    (then it is done, only unconfirmed; nothing confirmed is lost)."""
    tags, comment = sorted(confirmed[0]), confirmed[1]
    if action == "create":  # next: retag
        return found is not None and len(found[0]) == 2 and found[1] == comment
    if action == "tag":  # next: comment
        return found is not None and found[0] == tags and found[1].startswith("评论")
    return action == "comment" and found is None  # next: delete (an odd id)


def kill_test(target: str, kills: int) -> None:
    """Kill a writing coder ``kills`` times; count confirmed actions missing afterwards."""
    rng = random.Random(7)
    missing = 0
    unconfirmed_done = 0
    confirmed_total = 0
    for round_number in range(kills):
        process = subprocess.Popen(
            [sys.executable, __file__, "--worker", target, "100000", str(1000 + round_number),
             "--confirm"],
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        assert process.stdout is not None
        first = process.stdout.readline()  # "ready": the store is open, actions follow
        time.sleep(rng.uniform(0.0, 0.5))
        os.kill(process.pid, signal.SIGKILL)
        output = first + process.communicate()[0]
        confirmed: dict[int, tuple[str, list | None]] = {}
        last: int | None = None
        for line in output.splitlines():
            try:
                action, annotation_id, state = json.loads(line)
            except ValueError:
                continue  # the last line, cut by the kill
            if action == "ready":
                continue
            confirmed[annotation_id] = (action, state)
            last = annotation_id
            confirmed_total += 1
        found = stored(target)
        for annotation_id, (action, state) in confirmed.items():
            wanted = None if state is None else [sorted(state[0]), state[1]]
            here = found.get(annotation_id)
            if here == wanted:
                continue
            if annotation_id == last and state is not None and one_step_on(action, state, here):
                unconfirmed_done += 1
            else:
                missing += 1
    print(
        f"SIGKILL x{kills}: {confirmed_total} confirmed actions, {missing} missing afterwards"
        f" ({unconfirmed_done} kills fell after a commit and before its confirmation: done,"
        " unconfirmed)"
    )


FIRST_PAINT = """
import sys, time
started = time.perf_counter()
from reader.core.store import Store
from reader.ui.app import make_app
import asyncio

async def run():
    app = make_app(Store(sys.argv[1]))
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        view = app.screen.view
        view.render_lines(view.scrollable_content_region)
        print(time.perf_counter() - started, flush=True)

asyncio.run(run())
"""


def library(target: str) -> None:
    """The samples and 300 annotations."""
    from reader.core.importing import import_seeds
    from reader.core.store import Store

    rng = random.Random(3)
    store = Store(target)
    if store.documents.count() == 0:
        import_seeds(store)
    for summary in store.documents.summaries():
        length = len(store.documents.text(summary.id))
        for _ in range(150):
            start = rng.randrange(0, length - 10)
            store.annotations.create(summary.id, start, start + 5, [rng.choice(TAGS)], "")
    store.close()


def first_paint(target: str) -> float:
    result = subprocess.run(
        [sys.executable, "-c", FIRST_PAINT, target], check=True, capture_output=True, text=True,
        cwd=ROOT,
    )  # fmt: skip
    return float(result.stdout.strip().splitlines()[-1])


async def live_delays(target: str, times: int = 10) -> list[float]:
    """Seconds from another coder's commit to its annotation in the open app's list."""
    import asyncio

    import reader.ui.screens.main as main_screen
    from reader.core.store import Store
    from reader.ui.app import make_app

    main_screen.POLL_SECONDS = 3600.0  # only the notification can tell the app
    delays: list[float] = []
    store = Store(target)
    app = make_app(store)
    other = Store(target)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        screen = app.screen
        document = screen.document.id
        for attempt in range(times):
            tag = f"实时{attempt}"
            committed = time.perf_counter()
            other.annotations.create(document, 40 + attempt, 46 + attempt, [tag], "")
            while not any(t.name == tag for a in screen.annotations for t in a.tags):
                await asyncio.sleep(0.005)
                if time.perf_counter() - committed > 10:
                    break
            delays.append(time.perf_counter() - committed)
            await pilot.pause(0.2)
    other.close()
    store.close()
    return delays


def app_figures(cluster: object, rounds: int) -> None:
    import asyncio

    with tempfile.TemporaryDirectory() as folder:
        sqlite_target = str(Path(folder) / "paint.db")
        pg_target = fresh_project(cluster, "paint")
        library(sqlite_target)
        library(pg_target)
        paints: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
        for attempt in range(rounds + 1):  # alternate; the first (cold) pass is dropped
            for name, target in (("sqlite", sqlite_target), ("postgresql", pg_target)):
                figure = first_paint(target)
                if attempt:
                    paints[name].append(figure)
        on_sqlite = statistics.median(paints["sqlite"])
        on_pg = statistics.median(paints["postgresql"])
        print(
            f"first paint: SQLite {on_sqlite * 1000:.0f} ms, PostgreSQL {on_pg * 1000:.0f} ms,"
            f" ratio {on_pg / on_sqlite:.2f} (target <= 1.5)"
        )
        delays = asyncio.run(live_delays(pg_target))
        print(
            f"live update in an open app: median {statistics.median(delays) * 1000:.0f} ms,"
            f" worst {max(delays) * 1000:.0f} ms (target <= 1000 ms)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--coders", type=int, default=10)
    parser.add_argument("--actions", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5, help="first paints of each backend")
    parser.add_argument("--only-app", action="store_true", help="only the app's figures")
    parser.add_argument("--only-kills", action="store_true", help="only the SIGKILL test")
    parser.add_argument("--skip-app", action="store_true", help="not the app's figures")
    parser.add_argument("--worker", nargs=3)
    parser.add_argument("--confirm", action="store_true")
    args = parser.parse_args()
    if args.worker:
        target, actions, seed = args.worker
        report = coder(target, int(actions), int(seed), confirm=args.confirm)
        if not args.confirm:
            print(json.dumps(report, ensure_ascii=False))
        return

    from pg_support import server_binaries, start_cluster

    from reader.core.importing import import_seeds
    from reader.core.store import Store

    binaries = server_binaries()
    if binaries is None:
        sys.exit("No PostgreSQL server binaries: make postgres")
    cluster = start_cluster(binaries, durable=True)
    try:
        if args.only_kills:
            kill_test(fresh_project(cluster, "kills"), args.kills)
            return
        if not args.skip_app:
            app_figures(cluster, args.rounds)
        if args.only_app:
            return
        url = fresh_project(cluster, "team")
        for seed in range(args.coders):
            as_coder(url, seed)  # the roles first: not counted as the server's work
        server_before = server_cpu(cluster)
        reports, seconds = run_coders(url, args.coders, args.actions)
        pg_rate = figures(
            f"PostgreSQL, {args.coders} coder processes x {args.actions}",
            reports,
            seconds,
            url,
            server_cpu(cluster) - server_before,
        )
        with tempfile.TemporaryDirectory() as folder:
            path = str(Path(folder) / "team.db")
            store = Store(path)
            import_seeds(store)
            store.close()
            reports, seconds = run_coders(path, 1, args.coders * args.actions)
            sqlite_rate = figures(
                f"SQLite, 1 process x {args.coders * args.actions}", reports, seconds, path
            )
        print(f"throughput PostgreSQL/SQLite: {pg_rate / sqlite_rate:.2f}x")
        if args.kills:
            kill_test(fresh_project(cluster, "kills"), args.kills)
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
