"""Benchmark: bulk writes of a big workspace on PostgreSQL against the COPY floor (issue 16, SPEC §9).

Starts its own PostgreSQL (initdb into a temporary folder as the ``postgres``
user, ``pg_ctl`` on 127.0.0.1 and a free port, as .ci/run does; default
settings), then, in a database of its own:

- builds the bench_enroll.py workspace (its builders: 24 sender profiles,
  contacts in batches of 50,000 through ``Workspace.add_contacts``, overrides,
  the seven-step automation, 50,000 prior interactions) and times
  ``add_contacts``;
- times ``Workspace.start`` on a copy of that database (``CREATE DATABASE …
  TEMPLATE``): N enrollments, 3N tasks; each start runs in a fresh interpreter
  (``--phase start``), which reports its peak RSS (VmHWM; target: under
  600 MiB at a million contacts);
- measures the floor of each: the very same rows, read out with ``COPY … TO
  STDOUT``, written with ``COPY … FROM STDIN`` into copies of the tables
  (``LIKE … INCLUDING ALL``: indexes kept) in the same database, then the
  tables' foreign keys added in one pass, one transaction.

    .venv/bin/python tests/bench/bench_pg.py [--contacts 200000] [--repeat 3] [--pg-bin DIR]

Must run as root (or as a user that can ``su postgres``). The server is
stopped and its folder removed at the end. Results: tests/bench/out/pg_results.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from glob import glob
from pathlib import Path
from typing import Any

from bench_enroll import (
    CONTACT_BATCH,
    INDUSTRIES,
    OUTSIDE_PROFILES,
    PROFILES,
    SEGMENT_TAG,
    TODAY,
    build_automation,
    interaction_rows,
    set_overrides,
)
from benchlib import code_version, emit, machine, median, peak_rss_mib, rss_now_mib, run_phase

from builder.store.migrations import ENROLLMENT_KEYS, TASK_KEYS

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
TARGET_RATIO = 1.5
MEMORY_TARGET_MIB = 600
# contact_tag's keys, should a schema check them with triggers too (as 10 and 11 do for task and enrollment).
CONTACT_TAG_KEYS = (("contact_id", "contact"), ("tag_id", "tag"))


# -- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def postgres_server(pg_bin: Path) -> Iterator[str]:
    """A throwaway PostgreSQL on 127.0.0.1; yields the admin URL (database ``postgres``)."""
    data = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    shutil.chown(data, "postgres", "postgres")
    data.chmod(0o700)
    port = free_port()
    as_postgres = ["su", "postgres", "-c"]
    subprocess.run([*as_postgres, f"{pg_bin}/initdb -D {data} -A trust"], check=True, capture_output=True)
    subprocess.run(
        [
            *as_postgres,
            f"{pg_bin}/pg_ctl -D {data} -o '-p {port} -k /tmp -c listen_addresses=127.0.0.1' "
            f"-l {data}/server.log -w start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_postgres, f"{pg_bin}/pg_ctl -D {data} -m fast stop"], check=False, capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


def libpq(url: str, database: str | None = None) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return f"host={parsed.host} port={parsed.port} user={parsed.username} dbname={database or parsed.database}"


def with_database(url: str, database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=database).render_as_string(hide_password=False)


def admin(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(libpq(url), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


# -- building the workspace -------------------------------------------------------------------------


def contact_batch(first: int, last: int) -> list[dict[str, Any]]:
    """bench_enroll.py's contacts, the same fields and tags."""
    return [
        {
            "name": f"Contact {i}",
            "email": f"contact{i}@example.test",
            "company": f"Company {i % 997}",
            "title": "CTO" if i % 3 else "VP Engineering",
            "linkedin_url": f"https://www.linkedin.com/in/contact-{i}",
            "tags": [SEGMENT_TAG, INDUSTRIES[i % len(INDUSTRIES)]],
        }
        for i in range(first, last)
    ]


