"""Benchmark: starting a big automation in an SQLite workspace (SPEC §4, §5, §9).

Builds a workspace with 200,000 contacts in one tag segment, 20 sender profiles
attached to one branch (plus 4 profiles outside it), 50,000 prior interactions
and 2,000 overrides, and one automation

    Segment → Sender Profile (20) → linkedin_connect → wait 2 → linkedin_message → wait 3 → email

then times ``Workspace.start`` (200,000 enrollments, 600,000 tasks) against a
floor: plain ``sqlite3`` with the same PRAGMAs inserting the very same
enrollment and task rows into a pristine copy of the same file.

    .venv/bin/python tests/bench/bench_enroll.py [--contacts N] [--repeat 3] [--no-profile] [--start-only]

``--start-only`` stops after start and its floor (with start's peak RSS), for
a million contacts. Every measurement runs in its own interpreter (this script re-invokes itself
with ``--phase``), so its peak RSS is its own. Diagnostics follow: start with
the garbage collector off, wall-clock timers around start's parts, a
tracemalloc snapshot at its peak, and cProfile of one start with the collector
on and off (tests/bench/out/enroll_start[_gc_off].prof and .txt). Everything
also lands in tests/bench/out/enroll_results.json.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import pstats
import random
import shutil
import sqlite3
import tempfile
import time
import tracemalloc
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from builder.store.workspace import Workspace

from benchlib import MIB, code_version, emit, fmt_seconds, machine, median, peak_rss_mib, rss_now_mib, run_phase

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
TODAY = date(2025, 3, 3)
PROFILES = 20
OUTSIDE_PROFILES = 4
INTERACTIONS = 50_000
OVERRIDES = 2_000
CONTACT_BATCH = 50_000
SEGMENT_TAG = "bench"
INDUSTRIES = ("fintech", "saas", "retail", "health", "logistics")
TARGET_RATIO = 2.0
PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON")


# -- building the workspace (phase "build") ------------------------------------------------


def set_overrides(
    ws: Workspace, rng: random.Random, contact_ids: list[int], attached: list[int], outside: list[int]
) -> None:
    """Overrides: mostly to attached profiles, one in ten to a profile outside the branch (R1 warning)."""
    by_profile: dict[int, list[int]] = {}
    for contact in rng.sample(contact_ids, min(OVERRIDES, len(contact_ids))):
        profile = rng.choice(outside) if rng.random() < 0.1 else rng.choice(attached)
        by_profile.setdefault(profile, []).append(contact)
    for profile, chosen in sorted(by_profile.items()):
        ws.set_override(chosen, profile)


def interaction_rows(
    rng: random.Random, contact_ids: list[int], attached: list[int], outside: list[int]
) -> list[tuple[int, int, int]]:
    """(contact, sender profile, day) of INTERACTIONS prior interactions, one in five with a profile outside the
    branch (R2 must skip those), each within the last year."""
    today = TODAY.toordinal()
    return [
        (
            rng.choice(contact_ids),
            rng.choice(outside) if rng.random() < 0.2 else rng.choice(attached),
            today - rng.randint(1, 365),
        )
        for _ in range(INTERACTIONS)
    ]


def build_automation(ws: Workspace, segment: int, attached: list[int]) -> int:
    """Segment → Sender Profile (``attached``) → connect, 2 days, message, 3 days, email; ready to start."""
    automation = ws.create_automation("Bench outreach")
    chain = [
        ws.add_node(automation, "segment", segment_id=segment),
        profile_node := ws.add_node(automation, "sender_profile"),
        ws.add_node(automation, "linkedin_connect"),
        ws.add_node(automation, "wait", wait_days=2),
        ws.add_node(automation, "linkedin_message"),
        ws.add_node(automation, "wait", wait_days=3),
        ws.add_node(automation, "email"),
    ]
    for source, target in pairwise(chain):
        ws.connect(source, target)
    for profile in attached:
        ws.attach_sender_profile(profile_node, profile)
    problems = [p for p in ws.problems(automation) if p.blocking]  # a message not written yet does not block
    if problems:
        raise SystemExit(f"the bench automation cannot start: {problems}")
    return automation


def build_workspace(db: Path, contacts: int, seed: int) -> dict[str, Any]:
    """Build the workspace through Workspace's own bulk methods; interactions go in with sqlite3.

    The workspace has no bulk method for interaction history (only
    ``record_interaction``, one transaction each), so those 50,000 rows are
    inserted with one executemany after ``Workspace.open`` made the schema.
    """
    from builder.store.workspace import Workspace

    rng = random.Random(seed)
    timings: dict[str, float] = {}
    began = time.perf_counter()
    with Workspace.open(db, today=TODAY) as ws:
        attached = [
            ws.create_sender_profile(f"Sender {i + 1:02d}", daily_limit=40 + (80 * i) // (PROFILES - 1))
            for i in range(PROFILES)
        ]
        outside = [ws.create_sender_profile(f"Outside {i + 1}", daily_limit=50) for i in range(OUTSIDE_PROFILES)]
        segment = ws.create_segment("Bench segment", tags_any=[SEGMENT_TAG])

        t = time.perf_counter()
        contact_ids: list[int] = []
        for first in range(0, contacts, CONTACT_BATCH):
            batch = [
                {
                    "name": f"Contact {i}",
                    "email": f"contact{i}@example.test",
                    "company": f"Company {i % 997}",
                    "title": "CTO" if i % 3 else "VP Engineering",
                    "linkedin_url": f"https://www.linkedin.com/in/contact-{i}",
                    "tags": [SEGMENT_TAG, INDUSTRIES[i % len(INDUSTRIES)]],
                }
                for i in range(first, min(first + CONTACT_BATCH, contacts))
            ]
            contact_ids += ws.add_contacts(batch)
        timings["add_contacts_s"] = time.perf_counter() - t

        t = time.perf_counter()
        set_overrides(ws, rng, contact_ids, attached, outside)
        timings["set_override_s"] = time.perf_counter() - t

        t = time.perf_counter()
        automation = build_automation(ws, segment, attached)
        timings["automation_s"] = time.perf_counter() - t

    # Interactions: one in five with a profile outside the branch (R2 must skip those).
    t = time.perf_counter()
    rows = interaction_rows(rng, contact_ids, attached, outside)
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        for pragma in PRAGMAS:
            conn.execute(pragma)
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO interaction (contact_id, sender_profile_id, day) VALUES (?, ?, ?)", rows)
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    timings["interactions_s"] = time.perf_counter() - t
    timings["total_s"] = time.perf_counter() - began
    return {"automation_id": automation, "contacts": len(contact_ids), "timings": timings}


# -- the measurement (phase "start") ----------------------------------------------------------


def count_rows(db: Path) -> dict[str, Any]:
    conn = sqlite3.connect(db)
    try:
        return {
            "enrollments": conn.execute("SELECT count(*) FROM enrollment").fetchone()[0],
            "tasks": conn.execute("SELECT count(*) FROM task").fetchone()[0],
            "reasons": dict(conn.execute("SELECT coalesce(reason, 'none'), count(*) FROM enrollment GROUP BY 1")),
            "ignored_overrides": conn.execute(
                "SELECT count(*) FROM enrollment WHERE ignored_override_id IS NOT NULL"
            ).fetchone()[0],
        }
    finally:
        conn.close()


def measure_start(db: Path, automation_id: int, trace: bool, gc_off: bool = False) -> dict[str, Any]:
    """Time ``Workspace.start`` alone: the workspace is opened before the clock starts.

    ``gc_off`` is a diagnostic: the same call with Python's cyclic garbage
    collector disabled, to show how much of the time the collector takes.
    """
    from builder.store.workspace import Workspace

    ws = Workspace.open(db, today=TODAY)
    baseline = rss_now_mib()
    if trace:
        tracemalloc.start()
    if gc_off:
        gc.disable()
    began = time.perf_counter()
    enrolled = ws.start(automation_id)
    seconds = time.perf_counter() - began
    gc.enable()
    traced_peak = tracemalloc.get_traced_memory()[1] / MIB if trace else None
    tracemalloc.stop()
    ws.close()
    return {
        "seconds": seconds,
        "enrolled": enrolled,
        "rss_before_mib": baseline,
        "traced_peak_mib": traced_peak,
        **peak_rss_mib(),
        **count_rows(db),
    }


def profile_start(db: Path, automation_id: int, gc_off: bool) -> dict[str, Any]:
    """One ``Workspace.start`` under cProfile, saved to out/enroll_start[_gc_off].prof and .txt.

    With the collector on, its pauses are billed to whichever function was
    allocating; the ``gc_off`` profile shows the work alone.
    """
    from builder.store.workspace import Workspace

    ws = Workspace.open(db, today=TODAY)
    profiler = cProfile.Profile()
    if gc_off:
        gc.disable()
    began = time.perf_counter()
    profiler.enable()
    ws.start(automation_id)
    profiler.disable()
    seconds = time.perf_counter() - began
    gc.enable()
    ws.close()
    OUT.mkdir(exist_ok=True)
    name = "enroll_start_gc_off" if gc_off else "enroll_start"
    profiler.dump_stats(OUT / f"{name}.prof")
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)
    (OUT / f"{name}.txt").write_text(text.getvalue())
    return {"seconds_under_profile": seconds, "gc_off": gc_off, "top": top_functions(stats, 15)}


def memory_at_peak(db: Path, automation_id: int) -> dict[str, Any]:
    """Where start's memory is when it peaks: a tracemalloc snapshot as the task rows go in.

    A diagnostic only: it wraps ``builder.store.running.bulk_insert`` in this
    process to take the snapshot just before the task insert, when every row
    and every engine object is alive. Reports nothing if that name moved.
    """
    import builder.store.running as running
    from builder.store.workspace import Workspace

    ws = Workspace.open(db, today=TODAY)
    snapshots: list[tracemalloc.Snapshot] = []
    insert = running.bulk_insert

    def spy(conn: Any, table: Any, columns: Any, rows: Any) -> None:
        if table.name == "task" and not snapshots:
            snapshots.append(tracemalloc.take_snapshot())
        insert(conn, table, columns, rows)

    running.bulk_insert = spy  # type: ignore[assignment]
    tracemalloc.start()
    ws.start(automation_id)
    peak = tracemalloc.get_traced_memory()[1] / MIB
    tracemalloc.stop()
    ws.close()
    lines = []
    if snapshots:
        for stat in snapshots[0].statistics("lineno")[:12]:
            frame = stat.traceback[0]
            lines.append(
                {"where": f"{Path(frame.filename).name}:{frame.lineno}", "mib": stat.size / MIB, "blocks": stat.count}
            )
    return {"traced_peak_mib": peak, "at_task_insert": lines}


def top_functions(stats: pstats.Stats, count: int) -> list[dict[str, Any]]:
    """The ``count`` functions with the most cumulative time, with their own time."""
    entries = stats.stats  # type: ignore[attr-defined]
    total = max(ct for _, _, _, ct, _ in entries.values())
    ranked = sorted(entries.items(), key=lambda item: item[1][3], reverse=True)[:count]
    return [
        {
            "function": f"{Path(file).name}:{line}({name})",
            "calls": nc,
            "tottime_s": round(tt, 3),
            "cumtime_s": round(ct, 3),
            "cum_pct": round(100 * ct / total, 1),
        }
        for (file, line, name), (_, nc, tt, ct, _) in ranked
    ]


def breakdown(db: Path, automation_id: int, gc_off: bool) -> dict[str, Any]:
    """Wall-clock seconds of start's parts, without a profiler's per-call overhead.

    A diagnostic only: it wraps the names ``builder.store.running`` calls
    (loading, engine, bulk insert) and ``RunningMixin._enroll`` in this process
    with timers; each is called a handful of times, so the timers cost nothing.
    Parts that moved or were renamed are simply not reported.
    """
    import builder.store.running as running
    from builder.store.workspace import Workspace

    spent: dict[str, float] = {}

    def timed(label: Any, func: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                key = label(*args) if callable(label) else label
                spent[key] = spent.get(key, 0.0) + time.perf_counter() - began

        return wrapper

    for name in ("load_contacts_with_tags", "load_facts", "load_branches", "enroll_contacts", "save_roster"):
        if hasattr(running, name):
            setattr(running, name, timed(name, getattr(running, name)))
    if hasattr(running, "bulk_insert"):
        running.bulk_insert = timed(lambda _c, table, *_: f"bulk_insert {table.name}", running.bulk_insert)
    enroll = running.RunningMixin._enroll
    running.RunningMixin._enroll = timed("_enroll", enroll)  # type: ignore[method-assign]

    ws = Workspace.open(db, today=TODAY)
    if gc_off:
        gc.disable()
    collections_before = sum(s["collections"] for s in gc.get_stats())
    began = time.perf_counter()
    ws.start(automation_id)
    total = time.perf_counter() - began
    collections = sum(s["collections"] for s in gc.get_stats()) - collections_before
    gc.enable()
    ws.close()
    inside_enroll = sum(
        v
        for k, v in spent.items()
        if k in {"load_branches", "enroll_contacts", "save_roster"} or k.startswith("bulk_insert")
    )
    parts = dict(spent)
    if "_enroll" in parts:
        parts["_enroll: building rows, other queries"] = parts.pop("_enroll") - inside_enroll
    parts["start: rest (validate, BEGIN, UPDATE, COMMIT)"] = total - sum(parts.values())
    return {"gc_off": gc_off, "total_s": total, "gc_collections": collections, "parts_s": parts}


# -- the floor (phase "floor") -----------------------------------------------------------------


def measure_floor(fresh: Path, started: Path, trace: bool) -> dict[str, Any]:
    """Insert the started workspace's enrollment and task rows into a pristine copy, plain sqlite3.

    Only the two executemany calls and the commit are timed. The rows are read
    out first, so the peak memory includes holding them (as start must too).
    """
    baseline = rss_now_mib()
    if trace:
        tracemalloc.start()
    source = sqlite3.connect(started)
    try:
        tables = {}
        for name in ("enrollment", "task"):
            columns = [row[1] for row in source.execute(f"PRAGMA table_info({name})")]
            rows = source.execute(f"SELECT {', '.join(columns)} FROM {name} ORDER BY id").fetchall()
            tables[name] = (columns, rows)
    finally:
        source.close()
    rows_peak = tracemalloc.get_traced_memory()[1] / MIB if trace else None

    conn = sqlite3.connect(fresh, isolation_level=None)
    for pragma in PRAGMAS:
        conn.execute(pragma)
    began = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for name, (columns, rows) in tables.items():
        marks = ", ".join("?" * len(columns))
        conn.executemany(f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})", rows)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - began
    conn.close()
    traced_peak = tracemalloc.get_traced_memory()[1] / MIB if trace else None
    tracemalloc.stop()
    return {
        "seconds": seconds,
        "rss_before_mib": baseline,
        "traced_rows_mib": rows_peak,
        "traced_peak_mib": traced_peak,
        **peak_rss_mib(),
        **count_rows(fresh),
    }


# -- the run ------------------------------------------------------------------------------------


def checkpoint(db: Path) -> None:
    """Fold the WAL into the file so that copying the file copies the whole workspace."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    wal = db.with_name(db.name + "-wal")
    if wal.exists() and wal.stat().st_size:
        raise SystemExit(f"{wal} is not empty after a checkpoint; the copies would not be faithful")


