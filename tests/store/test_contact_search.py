"""Search and sort by index (issue 16): the same contacts, in the same order, a page at a time, on both databases.

The reference is the query the contacts table made before schema 12 (every
matching id, found by ``instr``/``strpos`` on ``search_text``, sorted by the
column without case, ties in creation order): the indexed queries must give
exactly its answer, page by page.
"""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy
from sqlalchemy.engine import make_url

from builder.store import contact_search
from builder.store.contact_search import NO_TRIGRAMS, ContactQuery
from builder.store.loading import query
from builder.store.search_text import fold
from builder.store.workspace import Workspace
from tests.store.builders import MONDAY
from tests.store.conftest import POSTGRES, empty_postgres
from tests.store.test_search_any_language import PEOPLE, SEARCHES

NAMES = ["anna berg", "Anna Berg", "ANNA BERG", "Jonas Keller", "mei tanaka", "Zoë Ødegaard", "Ayşe Yılmaz", "Ánna"]

COMPANIES = ["Kumo 100%", "Bright_path", 'Say "hi"', "back\\slash", "Kumo 1000", "Bright-path", "Sayhi"]


def people() -> list[dict]:
    """Ties on every sortable column, missing emails and companies, and text that means something to LIKE."""
    made = []
    for i in range(60):
        made.append(
            {
                "name": NAMES[i % len(NAMES)],
                "email": None if i % 5 == 0 else f"person{i % 7}@example{i % 3}.com",
                "company": None if i % 4 == 0 else COMPANIES[i % len(COMPANIES)],
                "title": ["CTO", "cto", None][i % 3],
                "tags": ["cto"] if i % 2 else [],
            }
        )
    return made


def before_schema_12(ws: Workspace, wanted: ContactQuery) -> list[int]:
    """The table's query before schema 12, as its SQL text: the order every page must keep."""
    where, params = [], []
    with ws._read() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if wanted.words:
            where.append(("instr" if sqlite else "strpos") + "(search_text, ?) > 0")
            params.append(wanted.words)
        if wanted.tag_id is not None:
            where.append("id IN (SELECT contact_id FROM contact_tag WHERE tag_id = ?)")
            params.append(wanted.tag_id)
        direction = "DESC" if wanted.descending else "ASC"
        if wanted.column == "id":
            order = f"id {direction}"
        else:
            key = f"{wanted.column} COLLATE NOCASE" if sqlite else f"lower({wanted.column})"
            order = f"{key} {direction}, id {direction}"
        condition = (" WHERE " + " AND ".join(where)) if where else ""
        return [i for (i,) in query(conn, f"SELECT id FROM contact{condition} ORDER BY {order}", params)]


def paged(ws: Workspace, wanted: ContactQuery, size: int, exact: bool) -> list[int]:
    matches = ws.matching_count(wanted) if exact else None
    ids: list[int] = []
    for offset in itertools.count(0, size):
        page = ws.contact_page(wanted, offset, size, matches=matches)
        assert len(page) <= size
        ids += page
        if len(page) < size:
            return ids
    raise AssertionError("unreachable")


def queries(cto: int) -> list[ContactQuery]:
    searches = ["", "anna", "ANNA BERG", "an", "a", "100%", "_", "bright_p", '"hi"', "\\s", "example1", "zz", "ødeg"]
    return [
        ContactQuery(search, tag, None, sort, descending)
        for search in searches
        for tag in (None, cto)
        for sort in ("id", "name", "email", "company", "title")
        for descending in (False, True)
    ]


