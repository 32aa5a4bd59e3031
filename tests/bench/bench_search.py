"""Benchmark: the contacts table's search and sort at a million contacts, on SQLite and PostgreSQL (issue 16).

Builds the same workspace twice through ``Workspace.add_contacts`` (batches of
50,000): in a temporary SQLite file, and in a PostgreSQL this script starts
itself (bench_pg.py's ``postgres_server``: initdb as ``postgres``, 127.0.0.1,
a free port, default settings; stopped and removed at the end). The
contacts have people's names (first and last names of several languages, one
contact in ten thousand with a rare family name), emails and companies.

For each database it times what the table waits for before it can show rows:

- **before**: the queries the table made up to schema 11, as their SQL text
  (every matching id in order, ``instr``/``strpos`` on ``search_text`` and
  ``ORDER BY name COLLATE NOCASE, id`` / ``lower(name), id``), then the first
  page's rows;
- **after**: the query worker's first answer (``contacts_model.find``: the
  count, exact up to 10,000, and the first page's ids), then that page's rows;
  for a page further down, ``Workspace.contact_page`` with the exact count
  known, then its rows. The exact count of a big result, which the table asks
  for afterwards in the background, is timed on its own.

Searches: a common first name, a rare family name, a two-character search;
sorts: by name, the first page and a page in the middle, ascending and
descending; a search sorted by name. Each the median of ``--repeat`` runs
after one warm-up run. The target: under 100 ms (issue 16).

    .venv/bin/python tests/bench/bench_search.py [--contacts 1000000] [--repeat 5] [--pg-bin DIR] [--only sqlite]

Must run as root (or a user that can ``su postgres``) for the PostgreSQL part.
Results: tests/bench/out/search_results.json.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from glob import glob
from pathlib import Path
from typing import Any

from bench_enroll import CONTACT_BATCH
from bench_pg import admin, postgres_server, with_database
from benchlib import code_version, machine, median

OUT = Path(__file__).resolve().parent / "out"
TARGET_MS = 100.0
PAGE = 200  # ContactsModel.PAGE

FIRST = (
    "Anna Maria Jonas Lukas Sofia Emma Noah Liam Olivia Mia Léa Chloé Zoë Søren Björn Ingrid Astrid Mateo Lucía "
    "Valentina Diego Camila João Beatriz Giulia Marco Francesca Luca Aisha Omar Fatima Yusuf Hana Kenji Yuki Mei "
    "Wei Priya Arjun Rohan Ananya Oluwaseun Chidi Amara Kwame Nadia Ivan Olga Dmitri Katarzyna Piotr Zsófia Ákos"
).split()
LAST = (
    "Smith Johnson Brown Garcia Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Martin Bernard Dubois "
    "Durand Rossi Russo Ferrari Esposito Bianchi Romano Silva Santos Oliveira Pereira Costa Fernández González "
    "Rodríguez López Martínez Sánchez Pérez Nowak Kowalski Wiśniewski Novák Horváth Nagy Kovács Jensen Nielsen "
    "Hansen Andersson Johansson Karlsson Nilsson Virtanen Korhonen Papadopoulos Yılmaz Kaya Demir Çelik Ivanov "
    "Petrov Sokolov Kim Lee Park Nguyen Tran Tanaka Suzuki Takahashi Wang Zhang Chen Patel Sharma Singh Okafor "
    "Adeyemi Mensah Mwangi Haddad Cohen Levi O'Brien Murphy Kelly MacDonald"
).split()
RARE = "Quartermaine"  # one contact in RARE_EVERY
RARE_EVERY = 10_000
COMPANIES = [f"{word} {kind}" for word in LAST[:60] for kind in ("GmbH", "Ltd", "Labs", "& Co", "SA", "Group")]

SEARCHES = (("common first name", "sofia"), ("rare family name", RARE.lower()), ("two characters", "an"))


def people(first: int, last: int) -> list[dict[str, Any]]:
    batch = []
    for i in range(first, last):
        given = FIRST[(i * 7) % len(FIRST)]
        family = RARE if i % RARE_EVERY == RARE_EVERY // 2 else LAST[(i * 13 + i // 97) % len(LAST)]
        company = COMPANIES[(i * 31) % len(COMPANIES)]
        batch.append(
            {
                "name": f"{given} {family}",
                "email": f"{given.lower()}.{i}@{company.split()[0].lower()}.example",
                "company": company,
                "title": ("CTO", "VP Engineering", "Founder", "Head of Sales")[i % 4],
            }
        )
    return batch


def build(target: str, contacts: int) -> float:
    from builder.store.workspace import Workspace

    began = time.perf_counter()
    with Workspace.open(target) as ws:
        for first in range(0, contacts, CONTACT_BATCH):
            ws.add_contacts(people(first, min(first + CONTACT_BATCH, contacts)))
    return time.perf_counter() - began


# -- what the table waits for, before and after ------------------------------------------------------


def before(ws: Any, words: str, sort: str, offset: int) -> Callable[[], int]:
    """Up to schema 11: every matching id in order (the old SQL text), then the rows of one page."""
    from builder.store.loading import query

    def run() -> int:
        with ws._read() as conn:
            sqlite = conn.dialect.name == "sqlite"
            where = f" WHERE {'instr' if sqlite else 'strpos'}(search_text, ?) > 0" if words else ""
            key = "name COLLATE NOCASE" if sqlite else "lower(name)"
            order = "id" if sort == "id" else (f"{key}, id" if sort == "name" else f"{key} DESC, id DESC")
            ids = [
                i for (i,) in query(conn, f"SELECT id FROM contact{where} ORDER BY {order}", [words] if words else [])
            ]
        return len(ws.contact_listings(ids[offset : offset + PAGE]))

    return run


def after(ws: Any, words: str, sort: str, offset: int) -> Callable[[], int]:
    """Now: the query worker's first answer (the count, exact up to 10,000, and the first page), then its rows;
    for a page further down, that page's ids (the exact count known) and its rows."""
    from builder.store.contact_search import ContactQuery
    from builder.ui.crm.contacts_model import find

    wanted = ContactQuery(words, sort="id" if sort == "id" else "name", descending=sort == "name desc")
    exact = ws.matching_count(wanted) if offset else None

    def run() -> int:
        if offset:
            return len(ws.contact_listings(ws.contact_page(wanted, offset, PAGE, matches=exact)))
        return len(ws.contact_listings(find(ws, wanted).first))

    return run


