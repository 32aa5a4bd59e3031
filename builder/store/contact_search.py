"""The indexes behind the contacts table's search and sort (SPEC §8 "CRM", issue 16), and the SQL that uses them.

Search looks for the folded words (``builder.store.search_text``) anywhere in
a contact's ``search_text``. A substring can only come from an index of
trigrams, the three-character pieces of the text:

- SQLite: an FTS5 table with the ``trigram`` tokenizer (``case_sensitive 1``,
  as the text is folded already), over ``contact.search_text`` and kept in
  step with it by triggers, so every writer of contacts keeps it up to date.
  A phrase query on it finds exactly the contacts whose text holds the words.
  The insert trigger indexes one row per statement (FTS5 writes its buffer at
  each): ``add_contacts`` of 200,000 contacts took 32.5 s instead of 7.3 s.
  So ``bulk.bulk_insert`` pauses it and indexes its rows in one
  ``INSERT … SELECT`` after them (:func:`indexed_in_bulk`).
- PostgreSQL: a GIN index with ``pg_trgm``'s ``gin_trgm_ops``, used by
  ``LIKE '%words%'`` (the index proposes, the row is checked again). When the
  extension cannot be made (its files are not installed on the server, or the
  user may not create it) the workspace still opens and search still finds
  the same contacts, by reading them all: :data:`NO_TRIGRAMS` says so.

Shorter searches (one or two characters) have no trigram to look for, and
match a large share of the contacts anyway: they read contacts in the order
shown until a page is full.

Sort reads only the page on screen when an index is in the very order the
table asks for, ties included: ``(key, id)``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection

from builder.store.loading import chunks, query
from builder.store.search_text import fold

FTS_TABLE = "contact_search"
PAUSE_TABLE = "contact_search_pause"  # SQLite: one row, 1 while indexed_in_bulk indexes a batch itself
TRIGRAM_INDEX = "ix_contact_search_trgm"
SHORTEST_INDEXED = 3  # a trigram's length: shorter searches read the contacts instead
SORTED_COLUMNS = ("name", "email", "company", "title")
SORTED_MATCHES = 50_000  # up to this many matches, a sorted search sorts them; more, and it walks the sort index

NO_TRIGRAMS = (
    "Search reads every contact of this PostgreSQL workspace, because the pg_trgm extension is not "
    "available on the server. A database administrator can install it (PostgreSQL's contrib package, "
    f"then CREATE EXTENSION pg_trgm) and create the index: CREATE INDEX {TRIGRAM_INDEX} ON contact "
    "USING gin (search_text gin_trgm_ops)."
)


def sort_key(dialect: str, column: str) -> str:
    """How the table orders by a column: case does not decide, ties go in creation order."""
    return f"{column} COLLATE NOCASE" if dialect == "sqlite" else f"lower({column})"


def sort_indexes(dialect: str) -> list[str]:
    """One index per sortable column, in the table's very order (key, then id), so a page is read, not sorted.

    On SQLite an index holds the rowid (``contact.id``) already. On PostgreSQL
    ``lower(name)`` alone does not serve ``ORDER BY lower(name), id``, and an
    index on an expression is only read without the table when it also holds
    the column the expression reads (``INCLUDE``): a page in the middle of a
    million then counts index entries, not rows.
    """
    if dialect == "sqlite":
        return [
            f"CREATE INDEX IF NOT EXISTS ix_contact_{column}_nocase ON contact ({sort_key(dialect, column)})"
            for column in SORTED_COLUMNS
        ]
    made = [
        f"CREATE INDEX IF NOT EXISTS ix_contact_{column}_lower_id ON contact ({sort_key(dialect, column)}, id) "
        f"INCLUDE ({column})"
        for column in SORTED_COLUMNS
    ]
    return [*made, "DROP INDEX IF EXISTS ix_contact_name_lower", "DROP INDEX IF EXISTS ix_contact_company_lower"]


def _sqlite_search_ddl() -> list[str]:
    t = FTS_TABLE
    forget = f"INSERT INTO {t} ({t}, rowid, search_text) VALUES ('delete', old.id, old.search_text);"
    learn = f"INSERT INTO {t} (rowid, search_text) VALUES (new.id, new.search_text);"
    return [
        f"CREATE VIRTUAL TABLE {t} USING fts5(search_text, content='contact', content_rowid='id', "
        "tokenize='trigram case_sensitive 1')",
        f"CREATE TABLE {PAUSE_TABLE} (paused INTEGER NOT NULL)",
        f"INSERT INTO {PAUSE_TABLE} (paused) VALUES (0)",
        f"CREATE TRIGGER {t}_insert AFTER INSERT ON contact WHEN (SELECT paused FROM {PAUSE_TABLE}) = 0 "
        f"BEGIN {learn} END",
        f"CREATE TRIGGER {t}_delete AFTER DELETE ON contact BEGIN {forget} END",
        f"CREATE TRIGGER {t}_update AFTER UPDATE OF search_text ON contact BEGIN {forget} {learn} END",
        f"INSERT INTO {t} ({t}) VALUES ('rebuild')",
    ]


@contextmanager
def indexed_in_bulk(conn: Connection, ids: Sequence[int]) -> Iterator[None]:
    """Contacts inserted in the block go into SQLite's search index in one statement after it, not row by row.

    The insert trigger indexes one row per statement, which makes adding 200,000 contacts about four times
    slower (FTS5 writes its buffer at each). In the block the trigger is paused (a flag in the workspace,
    inside the caller's transaction, so no other writer ever sees it paused) and the rows with these ids are
    indexed together at the end; every other writer of contacts stays indexed by the trigger. PostgreSQL's
    trigram index is an ordinary index: nothing to do there.
    """
    if (
        conn.dialect.name != "sqlite"
        or not ids
        or not query(conn, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (PAUSE_TABLE,))
    ):  # not a workspace with the index yet (an upgrade on its way to schema 12)
        yield
        return
    conn.exec_driver_sql(f"UPDATE {PAUSE_TABLE} SET paused = 1")
    yield
    learn = f"INSERT INTO {FTS_TABLE} (rowid, search_text) SELECT id, search_text FROM contact WHERE "
    low, high = min(ids), max(ids)
    if high - low + 1 == len(ids):  # numbered together, as the workspace numbers a batch: one range
        conn.exec_driver_sql(learn + "id BETWEEN ? AND ?", (low, high))
    else:
        for chunk in chunks(sorted(ids)):
            conn.exec_driver_sql(learn + f"id IN ({', '.join('?' * len(chunk))})", tuple(chunk))
    conn.exec_driver_sql(f"UPDATE {PAUSE_TABLE} SET paused = 0")


def install(conn: Connection) -> None:
    """Make the search and sort indexes (a schema step; inside the caller's transaction)."""
    dialect = conn.dialect.name
    if dialect == "sqlite":
        for ddl in _sqlite_search_ddl():
            conn.exec_driver_sql(ddl)
    else:
        _make_trigram_index(conn)
    for ddl in sort_indexes(dialect):
        conn.exec_driver_sql(ddl)


def _make_trigram_index(conn: Connection) -> bool:
    """pg_trgm and the GIN index, if they can be made; a refusal undoes only them (a savepoint).

    Refused when the server lacks the contrib files, when the user may not
    create extensions, or when pg_trgm lives in a schema off the search path.
    """
    savepoint = conn.begin_nested()
    try:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        conn.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON contact USING gin (search_text gin_trgm_ops)"
        )
    except Exception:  # search reads the table instead, and says so (NO_TRIGRAMS)
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def has_trigram_index(conn: Connection) -> bool:
    """Whether search can use a trigram index (always on SQLite; on PostgreSQL when pg_trgm was made)."""
    if conn.dialect.name == "sqlite":
        return True
    return bool(query(conn, "SELECT 1 FROM pg_indexes WHERE tablename = 'contact' AND indexname = ?", (TRIGRAM_INDEX,)))


def search_condition(dialect: str, words: str, indexed: bool) -> tuple[str, list[object]]:
    """The WHERE condition on ``contact`` that finds the folded ``words``, and its parameters."""
    if len(words) < SHORTEST_INDEXED or not indexed:
        return ("instr(search_text, ?) > 0" if dialect == "sqlite" else "strpos(search_text, ?) > 0"), [words]
    if dialect == "sqlite":
        phrase = '"' + words.replace('"', '""') + '"'  # one phrase: the words as they are, quotes doubled
        return f"id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?)", [phrase]
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "search_text LIKE ? ESCAPE '\\'", ["%" + escaped + "%"]


@dataclass(frozen=True)
class ContactQuery:
    """What the contacts table shows: a search, a tag, a segment, and an order (ties in creation order)."""

    search: str = ""
    tag_id: int | None = None
    segment_id: int | None = None
    sort: str = "id"
    descending: bool = False

    @property
    def words(self) -> str:
        return fold(self.search.strip())

    @property
    def column(self) -> str:
        return self.sort if self.sort in SORTED_COLUMNS else "id"


class ContactFinder:
    """The SQL for one query on one connection: how many match, and which ids are on a page.

    ``indexed``: whether a trigram index serves the search (:func:`has_trigram_index`).
    The segment filter is not SQL (the engine decides membership); callers filter by it.
    """

    def __init__(self, conn: Connection, wanted: ContactQuery, indexed: bool) -> None:
        self.conn, self.wanted, self.dialect = conn, wanted, conn.dialect.name
        words = wanted.words
        self.trigrams = bool(words) and indexed and len(words) >= SHORTEST_INDEXED
        self.where: list[str] = []
        self.params: list[object] = []
        if words:
            condition, params = search_condition(self.dialect, words, indexed)
            self.where.append(condition)
            self.params += params
        if wanted.tag_id is not None:
            self.where.append("id IN (SELECT contact_id FROM contact_tag WHERE tag_id = ?)")
            self.params.append(wanted.tag_id)

    def _condition(self, where: list[str]) -> str:
        return (" WHERE " + " AND ".join(where)) if where else ""

    def _order(self, reverse: bool) -> str:
        descending = self.wanted.descending != reverse
        direction = "DESC" if descending else "ASC"
        if self.wanted.column == "id":
            return f"id {direction}"
        return f"{sort_key(self.dialect, self.wanted.column)} {direction}, id {direction}"

    def _fts_only(self) -> bool:
        """SQLite, searched by trigrams: the FTS table alone answers counts and pages in id order."""
        return self.dialect == "sqlite" and self.trigrams

    def _fts_where(self) -> list[str]:
        tagged = (
            ["rowid IN (SELECT contact_id FROM contact_tag WHERE tag_id = ?)"] if self.wanted.tag_id is not None else []
        )
        return [f"{FTS_TABLE} MATCH ?", *tagged]

    def count(self, at_most: int | None = None) -> int:
        """How many contacts match; with ``at_most``, counting stops at ``at_most + 1`` (“more than at_most”)."""
        limit = "" if at_most is None else f" LIMIT {int(at_most) + 1}"
        if self._fts_only():
            where = self._fts_where()
            inner = f"SELECT 1 FROM {FTS_TABLE}{self._condition(where)}{limit}"
        else:
            inner = f"SELECT 1 FROM contact{self._condition(self.where)}{limit}"
        return int(query(self.conn, f"SELECT count(*) FROM ({inner}) counted", self.params)[0][0])

    def first_page(self, limit: int, at_most: int) -> tuple[list[int], int, bool]:
        """The first ``limit`` ids, how many match, and whether that count is exact (else: at least that many).

        The count stops at ``at_most + 1``, unless finding the page counted further anyway.

        A sorted search on PostgreSQL finds its matches once, and counts and
        sorts them in the same pass (up to :data:`SORTED_MATCHES`), instead of
        a count, a second count to choose the plan, and the sort.
        """
        if self.dialect == "postgresql" and self.trigrams and self.wanted.column != "id":
            column, order = self.wanted.column, self._order(False)
            rows = query(
                self.conn,
                f"WITH found AS MATERIALIZED (SELECT id, {column} FROM contact{self._condition(self.where)} "
                f"LIMIT {SORTED_MATCHES + 1}), counted AS (SELECT count(*) AS n FROM found) "
                f"SELECT n, page.id FROM counted LEFT JOIN LATERAL "
                f"(SELECT id FROM found ORDER BY {order} LIMIT {int(limit)}) page ON true",
                self.params,
            )
            counted = int(rows[0][0])
            if counted <= SORTED_MATCHES:
                return [i for _, i in rows if i is not None], counted, True
            return self.ids(0, limit, matches=None), counted, False  # so many: the walk of the sort index
        counted = self.count(at_most)
        exact = counted <= at_most
        return self.ids(0, limit, matches=counted if exact else None), counted, exact

    def ids(self, offset: int = 0, limit: int | None = None, *, matches: int | None = None) -> list[int]:
        """The ids in order, from ``offset``; ``matches`` is how many match, when the caller knows it exactly.

        A page past the middle is read from the other end (the same order
        backwards), so no page counts more than half the index.
        """
        reverse = False
        if limit is not None and matches is not None and offset > matches // 2:
            reverse = True
            end = min(offset + limit, matches)
            offset, limit = max(matches - end, 0), max(end - offset, 0)
            if limit == 0:
                return []
        page = "" if limit is None else f" LIMIT {int(limit)} OFFSET {int(offset)}"
        order = self._order(reverse)
        sql, params = self._page_sql(order, page, matches)
        found = [i for (i,) in query(self.conn, sql, params)]
        return found[::-1] if reverse else found

    def _page_sql(self, order: str, page: str, matches: int | None) -> tuple[str, list[object]]:
        column = self.wanted.column
        if not self.trigrams:
            return f"SELECT id FROM contact{self._condition(self.where)} ORDER BY {order}{page}", self.params
        if column == "id" and self._fts_only():
            where = self._fts_where()
            rowid_order = order.replace("id", "rowid")
            return f"SELECT rowid FROM {FTS_TABLE}{self._condition(where)} ORDER BY {rowid_order}{page}", self.params
        if column == "id":
            return f"SELECT id FROM contact{self._condition(self.where)} ORDER BY {order}{page}", self.params
        if matches is None:
            matches = self.count(SORTED_MATCHES)
        if matches <= SORTED_MATCHES:  # few enough: find them by trigrams and sort them
            if self.dialect == "sqlite":
                return f"SELECT id FROM contact{self._condition(self.where)} ORDER BY {order}{page}", self.params
            return (
                f"WITH found AS MATERIALIZED (SELECT id, {column} FROM contact{self._condition(self.where)}) "
                f"SELECT id FROM found ORDER BY {order}{page}"
            ), self.params
        # So many match that walking the sort index fills a page soon: test each contact's text there.
        scan, scan_params = search_condition(self.dialect, self.wanted.words, False)
        where, params = [scan, *self.where[1:]], [*scan_params, *self.params[1:]]
        hint = f" INDEXED BY ix_contact_{column}_nocase" if self.dialect == "sqlite" else ""
        return f"SELECT id FROM contact{hint}{self._condition(where)} ORDER BY {order}{page}", params
