"""SPEC §12's third removal choice, ``move``: one test per sentence, on small scenarios.

Anna and Bob share a branch; the even rotation gives c0, c2, … to Anna and
c1, c3, … to Bob. Bob does one task a day, so on day 1 he has contacted c1
only.
"""

from __future__ import annotations

from typing import Any

import pytest

from builder.engine.assignment import KnownFacts
from builder.engine.moving import move_contacts
from builder.engine.report import result_object, to_json
from builder.engine.roster import Attachment, BranchRoster, RosterError
from builder.engine.scenario import ScenarioError, parse_scenario
from builder.engine.simulation import simulate
from builder.engine.words import ProfileState, Reason, RemovalMode

CONNECT = {"type": "linkedin_connect"}
MESSAGE = {"type": "linkedin_message"}


def scenario(
    *,
    profiles: dict[str, int] | None = None,
    attached: list[str] | None = None,
    people: int = 4,
    steps: list[dict[str, Any]] | None = None,
    events: list[dict[str, Any]] | None = None,
    overrides: dict[str, str] | None = None,
) -> dict[str, Any]:
    profiles = profiles or {"anna": 50, "bob": 1, "omar": 50}
    return {
        "sender_profiles": [{"id": pid, "daily_limit": limit} for pid, limit in profiles.items()],
        "contacts": [{"id": f"c{i}", "tags": ["lead"]} for i in range(people)],
        "overrides": [{"contact": c, "sender_profile": p} for c, p in (overrides or {}).items()],
        "automation": {
            "name": "Move",
            "branches": [
                {
                    "id": "main",
                    "segment": {"all": True},
                    "sender_profiles": attached or ["anna", "bob"],
                    "steps": steps or [CONNECT, {"type": "wait", "days": 3}, MESSAGE],
                }
            ],
        },
        "events": events
        or [
            {"day": 0, "type": "start"},
            {"day": 1, "type": "remove_sender_profile", "branch": "main", "sender_profile": "bob", "mode": "move"},
        ],
        "days": 8,
    }


def remove(day: int, profile: str, mode: str = "move") -> dict[str, Any]:
    return {"day": day, "type": "remove_sender_profile", "branch": "main", "sender_profile": profile, "mode": mode}


def run(data: dict[str, Any]) -> dict[str, Any]:
    return result_object(simulate(parse_scenario(data)))


def assignments(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["contact"]: a for a in result["assignments"]}


def test_contacts_not_yet_contacted_are_assigned_again_and_say_where_they_came_from():
    found = assignments(run(scenario()))
    assert found["c3"]["sender_profile"] == "anna"
    assert found["c3"]["reason"] == "even_distribution"
    assert found["c3"]["moved_from"] == "bob"


def test_contacts_already_contacted_continue_with_the_profile():
    found = assignments(run(scenario()))
    assert found["c1"]["sender_profile"] == "bob"
    assert "moved_from" not in found["c1"]


def test_contacts_never_moved_have_no_moved_from_key():
    found = assignments(run(scenario()))
    assert "moved_from" not in found["c0"] and "moved_from" not in found["c2"]


def test_the_profile_is_draining_while_contacted_ones_stay():
    assert run(scenario())["sender_profiles"]["bob"] == {"main": "draining"}


def test_the_profile_is_removed_when_nobody_stays():
    data = scenario(profiles={"anna": 50, "bob": 0})  # Bob has contacted nobody
    result = run(data)
    assert result["sender_profiles"]["bob"] == {"main": "removed"}
    assert {a["contact"]: a["sender_profile"] for a in result["assignments"]} == dict.fromkeys(
        ["c0", "c1", "c2", "c3"], "anna"
    )


def test_moved_tasks_keep_their_due_days_and_are_done_by_the_new_profile():
    result = run(scenario())
    connect = next(t for t in result["tasks"] if t["contact"] == "c3" and t["type"] == "linkedin_connect")
    assert (connect["sender_profile"], connect["due_day"], connect["done_day"]) == ("anna", 0, 1)