def exact_count(ws: Any, words: str) -> Callable[[], int]:
    from builder.store.contact_search import ContactQuery

    return lambda: ws.matching_count(ContactQuery(words))


def timed(call: Callable[[], int], repeat: int) -> tuple[list[float], int]:
    shown = call()  # warm-up: the pages the database caches are the ones a person's second look finds
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    return times, shown


def measure(target: str, contacts: int, repeat: int) -> list[dict[str, Any]]:
    from builder.store.workspace import Workspace

    middle = contacts // 2
    cases: list[tuple[str, str, str, int]] = [
        *((f"search: {what} '{words}'", words, "id", 0) for what, words in SEARCHES),
        ("search 'sofia', sorted by name", "sofia", "name", 0),
        ("sort by name: first page", "", "name", 0),
        ("sort by name, descending: first page", "", "name desc", 0),
        (f"sort by name: the page at row {middle:,}", "", "name", middle),
    ]
    rows = []
    with Workspace.open(target) as ws:
        for what, words, sort, offset in cases:
            old, _ = timed(before(ws, words, sort, offset), repeat)
            new, shown = timed(after(ws, words, sort, offset), repeat)
            rows.append({"what": what, "before_ms": old, "after_ms": new, "rows_shown": shown})
            report(rows[-1])
        for _what, words in SEARCHES:
            counted, _ = timed(exact_count(ws, words), repeat)
            rows.append({"what": f"exact count, in the background: '{words}'", "before_ms": None, "after_ms": counted})
            report(rows[-1])
    return rows


def report(row: dict[str, Any]) -> None:
    new = median(row["after_ms"])
    old = f"{median(row['before_ms']):8.1f} ms" if row["before_ms"] else "       —   "
    verdict = "" if row["what"].startswith("exact count") else ("  met" if new < TARGET_MS else "  MISSED")
    print(f"  {row['what']:<48} before {old}   after {new:7.1f} ms{verdict}", flush=True)


def run(args: argparse.Namespace) -> None:
    code = code_version()
    print(f"machine: {machine()}; code: {code}; {args.contacts:,} contacts; median of {args.repeat}")
    results: dict[str, Any] = {"machine": machine(), "code": code, "contacts": args.contacts}
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory(prefix="bench-search-") as folder:
            path = str(Path(folder) / "search.sqlite")
            built = build(path, args.contacts)
            print(f"SQLite: built in {built:.1f} s (add_contacts, the search and sort indexes kept up to date)")
            results["sqlite"] = {"build_s": built, "rows": measure(path, args.contacts, args.repeat)}
    if args.only in (None, "postgresql"):
        with postgres_server(args.pg_bin) as server:
            admin(server, "CREATE DATABASE search")
            url = with_database(server, "search")
            built = build(url, args.contacts)
            # What autovacuum does on its own after a big load, done now so the figures do not depend on when it ran.
            admin(url, "VACUUM ANALYZE contact")
            print(f"PostgreSQL: built in {built:.1f} s (add_contacts, the search and sort indexes kept up to date)")
            results["postgresql"] = {"build_s": built, "rows": measure(url, args.contacts, args.repeat)}
    OUT.mkdir(exist_ok=True)
    (OUT / "search_results.json").write_text(json.dumps(results, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    found = sorted(glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    parser.add_argument("--pg-bin", type=Path, default=Path(found[-1]) if found else None)
    args = parser.parse_args()
    if args.only != "sqlite" and args.pg_bin is None:
        raise SystemExit("no PostgreSQL found under /usr/lib/postgresql; give --pg-bin or --only sqlite")
    run(args)


if __name__ == "__main__":
    main()