def build_workspace(url: str, contacts: int, seed: int) -> dict[str, Any]:
    """bench_enroll.py's workspace, on PostgreSQL; ``add_contacts`` timed (its batches only)."""
    import psycopg

    from builder.store.workspace import Workspace

    rng = random.Random(seed)
    with Workspace.open(url, today=TODAY) as ws:
        attached = [
            ws.create_sender_profile(f"Sender {i + 1:02d}", daily_limit=40 + (80 * i) // (PROFILES - 1))
            for i in range(PROFILES)
        ]
        outside = [ws.create_sender_profile(f"Outside {i + 1}", daily_limit=50) for i in range(OUTSIDE_PROFILES)]
        segment = ws.create_segment("Bench segment", tags_any=[SEGMENT_TAG])
        contact_ids: list[int] = []
        add_s = 0.0
        for first in range(0, contacts, CONTACT_BATCH):
            batch = contact_batch(first, min(first + CONTACT_BATCH, contacts))
            began = time.perf_counter()
            contact_ids += ws.add_contacts(batch)
            add_s += time.perf_counter() - began
        set_overrides(ws, rng, contact_ids, attached, outside)
        automation = build_automation(ws, segment, attached)
    rows = interaction_rows(rng, contact_ids, attached, outside)
    with psycopg.connect(libpq(url)) as conn, conn.cursor() as cursor:
        with cursor.copy("COPY interaction (contact_id, sender_profile_id, day) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute("SELECT setval(pg_get_serial_sequence('interaction', 'id'), (SELECT max(id) FROM interaction))")
        cursor.execute("ANALYZE")
    return {"automation_id": automation, "contacts": len(contact_ids), "add_contacts_s": add_s}


# -- measurements ---------------------------------------------------------------------------------


def measure_start(url: str, automation_id: int) -> dict[str, Any]:
    """``Workspace.start`` in this interpreter (a fresh one: ``--phase start``), so its peak RSS is start's own."""
    from builder.store.workspace import Workspace

    with Workspace.open(url, today=TODAY) as ws:
        before = rss_now_mib()
        began = time.perf_counter()
        enrolled = ws.start(automation_id)
        seconds = time.perf_counter() - began
    if enrolled <= 0:
        raise SystemExit("start enrolled nobody")
    return {"seconds": seconds, "enrolled": enrolled, "rss_before_mib": before, **peak_rss_mib()}


def measure_floor(url: str, tables: Sequence[str]) -> dict[str, Any]:
    """COPY ``tables``' rows into indexed copies of them in the same database, keys added after.

    The copies are ``LIKE … INCLUDING ALL`` (columns, defaults, indexes, no
    foreign keys); a key between two copied tables points at the copy. Timed:
    the COPYs, one ``ALTER TABLE … ADD`` per key, and the commit.
    """
    import psycopg

    data: dict[str, tuple[str, bytes]] = {}
    with psycopg.connect(libpq(url)) as source, source.cursor() as cursor:
        for name in tables:
            cursor.execute(
                "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
                "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                (name,),
            )
            columns = cursor.fetchone()[0]  # type: ignore[index]
            chunks = bytearray()
            with cursor.copy(f"COPY (SELECT {columns} FROM {name} ORDER BY 1) TO STDOUT") as copy:
                for chunk in copy:
                    chunks += chunk
            data[name] = (columns, bytes(chunks))
    with psycopg.connect(libpq(url)) as conn, conn.cursor() as cursor:
        keys: list[tuple[str, str]] = []
        for name in tables:
            cursor.execute(f"CREATE TABLE floor_{name} (LIKE {name} INCLUDING ALL)")
            cursor.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
                (name,),
            )
            definitions = [row[0] for row in cursor.fetchall()]
            # Where a schema checks a table's keys with triggers (10: task, 11: enrollment), the floor keeps keys.
            by_triggers = {"task": TASK_KEYS, "enrollment": ENROLLMENT_KEYS, "contact_tag": CONTACT_TAG_KEYS}
            if not definitions:
                definitions = [
                    f"FOREIGN KEY ({column}) REFERENCES {parent}(id)" for column, parent in by_triggers.get(name, ())
                ]
            for definition in definitions:
                for other in tables:
                    definition = definition.replace(f"REFERENCES {other}(", f"REFERENCES floor_{other}(")
                keys.append((f"floor_{name}", definition))
        conn.commit()
        rows = sum(chunk.count(b"\n") for _, chunk in data.values())
        began = time.perf_counter()
        for name, (columns, chunk) in data.items():
            with cursor.copy(f"COPY floor_{name} ({columns}) FROM STDIN") as copy:
                copy.write(chunk)
        copied = time.perf_counter() - began
        for target, definition in keys:
            cursor.execute(f"ALTER TABLE {target} ADD {definition}")
        conn.commit()
        seconds = time.perf_counter() - began
        for name in reversed(tables):
            cursor.execute(f"DROP TABLE floor_{name}")
        conn.commit()
    return {"seconds": seconds, "copy_s": copied, "keys_s": seconds - copied, "keys": len(keys), "rows": rows}


def counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(libpq(url)) as conn:
        return {
            name: conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]  # type: ignore[index]
            for name in ("contact", "contact_tag", "enrollment", "task")
        }


