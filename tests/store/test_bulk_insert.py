"""``bulk_insert`` (issue 16): COPY on PostgreSQL, executemany on SQLite, the same rows back on both."""

from __future__ import annotations

from collections.abc import Callable

from builder.store.database import bulk_insert, table
from builder.store.workspace import Workspace

AWKWARD = [
    "tab\there",
    "new\nline and carriage\r\nreturn",
    "back\\slash \\N \\. and \\\\ double",
    "ünïcødé — 名前 😀 ﬁ",
    "",
    "'quotes' \"double\" ; -- not SQL",
    "\\",
    "trailing backslash\\",
    ",|comma|,",
]


def test_awkward_rows_come_back_equal(open_workspace: Callable[..., Workspace]) -> None:
    ws = open_workspace()
    contacts = [
        (1000 + i, text, None if i % 2 else f"{i}@example.test", text, None, text) for i, text in enumerate(AWKWARD)
    ]
    columns = ["id", "name", "email", "company", "title", "linkedin_url"]
    automations = [(7, "On\tand\non", "draft", True, False), (8, "Off \\N", "running", False, True)]
    with ws.engine.begin() as conn:
        bulk_insert(conn, table("contact"), columns, contacts)
        bulk_insert(
            conn,
            table("automation"),
            ["id", "name", "state", "ignore_previous_interactions", "stop_on_reply"],
            automations,
        )
    with ws.engine.connect() as conn:
        back = [
            tuple(row) for row in conn.exec_driver_sql(f"SELECT {', '.join(columns)} FROM contact ORDER BY id").all()
        ]
        flags = [
            (row[0], row[1], row[2], bool(row[3]), bool(row[4]))
            for row in conn.exec_driver_sql(
                "SELECT id, name, state, ignore_previous_interactions, stop_on_reply FROM automation ORDER BY id"
            ).all()
        ]
    assert back == contacts
    assert flags == automations


def test_rows_with_their_own_ids_move_the_numbering_on(open_workspace: Callable[..., Workspace]) -> None:
    """After rows come in with explicit ids, the next row the database numbers does not collide."""
    ws = open_workspace()
    with ws.engine.begin() as conn:
        bulk_insert(conn, table("tag"), ["id", "name"], [(41, "first"), (42, "second")])
    with ws.engine.begin() as conn:
        conn.execute(table("tag").insert(), {"name": "third"})
        ids = [row[0] for row in conn.exec_driver_sql("SELECT id FROM tag ORDER BY id").all()]
    assert ids == [41, 42, 43]


def test_bulk_insert_is_part_of_the_callers_transaction(open_workspace: Callable[..., Workspace]) -> None:
    """A failure after the rows went in takes them back out: COPY runs inside the same transaction."""
    ws = open_workspace()
    try:
        with ws.engine.begin() as conn:
            bulk_insert(conn, table("tag"), ["name"], [("kept?",)])
            raise RuntimeError("stop")
    except RuntimeError:
        pass
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM tag").scalar() == 0


def test_workspace_ids_and_search_after_add_contacts(open_workspace: Callable[..., Workspace]) -> None:
    """The callers do not change: add_contacts goes through bulk_insert and reads back the same."""
    ws = open_workspace()
    ids = ws.add_contacts([{"name": "Ann\tTab", "email": None, "company": "Acme\\Co"}, {"name": "Bo\nLine"}])
    with ws.engine.connect() as conn:
        names = [row[0] for row in conn.exec_driver_sql("SELECT name FROM contact ORDER BY id").all()]
        assert [row[0] for row in conn.exec_driver_sql("SELECT id FROM contact ORDER BY id").all()] == ids
    assert names == ["Ann\tTab", "Bo\nLine"]
