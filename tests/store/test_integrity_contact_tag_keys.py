"""A contact's tag always names an existing contact and tag, and goes with either (issue 16).

``contact_tag``'s two foreign keys (ON DELETE CASCADE) cost PostgreSQL a lookup
and a row lock per tag an import writes: 400,000 of each for 200,000 contacts
with two tags, most of what add_contacts pays above the COPY floor. Whichever way
the database checks them (keys, or triggers over a whole statement), these rules
hold: a tag row naming a missing contact or tag is refused, a contact's or a tag's
deletion takes its tag rows with it, and changing a row to name nothing is
refused. Without them, a segment would count a contact that no longer exists,
or a tag nobody can see.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.exc import IntegrityError

from builder.store.bulk import bulk_insert
from builder.store.database import table
from builder.store.workspace import Workspace

MISSING = 999_999


def tagged(ws: Workspace) -> tuple[list[int], dict[str, int]]:
    ids = ws.add_contacts([{"name": f"C{i}", "tags": ["cto", "vp"] if i % 2 else ["cto"]} for i in range(6)])
    with ws.engine.connect() as conn:
        tags = dict(conn.exec_driver_sql("SELECT name, id FROM tag").all())
    return ids, tags


@pytest.mark.parametrize("missing", ["contact_id", "tag_id"])
def test_a_bulk_load_naming_a_missing_contact_or_tag_is_refused(
    open_workspace: Callable[..., Workspace], missing: str
) -> None:
    ws = open_workspace()
    ids, tags = tagged(ws)
    other = ws.add_contacts([{"name": "x", "tags": ["new"]}])[0]
    rows = [(c, tags["vp"]) for i, c in enumerate(ids) if i % 2 == 0] + [(other, tags["cto"])]
    bad = {"contact_id": (MISSING, tags["vp"]), "tag_id": (ids[0], MISSING)}[missing]
    with pytest.raises(IntegrityError), ws.engine.begin() as conn:
        bulk_insert(conn, table("contact_tag"), ["contact_id", "tag_id"], [*rows, bad])
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql(f"SELECT count(*) FROM contact_tag WHERE {missing} = {MISSING}").scalar() == 0
    with ws.engine.begin() as conn:  # the load without the bad row goes in
        bulk_insert(conn, table("contact_tag"), ["contact_id", "tag_id"], rows)


@pytest.mark.parametrize("missing", ["contact_id", "tag_id"])
def test_changing_a_tag_row_to_name_nothing_is_refused(open_workspace: Callable[..., Workspace], missing: str) -> None:
    ws = open_workspace()
    ids, _ = tagged(ws)
    with pytest.raises(IntegrityError), ws.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE contact_tag SET {missing} = {MISSING} WHERE contact_id = {ids[0]}")


def test_deleting_a_contact_or_a_tag_takes_its_tag_rows_along(open_workspace: Callable[..., Workspace]) -> None:
    ws = open_workspace()
    ids, tags = tagged(ws)
    with ws.engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM contact WHERE id IN ({ids[0]}, {ids[1]})")
        assert (
            conn.exec_driver_sql(f"SELECT count(*) FROM contact_tag WHERE contact_id IN ({ids[0]}, {ids[1]})").scalar()
            == 0
        )
        assert conn.exec_driver_sql("SELECT count(*) FROM contact_tag").scalar() == 6  # 4 contacts: 2 + 2 * 2 tags
        conn.exec_driver_sql(f"DELETE FROM tag WHERE id = {tags['vp']}")
        assert conn.exec_driver_sql("SELECT count(*) FROM contact_tag").scalar() == 4
        assert conn.exec_driver_sql(f"SELECT count(*) FROM contact_tag WHERE tag_id = {tags['cto']}").scalar() == 4