def line(what: str, seconds: Sequence[float], floor: Sequence[float]) -> dict[str, Any]:
    ratio = median(seconds) / median(floor)
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    shown = ", ".join(f"{s:.2f}" for s in seconds)
    floor_shown = ", ".join(f"{s:.2f}" for s in floor)
    print(
        f"{what:<16} {median(seconds):7.2f} s ({shown}); floor {median(floor):6.2f} s ({floor_shown}); "
        f"{ratio:.2f}× (target ≤ {TARGET_RATIO}×: {verdict})",
        flush=True,
    )
    return {"seconds": list(seconds), "floor": list(floor), "ratio": ratio}


def run(args: argparse.Namespace) -> None:
    code = code_version()
    print(f"machine: {machine()}; code: {code}")
    results: dict[str, Any] = {"machine": machine(), "code": code, "contacts": args.contacts}
    with postgres_server(args.pg_bin) as server:
        print(f"PostgreSQL on {server.rsplit('@', 1)[1]}; building {args.contacts:,} contacts …", flush=True)
        add_s: list[float] = []
        add_floor: list[float] = []
        pristine = ""
        for attempt in range(args.repeat):
            name = f"built{attempt}"
            admin(server, f"CREATE DATABASE {name}")
            url = with_database(server, name)
            built = build_workspace(url, args.contacts, seed=7)
            add_s.append(built["add_contacts_s"])
            add_floor.append(measure_floor(url, ["contact", "contact_tag"])["seconds"])
            if attempt == 0:
                pristine, automation = name, built["automation_id"]
                results["counts_built"] = counts(url)
            else:
                admin(server, f"DROP DATABASE {name}")
        results["add_contacts"] = line("add_contacts", add_s, add_floor)

        start_s: list[float] = []
        start_floor: list[float] = []
        peaks: list[float] = []
        for attempt in range(args.repeat):
            started = f"started{attempt}"
            admin(server, f"CREATE DATABASE {started} TEMPLATE {pristine}")
            started_url = with_database(server, started)
            measured = run_phase(
                Path(__file__).resolve(), ["--phase", "start", "--url", started_url, "--automation", str(automation)]
            )
            start_s.append(measured["seconds"])
            peaks.append(measured["vmhwm_mib"])
            if attempt == 0:
                results["counts_started"] = counts(started_url)
            floor = measure_floor(started_url, ["enrollment", "task"])
            start_floor.append(floor["seconds"])
            print(
                f"  run {attempt + 1}: start {start_s[-1]:.2f} s (peak RSS {peaks[-1]:,.0f} MiB, "
                f"{measured['rss_before_mib']:,.0f} MiB before); floor {floor['seconds']:.2f} s "
                f"(COPY {floor['copy_s']:.2f} s, {floor['keys']} keys {floor['keys_s']:.2f} s, {floor['rows']:,} rows)",
                flush=True,
            )
            admin(server, f"DROP DATABASE {started}")
        results["start"] = line("Workspace.start", start_s, start_floor)
        results["start"]["peak_rss_mib"] = peaks
        print(f"start's peak RSS {median(peaks):,.0f} MiB (its own interpreter; target < {MEMORY_TARGET_MIB} MiB)")
        print(f"rows: {results['counts_started']}")
    if code_version() != code:
        print(f"WARNING: the code changed during the run (now {code_version()}); measure again")
    OUT.mkdir(exist_ok=True)
    (OUT / "pg_results.json").write_text(json.dumps(results, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each measurement and its floor (median)")
    found = sorted(glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    parser.add_argument("--pg-bin", type=Path, default=Path(found[-1]) if found else None)
    parser.add_argument("--phase", choices=("start",), help=argparse.SUPPRESS)  # one measurement, own interpreter
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--automation", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "start":
        emit(measure_start(args.url, args.automation))
        return
    if args.pg_bin is None:
        raise SystemExit("no PostgreSQL found under /usr/lib/postgresql; give --pg-bin")
    run(args)


if __name__ == "__main__":
    main()