def fresh_copy(pristine: Path, name: str) -> Path:
    target = pristine.with_name(name)
    shutil.copyfile(pristine, target)
    return target


def remove_db(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)


def check(result: dict[str, Any], contacts: int, what: str) -> None:
    if result["enrollments"] != contacts or result["tasks"] != 3 * contacts:
        raise SystemExit(
            f"{what}: {result['enrollments']:,} enrollments and {result['tasks']:,} tasks; "
            f"expected {contacts:,} and {3 * contacts:,}"
        )


def mib(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} MiB"


def start_args(db: Path, automation: str, *flags: str) -> list[str]:
    return ["--phase", "start", "--db", str(db), "--automation", automation, *flags]


def main_run(args: argparse.Namespace) -> None:
    script = Path(__file__).resolve()
    workdir = Path(tempfile.mkdtemp(prefix="bench-enroll-", dir=args.tmp))
    pristine = workdir / "pristine.sqlite"
    try:
        code = code_version()
        print(f"machine: {machine()}; code: {code}")
        print(f"building a workspace of {args.contacts:,} contacts in {pristine} …", flush=True)
        built = run_phase(
            script, ["--phase", "build", "--db", str(pristine), "--contacts", str(args.contacts), "--seed", "7"]
        )
        checkpoint(pristine)
        automation = str(built["automation_id"])
        print(
            f"  built in {built['timings']['total_s']:.1f} s: "
            + ", ".join(f"{k} {v:.2f} s" for k, v in built["timings"].items() if k != "total_s")
        )
        print(f"  file size {pristine.stat().st_size / MIB:,.0f} MiB", flush=True)

        starts: list[dict[str, Any]] = []
        floors: list[dict[str, Any]] = []
        gc_offs: list[dict[str, Any]] = []
        for run in range(args.repeat):
            started = fresh_copy(pristine, f"start{run}.sqlite")
            result = run_phase(script, start_args(started, automation))
            check(result, args.contacts, "Workspace.start")
            starts.append(result)
            floor_db = fresh_copy(pristine, f"floor{run}.sqlite")
            floor = run_phase(script, ["--phase", "floor", "--db", str(floor_db), "--source", str(started)])
            check(floor, args.contacts, "floor")
            floors.append(floor)
            print(
                f"  run {run + 1}: start {result['seconds']:.2f} s (peak RSS {mib(result['vmhwm_mib'])}), "
                f"floor {floor['seconds']:.2f} s (peak RSS {mib(floor['vmhwm_mib'])})",
                flush=True,
            )
            for db in (floor_db,) if run == 0 else (floor_db, started):
                remove_db(db)
            if args.start_only:
                continue
            gc_db = fresh_copy(pristine, f"gc_off{run}.sqlite")
            gc_off = run_phase(script, start_args(gc_db, automation, "--gc-off"))
            check(gc_off, args.contacts, "Workspace.start, collector off")
            gc_offs.append(gc_off)
            print(f"         start with the collector off {gc_off['seconds']:.2f} s", flush=True)
            remove_db(gc_db)
        if args.start_only:
            report_start_only(args, code, built, starts, floors)
            return

        # Python allocation peaks come from separate runs: tracemalloc slows the code it watches.
        traced_start = run_phase(script, start_args(fresh_copy(pristine, "trace.sqlite"), automation, "--trace"))
        traced_floor = run_phase(
            script,
            [
                "--phase",
                "floor",
                "--db",
                str(fresh_copy(pristine, "trace_floor.sqlite")),
                "--source",
                str(workdir / "start0.sqlite"),
                "--trace",
            ],
        )
        memory = run_phase(
            script,
            ["--phase", "memory", "--db", str(fresh_copy(pristine, "memory.sqlite")), "--automation", automation],
        )
        breakdowns = [
            run_phase(
                script,
                [
                    "--phase",
                    "breakdown",
                    "--db",
                    str(fresh_copy(pristine, f"parts{i}.sqlite")),
                    "--automation",
                    automation,
                    *flags,
                ],
            )
            for i, flags in enumerate(([], ["--gc-off"]))
        ]
        profiles = []
        if args.profile:
            for flags in ([], ["--gc-off"]):
                profiles.append(
                    run_phase(
                        script,
                        [
                            "--phase",
                            "profile",
                            "--db",
                            str(fresh_copy(pristine, f"profile{len(profiles)}.sqlite")),
                            "--automation",
                            automation,
                            *flags,
                        ],
                    )
                )

        start_s = [r["seconds"] for r in starts]
        floor_s = [r["seconds"] for r in floors]
        gc_off_s = [r["seconds"] for r in gc_offs]
        ratio = median(start_s) / median(floor_s)
        print()
        print(f"Workspace.start  {fmt_seconds(start_s)}")
        print(f"floor (sqlite3)  {fmt_seconds(floor_s)}")
        verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
        print(f"ratio            {ratio:.2f}×  (target ≤ {TARGET_RATIO:.0f}×: {verdict})")
        print(
            f"diagnostic       start with gc disabled {fmt_seconds(gc_off_s)}, "
            f"{median(gc_off_s) / median(floor_s):.2f}× the floor"
        )
        print(f"rows             {starts[0]['enrollments']:,} enrollments, {starts[0]['tasks']:,} tasks (checked)")
        print(f"reasons          {starts[0]['reasons']}, ignored overrides {starts[0]['ignored_overrides']:,}")
        print(
            f"peak RSS         start {mib(median([r['vmhwm_mib'] for r in starts]))} "
            f"(ru_maxrss {mib(median([r['ru_maxrss_mib'] for r in starts]))}, "
            f"{mib(starts[0]['rss_before_mib'])} before start); "
            f"floor {mib(median([r['vmhwm_mib'] for r in floors]))} "
            f"(ru_maxrss {mib(median([r['ru_maxrss_mib'] for r in floors]))}, "
            f"{mib(floors[0]['rss_before_mib'])} before reading the rows)"
        )
        print(
            f"tracemalloc peak start {mib(traced_start['traced_peak_mib'])} "
            f"(run took {traced_start['seconds']:.2f} s traced); "
            f"floor {mib(traced_floor['traced_peak_mib'])} of which rows {mib(traced_floor['traced_rows_mib'])}"
        )
        print("\nstart's live Python memory just before the task insert, by line (tracemalloc):")
        for entry in memory["at_task_insert"]:
            print(f"  {entry['mib']:7.1f} MiB  {entry['blocks']:>9,} blocks  {entry['where']}")
        print("\nwhere start's wall-clock time goes (timers around its parts, one run each):")
        names = list(dict.fromkeys(k for b in breakdowns for k in b["parts_s"]))
        print(f"  {'part':<48} {'collector on':>14} {'collector off':>14}")
        for name in names:
            cells = [b["parts_s"].get(name) for b in breakdowns]
            shown = [
                f"{c:6.2f} s {100 * c / b['total_s']:4.0f}%" if c is not None else "—"
                for c, b in zip(cells, breakdowns, strict=True)
            ]
            print(f"  {name:<48} {shown[0]:>14} {shown[1]:>14}")
        print(f"  {'total':<48} {breakdowns[0]['total_s']:8.2f} s      {breakdowns[1]['total_s']:8.2f} s")
        print(
            f"  {'gc collections during start':<48} {breakdowns[0]['gc_collections']:>14,} "
            f"{breakdowns[1]['gc_collections']:>14,}"
        )
        for profile in profiles:
            collector = "off" if profile["gc_off"] else "on"
            print(
                f"\ncProfile of one start, collector {collector} ({profile['seconds_under_profile']:.2f} s under "
                "the profiler), top 15 by cumulative time:"
            )
            for entry in profile["top"]:
                print(
                    f"  {entry['cum_pct']:5.1f}%  cum {entry['cumtime_s']:7.3f} s  own {entry['tottime_s']:7.3f} s  "
                    f"{entry['calls']:>9,}  {entry['function']}"
                )
        if code_version() != code:
            print(f"\nWARNING: the code changed during the run (now {code_version()}); measure again")
        OUT.mkdir(exist_ok=True)
        (OUT / "enroll_results.json").write_text(
            json.dumps(
                {
                    "machine": machine(),
                    "code": code,
                    "contacts": args.contacts,
                    "build": built,
                    "start": starts,
                    "floor": floors,
                    "start_gc_off": gc_offs,
                    "ratio": ratio,
                    "traced_start": traced_start,
                    "traced_floor": traced_floor,
                    "memory_at_task_insert": memory,
                    "breakdown": breakdowns,
                    "profiles": profiles,
                },
                indent=1,
            )
        )
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def report_start_only(
    args: argparse.Namespace,
    code: str,
    built: dict[str, Any],
    starts: list[dict[str, Any]],
    floors: list[dict[str, Any]],
) -> None:
    """``--start-only``: start against its floor and start's peak memory, without the diagnostic runs."""
    start_s = [r["seconds"] for r in starts]
    floor_s = [r["seconds"] for r in floors]
    ratio = median(start_s) / median(floor_s)
    print(f"\nWorkspace.start  {fmt_seconds(start_s)}")
    print(f"floor (sqlite3)  {fmt_seconds(floor_s)}")
    print(
        f"ratio            {ratio:.2f}×  (target ≤ {TARGET_RATIO:.0f}×: {'met' if ratio <= TARGET_RATIO else 'MISSED'})"
    )
    print(f"rows             {starts[0]['enrollments']:,} enrollments, {starts[0]['tasks']:,} tasks (checked)")
    print(
        f"peak RSS         start {mib(median([r['vmhwm_mib'] for r in starts]))} "
        f"(ru_maxrss {mib(median([r['ru_maxrss_mib'] for r in starts]))}, "
        f"{mib(starts[0]['rss_before_mib'])} before start); floor {mib(median([r['vmhwm_mib'] for r in floors]))}"
    )
    if code_version() != code:
        print(f"\nWARNING: the code changed during the run (now {code_version()}); measure again")
    OUT.mkdir(exist_ok=True)
    (OUT / "enroll_start_only.json").write_text(
        json.dumps(
            {"machine": machine(), "code": code, "contacts": args.contacts, "build": built, "start": starts,
             "floor": floors, "ratio": ratio},
            indent=1,
        )
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of start and of the floor (median)")
    parser.add_argument("--no-profile", dest="profile", action="store_false", help="skip the cProfile run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary workspace files")
    parser.add_argument("--tmp", default=None, help="where to put the temporary files (default: the system's)")
    parser.add_argument(
        "--start-only",
        action="store_true",
        help="time start against its floor and report its peak memory, without the diagnostic runs",
    )
    # Internal: one measurement in this interpreter.
    parser.add_argument(
        "--phase", choices=("build", "start", "floor", "profile", "memory", "breakdown"), help=argparse.SUPPRESS
    )
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--source", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--automation", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=7, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--gc-off", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase == "build":
        emit(build_workspace(args.db, args.contacts, args.seed))
    elif args.phase == "start":
        emit(measure_start(args.db, args.automation, args.trace, args.gc_off))
    elif args.phase == "floor":
        emit(measure_floor(args.db, args.source, args.trace))
    elif args.phase == "profile":
        emit(profile_start(args.db, args.automation, args.gc_off))
    elif args.phase == "breakdown":
        emit(breakdown(args.db, args.automation, args.gc_off))
    elif args.phase == "memory":
        emit(memory_at_peak(args.db, args.automation))
    else:
        main_run(args)


if __name__ == "__main__":
    main()
