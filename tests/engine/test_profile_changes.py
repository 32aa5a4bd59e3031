"""SPEC §5 and §6 on small scenarios: changing an automation's profiles, pausing, limits.

Each test builds its scenario in code and reads the SPEC §7 result object.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from builder.engine.report import result_object
from builder.engine.scenario import ScenarioError, parse_scenario
from builder.engine.simulation import simulate

CONNECT = {"type": "linkedin_connect"}
MESSAGE = {"type": "linkedin_message"}
EMAIL = {"type": "email"}


def wait(days: int) -> dict[str, Any]:
    return {"type": "wait", "days": days}


def contacts(*ids: str, tag: str = "lead") -> list[dict[str, Any]]:
    return [{"id": cid, "tags": [tag]} for cid in ids]


def branch(profiles: list[str], *, id: str = "main", tag: str = "lead", steps: list | None = None) -> dict[str, Any]:
    return {"id": id, "segment": {"tags_any": [tag]}, "sender_profiles": profiles, "steps": steps or [EMAIL]}


def scenario(
    *,
    profiles: dict[str, int] | list[str] = ("anna", "omar"),
    people: list[dict[str, Any]] | None = None,
    branches: list[dict[str, Any]] | None = None,
    events: list[dict[str, Any]] | None = None,
    days: int | None = 6,
) -> dict[str, Any]:
    """A scenario dict: ``profiles`` maps id → daily limit (or lists ids, limit 50)."""
    limits = profiles if isinstance(profiles, dict) else dict.fromkeys(profiles, 50)
    data: dict[str, Any] = {
        "sender_profiles": [{"id": pid, "daily_limit": limit} for pid, limit in limits.items()],
        "contacts": people if people is not None else contacts("c0", "c1", "c2", "c3"),
        "automation": {"name": "Test", "branches": branches or [branch(list(limits))]},
        "events": events if events is not None else [{"day": 0, "type": "start"}],
    }
    if days is not None:
        data["days"] = days
    return data


def run(data: dict[str, Any]) -> dict[str, Any]:
    return result_object(simulate(parse_scenario(data)))


def add_profile(day: int, profile: str, branch_id: str = "main") -> dict[str, Any]:
    return {"day": day, "type": "add_sender_profile", "branch": branch_id, "sender_profile": profile}


def remove_profile(day: int, profile: str, mode: str | None = None, branch_id: str = "main") -> dict[str, Any]:
    event = {"day": day, "type": "remove_sender_profile", "branch": branch_id, "sender_profile": profile}
    if mode is not None:
        event["mode"] = mode
    return event


def add_contacts(day: int, *ids: str) -> dict[str, Any]:
    return {"day": day, "type": "add_contacts", "contacts": contacts(*ids)}


def who_goes_where(result: dict[str, Any]) -> dict[str, str | None]:
    return {a["contact"]: a["sender_profile"] for a in result["assignments"]}


def assignment(result: dict[str, Any], contact: str) -> dict[str, Any]:
    return next(a for a in result["assignments"] if a["contact"] == contact)


def tasks_of(result: dict[str, Any], contact: str) -> list[dict[str, Any]]:
    return [t for t in result["tasks"] if t["contact"] == contact]


def done_by_day(result: dict[str, Any]) -> dict[int, set[tuple[str, int]]]:
    """The (contact, step) of every done task, per day it was done."""
    days: dict[int, set[tuple[str, int]]] = {}
    for task in result["tasks"]:
        if task["status"] == "done":
            days.setdefault(task["done_day"], set()).add((task["contact"], task["step"]))
    return days


# -- draft ------------------------------------------------------------------------


def test_removing_in_a_draft_just_detaches_the_profile():
    result = run(scenario(events=[remove_profile(0, "omar"), {"day": 0, "type": "start"}]))
    assert result["sender_profiles"] == {"anna": {"main": "active"}}
    assert set(who_goes_where(result).values()) == {"anna"}


def test_adding_in_a_draft_just_extends_the_list():
    data = scenario(branches=[branch(["anna"])], events=[add_profile(0, "omar"), {"day": 0, "type": "start"}])
    result = run(data)
    assert who_goes_where(result) == {"c0": "anna", "c1": "omar", "c2": "anna", "c3": "omar"}


# -- adding while running ---------------------------------------------------------


def test_adding_while_running_keeps_old_contacts_and_spreads_new_ones_over_all():
    data = scenario(
        profiles=["anna", "omar", "lena"],
        branches=[branch(["anna", "omar"])],
        events=[{"day": 0, "type": "start"}, add_profile(1, "lena"), add_contacts(2, "n0", "n1", "n2")],
    )
    result = run(data)
    assert who_goes_where(result) == {
        "c0": "anna",
        "c1": "omar",
        "c2": "anna",
        "c3": "omar",
        "n0": "anna",
        "n1": "omar",
        "n2": "lena",
    }
    assert result["sender_profiles"]["lena"] == {"main": "active"}


def test_adding_while_paused_is_allowed_and_takes_new_contacts():
    data = scenario(
        branches=[branch(["anna"])],
        events=[
            {"day": 0, "type": "start"},
            {"day": 1, "type": "pause"},
            add_profile(1, "omar"),
            add_contacts(1, "n0", "n1"),
        ],
    )
    newcomers = {c: p for c, p in who_goes_where(run(data)).items() if c.startswith("n")}
    assert newcomers == {"n0": "anna", "n1": "omar"}


# -- removing while running: cancel ------------------------------------------------


def cancel_scenario() -> dict[str, Any]:
    """anna and omar with limit 1 each, two steps; omar removed with cancel on day 1."""
    return scenario(
        profiles={"anna": 1, "omar": 1},
        branches=[branch(["anna", "omar"], steps=[CONNECT, wait(1), MESSAGE])],
        events=[{"day": 0, "type": "start"}, remove_profile(1, "omar", "cancel")],
    )


def test_remove_with_cancel_cancels_the_profiles_pending_tasks():
    result = run(cancel_scenario())
    omar_tasks = [t for t in result["tasks"] if t["sender_profile"] == "omar"]
    assert [(t["contact"], t["step"], t["status"]) for t in omar_tasks] == [
        ("c1", 0, "done"),
        ("c1", 2, "canceled"),
        ("c3", 0, "canceled"),
        ("c3", 2, "canceled"),
    ]


def test_remove_with_cancel_cancels_enrollments_and_moves_nobody():
    result = run(cancel_scenario())
    statuses = {a["contact"]: (a["sender_profile"], a["status"]) for a in result["assignments"]}
    assert statuses == {
        "c0": ("anna", "active"),
        "c1": ("omar", "canceled"),
        "c2": ("anna", "active"),
        "c3": ("omar", "canceled"),
    }


def test_remove_with_cancel_marks_the_profile_removed():
    result = run(cancel_scenario())
    assert result["sender_profiles"] == {"anna": {"main": "active"}, "omar": {"main": "removed"}}
    assert result["profile_totals"]["omar"]["main"]["tasks"] == {"pending": 0, "done": 1, "canceled": 3}


def test_removed_profile_gets_no_new_contacts():
    data = cancel_scenario()
    data["events"].append(add_contacts(2, "n0", "n1"))
    result = run(data)
    assert who_goes_where(result)["n0"] == "anna"
    assert who_goes_where(result)["n1"] == "anna"


# -- removing while running: continue -----------------------------------------------


def test_remove_with_continue_drains_the_profile():
    data = scenario(
        profiles={"anna": 1, "omar": 1},
        branches=[branch(["anna", "omar"], steps=[CONNECT, wait(1), MESSAGE])],
        events=[{"day": 0, "type": "start"}, remove_profile(1, "omar", "continue"), add_contacts(1, "n0", "n1")],
        days=10,
    )
    result = run(data)
    assert result["sender_profiles"]["omar"] == {"main": "draining"}
    omar_tasks = [t for t in result["tasks"] if t["sender_profile"] == "omar"]
    assert {t["contact"] for t in omar_tasks} == {"c1", "c3"}
    assert all(t["status"] == "done" for t in omar_tasks)
    assert [assignment(result, c)["status"] for c in ("c1", "c3")] == ["active", "active"]
    assert who_goes_where(result)["n0"] == who_goes_where(result)["n1"] == "anna"


# -- re-attaching --------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["continue", "cancel"])
def test_reattaching_makes_the_profile_active_at_the_end_of_the_attach_order(mode: str):
    data = scenario(
        people=[],
        events=[
            {"day": 0, "type": "start"},
            remove_profile(1, "anna", mode),
            add_profile(2, "anna"),
            add_contacts(3, "n0", "n1", "n2"),
        ],
    )
    result = run(data)
    assert result["sender_profiles"]["anna"] == {"main": "active"}
    # omar is now first in attach order, so the fresh rotation starts with him.
    assert who_goes_where(result) == {"n0": "omar", "n1": "anna", "n2": "omar"}


# -- removing needs a mode once started ------------------------------------------------


def test_removing_without_mode_after_start_names_the_event():
    data = scenario(events=[{"day": 0, "type": "start"}, remove_profile(1, "omar")])
    with pytest.raises(ScenarioError) as raised:
        run(data)
    assert len(raised.value.problems) == 1
    assert raised.value.problems[0].startswith("events[1].mode: ")
    assert "cancel or continue" in raised.value.problems[0]


def test_event_path_is_its_place_in_the_file_even_when_days_are_out_of_order():
    data = scenario(events=[remove_profile(1, "omar"), {"day": 0, "type": "start"}])
    with pytest.raises(ScenarioError) as raised:
        run(data)
    assert raised.value.problems[0].startswith("events[0].mode: ")


def test_adding_a_profile_already_active_names_the_event():
    data = scenario(events=[{"day": 0, "type": "start"}, add_profile(1, "anna")])
    with pytest.raises(ScenarioError) as raised:
        run(data)
    assert raised.value.problems == ["events[1]: This sender profile is already in the branch."]


def test_starting_without_profiles_names_the_event_and_the_node():
    data = scenario(branches=[branch([])])
    with pytest.raises(ScenarioError) as raised:
        run(data)
    assert raised.value.problems[0].startswith("events[0]: cannot start")
    assert "Add a sender profile to 'Sender Profile of main' before starting." in raised.value.problems[0]


# -- waiting contacts (R4) --------------------------------------------------------------


def test_waiting_contacts_are_assigned_first_and_in_enrollment_order_when_a_profile_appears():
    data = scenario(
        profiles={"anna": 1, "omar": 1},
        people=[],
        branches=[branch(["anna"])],
        events=[
            {"day": 0, "type": "start"},
            remove_profile(0, "anna", "cancel"),
            add_contacts(1, "w0", "w1"),
            add_profile(3, "omar"),
            add_contacts(3, "n0"),
        ],
        days=8,
    )
    result = run(data)
    assert [(a["contact"], a["sender_profile"], a["day"], a["status"]) for a in result["assignments"]] == [
        ("w0", "omar", 1, "active"),
        ("w1", "omar", 1, "active"),
        ("n0", "omar", 3, "active"),
    ]
    assert done_by_day(result) == {3: {("w0", 0)}, 4: {("w1", 0)}, 5: {("n0", 0)}}
    assert [t["due_day"] for t in result["tasks"]] == [1, 1, 3]


def test_contacts_wait_while_no_profile_is_assignable():
    data = scenario(
        branches=[branch(["anna"])],
        people=[],
        events=[{"day": 0, "type": "start"}, remove_profile(0, "anna", "continue"), add_contacts(1, "w0")],
        days=3,
    )
    result = run(data)
    assert result["assignments"] == [
        {"contact": "w0", "branch": "main", "sender_profile": None, "reason": None, "day": 1, "status": "waiting"}
    ]
    assert result["tasks"] == []
    assert any("w0" in warning and "waits" in warning for warning in result["warnings"])


# -- pausing --------------------------------------------------------------------------------


def test_paused_automation_enrolls_but_does_no_tasks():
    data = scenario(
        profiles=["anna"],
        people=contacts("c0"),
        events=[
            {"day": 0, "type": "start"},
            {"day": 0, "type": "pause"},
            add_contacts(1, "n0"),
            {"day": 3, "type": "resume"},
        ],
    )
    result = run(data)
    assert [(a["contact"], a["day"], a["status"]) for a in result["assignments"]] == [
        ("c0", 0, "active"),
        ("n0", 1, "active"),
    ]
    assert result["forecast"]["done_per_day"]["anna"][:3] == [0, 0, 0]
    assert done_by_day(result) == {3: {("c0", 0), ("n0", 0)}}


# -- daily limits and order (SPEC §5) ----------------------------------------------------------


def test_daily_limit_and_oldest_due_first_then_enrollment_order():
    data = scenario(
        profiles={"anna": 2},
        people=contacts("c0", "c1", "c2", "c3", "c4"),
        branches=[branch(["anna"], steps=[CONNECT, wait(1), MESSAGE])],
        days=5,
    )
    result = run(data)
    assert result["forecast"]["done_per_day"]["anna"] == [2, 2, 2, 2, 2]
    assert done_by_day(result) == {
        0: {("c0", 0), ("c1", 0)},
        1: {("c2", 0), ("c3", 0)},  # connects due since day 0 before messages due day 1
        2: {("c4", 0), ("c0", 2)},  # c4's connect (due 0) first; then c0's message before c1's
        3: {("c1", 2), ("c2", 2)},
        4: {("c3", 2), ("c4", 2)},
    }


def test_next_step_without_a_wait_is_due_the_same_day_and_comes_before_later_enrollments():
    data = scenario(
        profiles={"anna": 2},
        people=contacts("c0", "c1"),
        branches=[branch(["anna"], steps=[CONNECT, MESSAGE])],
        days=2,
    )
    assert done_by_day(run(data)) == {0: {("c0", 0), ("c0", 1)}, 1: {("c1", 0), ("c1", 1)}}


def test_a_wait_delays_the_next_task_from_the_day_the_previous_was_done():
    data = scenario(
        profiles={"anna": 1},
        people=contacts("c0", "c1"),
        branches=[branch(["anna"], steps=[wait(1), CONNECT, wait(2), MESSAGE])],
        days=8,
    )
    result = run(data)
    assert [(t["contact"], t["step"], t["due_day"], t["done_day"]) for t in result["tasks"]] == [
        ("c0", 1, 1, 1),
        ("c0", 3, 3, 3),
        ("c1", 1, 1, 2),
        ("c1", 3, 4, 4),
    ]


def test_profile_with_daily_limit_zero_does_nothing():
    data = scenario(profiles={"anna": 0}, people=contacts("c0"), days=3)
    result = run(data)
    assert result["forecast"]["done_per_day"]["anna"] == [0, 0, 0]
    assert [t["status"] for t in result["tasks"]] == ["pending"]


def test_two_branches_sharing_a_profile_share_its_daily_limit():
    data = scenario(
        profiles={"anna": 1},
        people=[*contacts("a0", tag="ops"), *contacts("b0", tag="sales"), *contacts("a1", tag="ops")],
        branches=[branch(["anna"], id="ops", tag="ops"), branch(["anna"], id="sales", tag="sales")],
        days=4,
    )
    result = run(data)
    assert result["forecast"]["done_per_day"]["anna"] == [1, 1, 1, 0]
    assert done_by_day(result) == {0: {("a0", 0)}, 1: {("b0", 0)}, 2: {("a1", 0)}}


def test_without_a_day_count_the_run_stops_once_nothing_is_pending():
    data = scenario(profiles={"anna": 5}, people=contacts("c0"), days=None)
    result = run(data)
    assert result["days"] == 1
    assert result["forecast"]["branches"]["main"]["finished_day"] == 0


def test_removing_with_cancel_from_one_branch_leaves_the_other_branch_alone():
    data = scenario(
        profiles={"anna": 1},
        people=[*contacts("a0", tag="ops"), *contacts("b0", tag="sales")],
        branches=[branch(["anna"], id="ops", tag="ops"), branch(["anna"], id="sales", tag="sales")],
        events=[{"day": 0, "type": "start"}, remove_profile(0, "anna", "cancel", branch_id="ops")],
        days=3,
    )
    result = run(data)
    assert result["sender_profiles"] == {"anna": {"ops": "removed", "sales": "active"}}
    assert [(a["contact"], a["status"]) for a in result["assignments"]] == [("a0", "canceled"), ("b0", "active")]
    assert done_by_day(result) == {0: {("b0", 0)}}


# -- warnings ------------------------------------------------------------------------------


def test_an_override_the_branch_cannot_use_is_warned_about_and_the_next_rule_decides():
    data = scenario(people=contacts("c0"), branches=[branch(["anna"])])
    data["overrides"] = [{"contact": "c0", "sender_profile": "omar"}]
    result = run(data)
    assert assignment(result, "c0")["sender_profile"] == "anna"
    assert assignment(result, "c0")["reason"] == "even_distribution"
    assert any("c0" in warning and "omar" in warning for warning in result["warnings"])


def test_an_override_set_before_a_contact_joins_decides_its_profile():
    data = scenario(
        people=[],
        events=[
            {"day": 0, "type": "start"},
            {"day": 1, "type": "set_override", "contacts": ["n0"], "sender_profile": "omar"},
            add_contacts(2, "n0"),
        ],
    )
    newcomer = assignment(run(data), "n0")
    assert (newcomer["sender_profile"], newcomer["reason"]) == ("omar", "override")


def test_clearing_an_override_with_null_lets_the_rotation_decide():
    data = scenario(
        people=[],
        events=[
            {"day": 0, "type": "start"},
            {"day": 1, "type": "set_override", "contacts": ["n0"], "sender_profile": "omar"},
            {"day": 1, "type": "set_override", "contacts": ["n0"], "sender_profile": None},
            add_contacts(2, "n0"),
        ],
    )
    newcomer = assignment(run(data), "n0")
    assert (newcomer["sender_profile"], newcomer["reason"]) == ("anna", "even_distribution")


STATES = Path(__file__).resolve().parents[1] / "data" / "state"


def test_tasks_done_today_count_against_the_limit_even_when_the_state_does_not_say_so():
    from builder.engine.scenario import load_scenario

    result = simulate(load_scenario(STATES / "done-today-unsaid.json"))
    assert result.done_per_day["anna"] == [2, 2]  # two done today already: c3 waits until tomorrow


def test_a_state_whose_tasks_skip_a_step_is_refused_by_where():
    from builder.engine.scenario import load_scenario

    with pytest.raises(ScenarioError) as raised:
        load_scenario(STATES / "task-missing.json")
    assert "state.enrollments[0].tasks: must list the branch's action steps [0, 2], each once" in raised.value.problems
