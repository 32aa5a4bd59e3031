"""``bulk_insert`` (issue 16): COPY on PostgreSQL, executemany on SQLite, the same rows back on both; ``BulkWriter``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.exc import IntegrityError

from builder.store.bulk import BulkWriter, bulk_insert
from builder.store.database import table
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


# -- BulkWriter: a part written while the next is worked out (start, issue 16) ---------------------------


def contact_rows(first: int, count: int) -> list[tuple]:
    return [(first + i, f"Contact {first + i}") for i in range(count)]


def test_a_bulk_writer_writes_its_batches_in_order_in_the_callers_transaction(
    open_workspace: Callable[..., Workspace],
) -> None:
    ws = open_workspace()
    contact, tag = table("contact"), table("tag")
    with ws.engine.begin() as conn, BulkWriter(conn, bulk_insert) as writer:
        writer.write([(contact, ["id", "name"], contact_rows(1, 3000)), (tag, ["id", "name"], [(1, "cto")])])
        writer.write([(table("contact_tag"), ["contact_id", "tag_id"], [(c, 1) for c in range(1, 3001)])])
        writer.write([])
        writer.wait()  # the connection is the caller's again
        assert conn.exec_driver_sql("SELECT count(*) FROM contact_tag").scalar() == 3000
        writer.write([(contact, ["id", "name"], contact_rows(5000, 10))])
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM contact").scalar() == 3010


def test_a_refused_batch_raises_in_the_caller_and_nothing_is_written(
    open_workspace: Callable[..., Workspace],
) -> None:
    ws = open_workspace()
    with pytest.raises(IntegrityError), ws.engine.begin() as conn, BulkWriter(conn, bulk_insert) as writer:
        writer.write([(table("contact"), ["id", "name"], contact_rows(1, 2000))])
        writer.write([(table("contact_tag"), ["contact_id", "tag_id"], [(1, 999_999)])])  # no such tag
        writer.wait()
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM contact").scalar() == 0


class SlowRows(list[tuple]):
    """Rows that take half a second to start coming: the batch is still being written when the caller fails."""

    def __iter__(self) -> Iterator[tuple]:
        time.sleep(0.5)
        return super().__iter__()


def test_a_caller_that_fails_meanwhile_leaves_the_connection_to_roll_back(
    open_workspace: Callable[..., Workspace],
) -> None:
    """Leaving the block by an error waits for the batch in flight, so the rollback finds the connection idle."""
    ws = open_workspace()
    with (
        pytest.raises(RuntimeError, match="meanwhile"),
        ws.engine.begin() as conn,
        BulkWriter(conn, bulk_insert) as writer,
    ):
        writer.write([(table("contact"), ["id", "name"], SlowRows(contact_rows(1, 100)))])
        raise RuntimeError("the next part failed meanwhile")
    assert not [t for t in threading.enumerate() if t.name == "bulk-writer"]  # joined before the rollback
    with ws.engine.begin() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM contact").scalar() == 0
        bulk_insert(conn, table("contact"), ["id", "name"], contact_rows(1, 5))
