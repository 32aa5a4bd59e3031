"""Start enrolls the workspace part after part, with the same outcome as all at once (issue 16).

``Workspace.start`` reads the contacts ``loading.PART`` at a time and writes each
part's enrollments and tasks before reading the next, so a million contacts never
sit in memory at once. Who goes where must not depend on where a part ends: the
engine assigns in contact order and each branch's even rotation carries on from
one part to the next. Two identical automations in one workspace, one started in
parts of three contacts and one in a single part, must enroll everyone the same
way: same branches, profiles, reasons, tasks, rotations, and ids numbered without gaps.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from itertools import pairwise

import pytest

import builder.store.running as running
from builder.store.loading import contacts_in_parts
from builder.store.workspace import Workspace

TAGS = [["cto"], ["vp"], ["cto", "vp"], [], ["cto", "fintech"], ["vp"], ["cto"]]


def two_branch_automation(ws: Workspace, name: str, profiles: list[int]) -> int:
    """Segment cto → profiles[0:3] → connect, wait 2, message; segment vp → profiles[2:] → connect, email."""
    automation = ws.create_automation(name)
    for tag, attached, steps in (
        ("cto", profiles[:3], [("linkedin_connect", 0), ("wait", 2), ("linkedin_message", 0)]),
        ("vp", profiles[2:], [("linkedin_connect", 0), ("wait", 1), ("email", 0)]),
    ):
        segment = ws.create_segment(f"{name} {tag}", tags_any=[tag])
        chain = [ws.add_node(automation, "segment", segment_id=segment), ws.add_node(automation, "sender_profile")]
        chain += [ws.add_node(automation, kind, wait_days=days) for kind, days in steps]
        for a, b in pairwise(chain):
            ws.connect(a, b)
        for weight, profile in enumerate(attached, 1):
            ws.attach_sender_profile(chain[1], profile, weight=weight)
    return automation


def enrolled(ws: Workspace, automation: int) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """The automation's enrollments, tasks and rotations, told by position and not by id."""
    with ws.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT e.id, e.contact_id, n.title, n.id, e.sender_profile_id, e.reason, e.status, e.enrolled_day, "
            f"e.ignored_override_id FROM enrollment e JOIN node n ON n.id = e.branch_node_id "
            f"WHERE e.automation_id = {automation} ORDER BY e.id"
        ).all()
        first_node = min(r[3] for r in rows)
        enrollments = [(r[1], r[2], r[3] - first_node, *r[4:]) for r in rows]
        ids = [r[0] for r in rows]
        assert ids == list(range(ids[0], ids[0] + len(ids)))
        tasks = conn.exec_driver_sql(
            "SELECT t.id, t.enrollment_id, t.sender_profile_id, t.step_node_id, t.step_index, t.kind, t.status, "
            f"t.due_day FROM task t JOIN enrollment e ON e.id = t.enrollment_id WHERE e.automation_id = {automation} "
            "ORDER BY t.id"
        ).all()
        task_ids = [t[0] for t in tasks]
        assert task_ids == list(range(task_ids[0], task_ids[0] + len(task_ids)))
        told = [(t[1] - ids[0], t[2], t[3] - first_node, *t[4:]) for t in tasks]
        rotations = conn.exec_driver_sql(
            "SELECT a.node_id, a.sender_profile_id, a.rotation, a.state FROM branch_attachment a "
            f"JOIN node n ON n.id = a.node_id WHERE n.automation_id = {automation} ORDER BY a.node_id, a.attach_order"
        ).all()
    return enrollments, told, [(r[0] - first_node, *r[1:]) for r in rotations]


@pytest.mark.parametrize("part", [1, 3, 7])
def test_starting_in_parts_enrolls_as_starting_at_once(
    open_workspace: Callable[..., Workspace], monkeypatch: pytest.MonkeyPatch, part: int
) -> None:
    ws = open_workspace()
    profiles = [ws.create_sender_profile(f"P{i}", daily_limit=30) for i in range(5)]
    outside = ws.create_sender_profile("Outside", daily_limit=30)
    contacts = ws.add_contacts([{"name": f"C{i}", "tags": TAGS[i % len(TAGS)]} for i in range(41)])
    ws.set_override(contacts[4:9], profiles[1])  # R1 for some, in the first branch
    ws.set_override(contacts[12:14], outside)  # pinned to a profile no branch has: R1 cannot follow, noted
    for contact, profile in zip(contacts[20:30], profiles * 2, strict=False):
        ws.record_interaction(contact, profile)  # R2 for some
    whole = two_branch_automation(ws, "Whole", profiles)
    in_parts = two_branch_automation(ws, "Parts", profiles)

    ws.start(whole)
    calls: list[int] = []

    def small_parts(conn: object) -> object:
        for found in contacts_in_parts(conn, size=part):  # type: ignore[arg-type]
            calls.append(len(found))
            yield found

    monkeypatch.setattr(running, "contacts_in_parts", small_parts)
    ws.start(in_parts)

    assert len(calls) == -(-len(contacts) // part) and sum(calls) == len(contacts)
    expected, got = enrolled(ws, whole), enrolled(ws, in_parts)
    assert [e[0] for e in got[0]] == [e[0] for e in expected[0]]  # the same contacts, in the same order
    assert got == expected
    reasons = {e[4] for e in got[0]}
    assert {"override", "previous_interaction", "even_distribution"} <= reasons  # every rule took part
    assert any(e[7] == outside for e in got[0])


def test_parts_hold_every_contact_once_with_its_tags(open_workspace: Callable[..., Workspace]) -> None:
    ws = open_workspace()
    ws.add_contacts([{"name": f"C{i}", "tags": TAGS[i % len(TAGS)]} for i in range(23)])
    with ws.engine.connect() as conn:
        from builder.store.loading import load_contacts_with_tags

        whole = load_contacts_with_tags(conn)
        parts = list(partial(contacts_in_parts, size=5)(conn))
    assert [len(p) for p in parts] == [5, 5, 5, 5, 3]
    assert [c for p in parts for c in p] == whole