def test_moved_tasks_take_their_place_by_due_day_then_enrollment_order():
    # Anna does one task a day too: c3 (due day 0, moved) comes before her own message of c0 (due day 3).
    result = run(scenario(profiles={"anna": 1, "bob": 1}, people=4))
    done = {(t["contact"], t["type"]): t["done_day"] for t in result["tasks"]}
    assert done[("c2", "linkedin_connect")] == 1
    assert done[("c3", "linkedin_connect")] == 2
    assert done[("c0", "linkedin_message")] == 3


def test_the_rules_run_again_over_the_other_profiles_after_the_reset():
    # Anna, Bob and Omar; Bob has c1 (contacted on day 0), c4 and c7. Removing him resets the
    # rotation, which then hands c4 and c7 to Anna and Omar from the start.
    data = scenario(attached=["anna", "bob", "omar"], people=9)
    data["sender_profiles"][1]["daily_limit"] = 1
    found = assignments(run(data))
    moved = {c: (a["sender_profile"], a["reason"]) for c, a in found.items() if "moved_from" in a}
    assert moved == {"c4": ("anna", "even_distribution"), "c7": ("omar", "even_distribution")}


def test_an_override_decides_first_for_a_moved_contact():
    data = scenario(attached=["anna", "bob", "omar"], people=6, overrides={"c4": "bob"})
    data["events"].insert(1, {"day": 1, "type": "set_override", "contacts": ["c4"], "sender_profile": "omar"})
    found = assignments(run(data))
    assert (found["c4"]["sender_profile"], found["c4"]["reason"]) == ("omar", "override")


def test_an_override_to_the_removed_profile_is_ignored_with_a_warning():
    data = scenario(profiles={"anna": 50, "bob": 0}, people=2, overrides={"c1": "bob"})
    result = run(data)
    assert (assignments(result)["c1"]["sender_profile"], assignments(result)["c1"]["reason"]) == (
        "anna",
        "even_distribution",
    )
    assert any("override 'bob'" in w for w in result["warnings"])


def test_move_is_refused_with_nowhere_to_go():
    data = scenario(attached=["bob"])
    with pytest.raises(ScenarioError) as error:
        run(data)
    assert error.value.problems == [
        "events[1]: No other active sender profile in this branch can take its contacts: "
        "add one first, or cancel or continue its tasks."
    ]


def test_move_of_a_draining_profile_moves_its_uncontacted_contacts_too():
    # Bob contacts c1 on day 0 and c3 on day 1; on day 2 only c5 is left to move.
    data = scenario(people=6, events=[{"day": 0, "type": "start"}, remove(1, "bob", "continue"), remove(2, "bob")])
    found = assignments(run(data))
    assert [c for c, a in found.items() if "moved_from" in a] == ["c5"]


def test_move_in_a_draft_just_takes_the_profile_off():
    data = scenario(events=[remove(0, "bob"), {"day": 0, "type": "start"}])
    result = run(data)
    assert {a["sender_profile"] for a in result["assignments"]} == {"anna"}
    assert "bob" not in result["sender_profiles"]


def test_the_json_text_writes_moved_from_as_the_reference_does():
    from builder.engine.json_lines import records_json

    result = simulate(parse_scenario(scenario()))
    assert to_json(result) == records_json(result_object(result))


def test_an_automation_with_paths_moves_the_same_way():
    """The path run (a tag node makes it one) moves the same contacts to the same profiles, due days kept."""
    line = run(scenario())
    tree = run(scenario(steps=[CONNECT, {"type": "add_tag", "tag": "asked"}, {"type": "wait", "days": 3}, MESSAGE]))
    assert [(a["contact"], a["sender_profile"], a.get("moved_from")) for a in tree["assignments"]] == [
        (a["contact"], a["sender_profile"], a.get("moved_from")) for a in line["assignments"]
    ]
    assert [(t["contact"], t["sender_profile"], t["due_day"], t["done_day"]) for t in tree["tasks"]] == [
        (t["contact"], t["sender_profile"], t["due_day"], t["done_day"]) for t in line["tasks"]
    ]
    assert any(a.get("moved_from") == "bob" for a in tree["assignments"])