@pytest.mark.parametrize("walk", [False, True], ids=["sorting-the-matches", "walking-the-sort-index"])
def test_pages_and_counts_give_what_the_old_query_gave(open_workspace, monkeypatch, walk):
    if walk:  # every sorted search walks the sort index, as one matching more than SORTED_MATCHES does
        monkeypatch.setattr(contact_search, "SORTED_MATCHES", 0)
    ws = open_workspace()
    ws.add_contacts(people())
    cto = dict((n, i) for i, n in ws.tags())["cto"]
    for wanted in queries(cto):
        expected = before_schema_12(ws, wanted)
        assert ws.contact_ids(**vars(wanted)) == expected, wanted
        assert ws.matching_count(wanted) == len(expected), wanted
        assert ws.matching_count(wanted, at_most=3) == min(len(expected), 4), wanted
        first, counted, exact = ws.first_contacts(wanted, 7, at_most=3)
        assert first == expected[:7], wanted
        at_least = min(3, contact_search.SORTED_MATCHES) < counted <= len(expected)  # "more than" what was counted
        assert counted == len(expected) if exact else at_least, wanted
        assert paged(ws, wanted, 7, exact=True) == expected, wanted  # pages past the middle read backwards
        assert paged(ws, wanted, 7, exact=False) == expected, wanted


def test_search_finds_what_python_finds_in_the_folded_text(open_workspace):
    ws = open_workspace()
    ids = ws.add_contacts(PEOPLE)
    texts = {
        i: "\n".join(fold(p.get(f) or "") for f in ("name", "email", "company"))
        for i, p in zip(ids, PEOPLE, strict=True)
    }
    for search in [*SEARCHES, "er", "ör", "sted.d", "ÿ"]:
        words = fold(search.strip())
        expected = [i for i in ids if words in texts[i]]
        wanted = ContactQuery(search)
        assert ws.contact_page(wanted, 0, 100) == expected, search
        assert ws.matching_count(wanted) == len(expected), search


def test_the_search_index_follows_edits_and_deletions(open_workspace):
    ws = open_workspace()
    (first, second) = ws.add_contacts([{"name": "Quentin Blake"}, {"name": "Roald Dahl"}])
    assert ws.contact_page(ContactQuery("quentin"), 0, 10) == [first]
    with ws._write() as conn:  # as an import that fills in fields does: search_text rewritten in place
        conn.exec_driver_sql(f"UPDATE contact SET search_text = 'matilda' WHERE id = {second}")
        conn.exec_driver_sql(f"DELETE FROM contact WHERE id = {first}")
    assert ws.contact_page(ContactQuery("quentin"), 0, 10) == []
    assert ws.contact_page(ContactQuery("roald"), 0, 10) == []
    assert ws.contact_page(ContactQuery("matild"), 0, 10) == [second]


def test_a_bulk_insert_is_indexed_in_one_go_and_other_writers_by_the_trigger(open_workspace):
    """SQLite: bulk_insert pauses the row trigger and indexes its batch after it; the pause never outlives it."""
    ws = open_workspace()
    statements: list[str] = []
    ids = ws.add_contacts([{"name": f"Bulk Person {i}"} for i in range(30)])
    with ws._read() as conn:
        if conn.dialect.name != "sqlite":
            pytest.skip("PostgreSQL's trigram index is an ordinary index")
        raw = conn.connection.driver_connection
        raw.set_trace_callback(statements.append)
    try:
        more = ws.add_contacts([{"name": f"Later Person {i}"} for i in range(20)])
    finally:
        raw.set_trace_callback(None)
    indexing = [i for i, s in enumerate(statements) if s.startswith(f"INSERT INTO {contact_search.FTS_TABLE} ")]
    assert len(indexing) == 1 and "BETWEEN" in statements[indexing[0]]  # one statement for the batch
    rows = [i for i, s in enumerate(statements) if s.startswith("INSERT INTO contact (")]
    assert rows and rows[-1] < indexing[0]
    # While the rows go in, the index is not written at all (the trigger is paused): it is written once, after.
    assert not [s for s in statements[rows[0] : indexing[0]] if f"{contact_search.FTS_TABLE}_" in s]
    assert ws.contact_page(ContactQuery("bulk person"), 0, 100) == ids
    assert ws.contact_page(ContactQuery("later person"), 0, 100) == more
    with ws._write() as conn:  # any other writer: the trigger, which the bulk insert left on
        assert query(conn, f"SELECT paused FROM {contact_search.PAUSE_TABLE}", ()) == [(0,)]
        conn.exec_driver_sql("INSERT INTO contact (id, name, search_text) VALUES (900001, 'Solo', 'solo writer')")
    assert ws.contact_page(ContactQuery("solo writ"), 0, 10) == [900001]
    with ws._read() as conn:  # the index holds each contact once: FTS5's own check of it
        conn.exec_driver_sql(
            f"INSERT INTO {contact_search.FTS_TABLE} ({contact_search.FTS_TABLE}) VALUES ('integrity-check')"
        )