# -- the rule on plain values (what the path run and the workspace will call) ----------------------------


def roster(*profiles: str) -> BranchRoster:
    return BranchRoster(Attachment(p, 1, order=i) for i, p in enumerate(profiles))


def test_move_contacts_moves_the_uncontacted_in_order_and_keeps_the_others():
    branch = roster("anna", "bob", "omar")
    move = move_contacts(
        branch,
        "bob",
        [("c1", True), ("c4", False), ("c7", False)],
        KnownFacts({}, {}),
        ignore_previous_interactions=False,
    )
    assert [(a.contact, a.profile, a.reason) for a in move.moved] == [
        ("c4", "anna", Reason.EVEN_DISTRIBUTION),
        ("c7", "omar", Reason.EVEN_DISTRIBUTION),
    ]
    assert move.staying == ["c1"] and move.state is ProfileState.DRAINING
    assert branch.get("bob").state is ProfileState.DRAINING


def test_move_contacts_follows_a_previous_interaction():
    branch = roster("anna", "bob", "omar")
    facts = KnownFacts({}, {"c4": [(-2, 0, "omar")]})
    move = move_contacts(branch, "bob", [("c4", False)], facts, ignore_previous_interactions=False)
    assert [(a.profile, a.reason) for a in move.moved] == [("omar", Reason.PREVIOUS_INTERACTION)]
    assert move.state is ProfileState.REMOVED


def test_move_contacts_refused_changes_nothing():
    branch = roster("bob")
    with pytest.raises(RosterError):
        move_contacts(branch, "bob", [("c1", False)], KnownFacts({}, {}), ignore_previous_interactions=False)
    assert branch.get("bob").state is ProfileState.ACTIVE


def test_the_roster_alone_says_the_contacts_must_move():
    removal = roster("anna", "bob").remove("bob", started=True, mode=RemovalMode.MOVE)
    assert removal.move_contacts and not removal.cancel_tasks and removal.state is ProfileState.DRAINING


def test_the_readable_summary_says_where_a_moved_contact_came_from():
    from builder.engine.report import to_text

    text = to_text(simulate(parse_scenario(scenario())))
    assert "even distribution, moved from bob" in text


def test_a_resumed_run_moves_only_the_contacts_with_no_done_task_before_today():
    def enrollment(contact: str, done: bool) -> dict[str, Any]:
        first = {"step": 0, "status": "done" if done else "pending", "due_day": -2, "done_day": -2 if done else None}
        second = {"step": 2, "status": "pending", "due_day": 1 if done else None, "done_day": None}
        return {
            "contact": contact,
            "branch": "main",
            "sender_profile": "bob",
            "reason": "even_distribution",
            "day": -2,
            "status": "active",
            "tasks": [first, second],
        }

    data = scenario(people=2, events=[remove(0, "bob")])
    data["state"] = {
        "automation": "running",
        "sender_profiles": {
            "main": [
                {"sender_profile": "anna", "state": "active", "weight": 1, "rotation": 0},
                {"sender_profile": "bob", "state": "active", "weight": 1, "rotation": 0},
            ]
        },
        "enrollments": [enrollment("c0", True), enrollment("c1", False)],
    }
    result = run(data)
    found = assignments(result)
    assert (found["c0"]["sender_profile"], "moved_from" in found["c0"]) == ("bob", False)
    assert (found["c1"]["sender_profile"], found["c1"]["moved_from"]) == ("anna", "bob")
    connect = next(t for t in result["tasks"] if t["contact"] == "c1" and t["type"] == "linkedin_connect")
    assert (connect["sender_profile"], connect["due_day"], connect["done_day"]) == ("anna", -2, 0)