def test_a_sorted_page_is_read_from_the_index_not_sorted(workspace_target):
    """The plan of the first page by name: an index scan, no sort of the table (the 1M figures: bench_search.py)."""
    with Workspace.open(workspace_target, today=MONDAY) as ws:
        ws.add_contacts([{"name": f"Person {i}"} for i in range(50)])
        finder_sql = {"sqlite": "EXPLAIN QUERY PLAN ", "postgresql": "EXPLAIN "}
        with ws._read() as conn:
            dialect = conn.dialect.name
            if dialect == "postgresql":
                conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # 50 rows: make the planner choose as at 1M
            order = "name COLLATE NOCASE, id" if dialect == "sqlite" else "lower(name), id"
            plan = " ".join(
                str(row[-1])
                for row in query(conn, f"{finder_sql[dialect]}SELECT id FROM contact ORDER BY {order} LIMIT 200", ())
            )
    assert "ix_contact_name" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan


@pytest.mark.skipif(not POSTGRES, reason="no PostgreSQL server given (AUTOMATION_BUILDER_TEST_POSTGRES)")
def test_without_pg_trgm_search_reads_every_contact_finds_the_same_and_says_so():
    """A user who may not create extensions (no CREATE on the database) makes a workspace all the same."""
    url = empty_postgres()
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.begin() as conn:
            database = conn.exec_driver_sql("SELECT current_database()").scalar()
            known = conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = 'no_extensions'").scalar()
            if not known:
                conn.exec_driver_sql("CREATE ROLE no_extensions LOGIN")
            conn.exec_driver_sql(f'REVOKE CREATE ON DATABASE "{database}" FROM no_extensions')
            conn.exec_driver_sql("GRANT ALL ON SCHEMA public TO no_extensions")
    finally:
        engine.dispose()
    limited = make_url(url).set(username="no_extensions").render_as_string(hide_password=False)
    with Workspace.open(limited, today=MONDAY) as ws:
        assert ws.search_note() == NO_TRIGRAMS
        ids = ws.add_contacts(PEOPLE)
        for search, expected in SEARCHES.items():
            assert ws.contact_page(ContactQuery(search), 0, 50) == [ids[i] for i in expected], search
            assert ws.matching_count(ContactQuery(search)) == len(expected), search
        with ws._read() as conn:
            assert not contact_search.has_trigram_index(conn)


def test_with_pg_trgm_or_fts5_there_is_no_note(open_workspace):
    assert open_workspace().search_note() is None


@pytest.mark.skipif(not POSTGRES, reason="no PostgreSQL server given (AUTOMATION_BUILDER_TEST_POSTGRES)")
def test_pg_trgm_in_a_schema_off_the_search_path_is_a_fallback_not_a_refusal():
    url = empty_postgres()
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP EXTENSION IF EXISTS pg_trgm CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA kept_apart")
            conn.exec_driver_sql("CREATE EXTENSION pg_trgm SCHEMA kept_apart")
        with Workspace.open(url, today=MONDAY) as ws:
            assert ws.search_note() == NO_TRIGRAMS
            ids = ws.add_contacts(PEOPLE)
            assert ws.contact_page(ContactQuery("MÜLLER"), 0, 10) == [ids[0], ids[5]]
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS kept_apart CASCADE")
        engine.dispose()
