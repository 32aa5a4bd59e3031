"""SPEC §12 on small scenarios: limits per action kind, per rolling week, working days and start_weekday.

One test per sentence of §12's first two paragraphs; each builds its scenario
in code and reads the SPEC §7 result object.
"""

from __future__ import annotations

from typing import Any

from builder.engine.report import result_object, to_json
from builder.engine.scenario import parse_scenario
from builder.engine.simulation import simulate

CONNECT = {"type": "linkedin_connect"}
MESSAGE = {"type": "linkedin_message"}
EMAIL = {"type": "email"}
MONDAY, THURSDAY, SATURDAY = 0, 3, 5
WEEKDAYS = [0, 1, 2, 3, 4]


def wait(days: int) -> dict[str, Any]:
    return {"type": "wait", "days": days}


def scenario(
    anna: dict[str, Any],
    *,
    people: int = 4,
    branches: list[dict[str, Any]] | None = None,
    steps: list[dict[str, Any]] | None = None,
    events: list[dict[str, Any]] | None = None,
    start_weekday: int | None = None,
    days: int | None = 21,
) -> dict[str, Any]:
    """One profile, ``anna`` (its §12 fields given), and ``people`` contacts c0… in one branch."""
    data: dict[str, Any] = {
        "sender_profiles": [{"id": "anna", **anna}],
        "contacts": [{"id": f"c{i}", "tags": ["lead"]} for i in range(people)],
        "automation": {
            "name": "Limits",
            "branches": branches
            or [{"id": "main", "segment": {"all": True}, "sender_profiles": ["anna"], "steps": steps or [CONNECT]}],
        },
        "events": events if events is not None else [{"day": 0, "type": "start"}],
    }
    if start_weekday is not None:
        data["start_weekday"] = start_weekday
    if days is not None:
        data["days"] = days
    return data


def run(data: dict[str, Any]) -> dict[str, Any]:
    return result_object(simulate(parse_scenario(data)))


def done_days(result: dict[str, Any], kind: str | None = None) -> dict[str, int | None]:
    """contact (and step, when several) -> the day its task was done."""
    return {task["contact"]: task["done_day"] for task in result["tasks"] if kind is None or task["type"] == kind}


# -- limits per action kind per day ----------------------------------------------------------------


def test_a_limit_per_action_kind_caps_that_kind_each_day():
    result = run(scenario({"daily_limit": 10, "limits": {"linkedin_connect": 2}}, people=5))
    assert done_days(result) == {"c0": 0, "c1": 0, "c2": 1, "c3": 1, "c4": 2}


def test_a_task_over_its_kinds_limit_is_passed_over_and_the_others_go_on():
    # Two branches: connects (limit 1 a day) for c0..c1, emails for c2..c3; daily_limit 3 for all.
    branches = [
        {"id": "li", "segment": {"contacts": ["c0", "c1"]}, "sender_profiles": ["anna"], "steps": [CONNECT]},
        {"id": "mail", "segment": {"contacts": ["c2", "c3"]}, "sender_profiles": ["anna"], "steps": [EMAIL]},
    ]
    result = run(scenario({"daily_limit": 3, "limits": {"linkedin_connect": 1}}, branches=branches))
    assert done_days(result) == {"c0": 0, "c1": 1, "c2": 0, "c3": 0}


def test_a_passed_over_task_stays_due_in_its_place_and_comes_before_later_ones():
    # c1's connect is passed over on day 0 and still comes before c2's, which falls due on day 1.
    events = [
        {"day": 0, "type": "start"},
        {"day": 1, "type": "add_contacts", "contacts": [{"id": "c2", "tags": ["lead"]}]},
    ]
    result = run(scenario({"daily_limit": 5, "limits": {"linkedin_connect": 1}}, people=2, events=events))
    tasks = {t["contact"]: t for t in result["tasks"]}
    assert (tasks["c1"]["due_day"], tasks["c1"]["done_day"]) == (0, 1)
    assert (tasks["c2"]["due_day"], tasks["c2"]["done_day"]) == (1, 2)


def test_with_limits_per_kind_the_order_is_still_oldest_due_first_then_enrollment_order():
    # c1's connect (due day 0, passed over by the daily limit) goes before c0's email (due day 1).
    anna = {"daily_limit": 1, "limits": {"linkedin_message": 5}}
    result = run(scenario(anna, people=2, steps=[CONNECT, wait(1), EMAIL]))
    assert done_days(result, "linkedin_connect") == {"c0": 0, "c1": 1}
    assert done_days(result, "email") == {"c0": 2, "c1": 3}


def test_with_limits_per_kind_tasks_of_different_kinds_due_the_same_day_go_in_enrollment_order():
    # c0, c2 get a connect and c1, c3 an email, all due on day 0: two a day, in enrollment order.
    branches = [
        {"id": "li", "segment": {"contacts": ["c0", "c2"]}, "sender_profiles": ["anna"], "steps": [CONNECT]},
        {"id": "mail", "segment": {"contacts": ["c1", "c3"]}, "sender_profiles": ["anna"], "steps": [EMAIL]},
    ]
    result = run(scenario({"daily_limit": 2, "limits": {"linkedin_message": 5}}, branches=branches))
    assert done_days(result) == {"c0": 0, "c1": 0, "c2": 1, "c3": 1}


def test_with_limits_per_kind_a_task_falling_due_during_the_work_takes_its_place():
    # c0's second email falls due when its first is done (no wait) and comes before c1's first (SPEC §5).
    anna = {"daily_limit": 2, "limits": {"linkedin_connect": 5}}
    result = run(scenario(anna, people=2, steps=[EMAIL, wait(0), EMAIL]))
    assert [(t["contact"], t["step"], t["done_day"]) for t in result["tasks"]] == [
        ("c0", 0, 0),
        ("c0", 2, 0),
        ("c1", 0, 1),
        ("c1", 2, 1),
    ]


def test_the_daily_limit_still_stops_all_actions_together():
    result = run(scenario({"daily_limit": 2, "limits": {"linkedin_connect": 5}}, people=5))
    assert result["forecast"]["done_per_day"]["anna"][:3] == [2, 2, 1]


def test_a_limit_of_zero_means_none_of_that_kind_and_the_run_ends():
    result = run(scenario({"daily_limit": 5, "limits": {"linkedin_connect": 0}}, people=2, days=None))
    assert all(task["status"] == "pending" for task in result["tasks"])
    assert result["days"] == 1  # nothing can ever move: the run does not go on for years


# -- limits per kind over the last 7 days ------------------------------------------------------------


def test_a_weekly_limit_counts_this_day_and_the_six_before():
    # 2 connects a week: days 0..6 hold the first two, day 7 (day 0 has left the window) the next two.
    result = run(scenario({"daily_limit": 10, "weekly_limits": {"linkedin_connect": 2}}, people=5))
    assert done_days(result) == {"c0": 0, "c1": 0, "c2": 7, "c3": 7, "c4": 14}


def test_a_weekly_limit_is_a_rolling_window_not_a_calendar_week():
    # One connect a day, three a week: days 0, 1, 2; then day 7 (when day 0 leaves), 8, 9.
    anna = {"daily_limit": 10, "limits": {"linkedin_connect": 1}, "weekly_limits": {"linkedin_connect": 3}}
    result = run(scenario(anna, people=6, start_weekday=THURSDAY))
    assert list(done_days(result).values()) == [0, 1, 2, 7, 8, 9]


def test_a_weekly_limit_of_one_kind_leaves_the_other_kinds_alone():
    anna = {"daily_limit": 10, "weekly_limits": {"email": 1}}
    result = run(scenario(anna, people=2, steps=[CONNECT, EMAIL]))
    assert done_days(result, "linkedin_connect") == {"c0": 0, "c1": 0}
    assert done_days(result, "email") == {"c0": 0, "c1": 7}


# -- working days, start_weekday, waits --------------------------------------------------------------


def test_a_profile_does_no_task_on_a_day_it_does_not_work():
    # Day 0 is a Saturday: nothing until Monday, day 2.
    result = run(scenario({"daily_limit": 2, "working_days": WEEKDAYS}, people=3, start_weekday=SATURDAY))
    assert done_days(result) == {"c0": 2, "c1": 2, "c2": 3}
    assert result["forecast"]["done_per_day"]["anna"][:4] == [0, 0, 2, 1]


def test_start_weekday_is_day_zeros_weekday():
    on_monday = run(scenario({"working_days": [MONDAY]}, people=1, start_weekday=MONDAY))
    on_saturday = run(scenario({"working_days": [MONDAY]}, people=1, start_weekday=SATURDAY))
    assert done_days(on_monday) == {"c0": 0}
    assert done_days(on_saturday) == {"c0": 2}


def test_start_weekday_defaults_to_monday():
    result = run(scenario({"working_days": [1]}, people=1))  # works on Tuesdays only
    assert done_days(result) == {"c0": 1}


def test_waits_count_calendar_days_not_working_days():
    # Thursday: connect; the message falls due 2 calendar days later (Saturday) and is done on Monday.
    data = scenario({"working_days": WEEKDAYS}, people=1, steps=[CONNECT, wait(2), MESSAGE], start_weekday=THURSDAY)
    message = next(t for t in run(data)["tasks"] if t["type"] == "linkedin_message")
    assert (message["due_day"], message["done_day"]) == (2, 4)


def test_working_days_alone_keep_the_whole_slice_order():
    # No limit per kind: the fast path, still oldest due first, then enrollment order.
    result = run(scenario({"daily_limit": 3, "working_days": [0, 2, 4]}, people=7))
    assert done_days(result) == {"c0": 0, "c1": 0, "c2": 0, "c3": 2, "c4": 2, "c5": 2, "c6": 4}


# -- the state of a started automation ----------------------------------------------------------------


def test_this_automations_tasks_of_the_last_week_count_against_the_weekly_limit():
    # Resumed on day 0 with c0's connect done on day -3: a weekly limit of 2 leaves room for one until day 4.
    data = scenario({"daily_limit": 10, "weekly_limits": {"linkedin_connect": 2}}, people=3, events=[])
    data["state"] = {
        "automation": "running",
        "sender_profiles": {"main": [{"sender_profile": "anna", "state": "active", "weight": 1, "rotation": 0}]},
        "enrollments": [
            {
                "contact": f"c{i}",
                "branch": "main",
                "sender_profile": "anna",
                "reason": "even_distribution",
                "day": -3,
                "status": "active",
                "tasks": [
                    {"step": 0, "status": "done", "due_day": -3, "done_day": -3}
                    if i == 0
                    else {"step": 0, "status": "pending", "due_day": -3, "done_day": None}
                ],
            }
            for i in range(3)
        ],
    }
    assert done_days(run(data)) == {"c0": -3, "c1": 0, "c2": 4}


def test_old_scenarios_give_no_new_keys():
    data = scenario({"daily_limit": 2}, people=3)
    text = to_json(simulate(parse_scenario(data)))
    assert "moved_from" not in text and "limits" not in text and "working" not in text


def test_the_run_tells_which_limit_held_tasks_back_on_which_day():
    data = scenario({"daily_limit": 10, "weekly_limits": {"linkedin_connect": 2}}, people=3, days=8)
    held = simulate(parse_scenario(data)).held_back
    assert [(day, profile, hold.reason.value, hold.next_day) for day, profile, hold in held] == [
        (day, "anna", "weekly_limit", 7) for day in range(7)
    ]


def test_a_profile_its_weekly_limit_slows_down_is_told_to_raise_that_limit_not_the_daily_one():
    """The forecast's "finishes far later" warning names the limit that holds the profile back (SPEC §12)."""
    from builder.engine.preview import outlook

    def scenario(weekly: dict[str, int]) -> dict[str, Any]:
        return {
            "sender_profiles": [
                {"id": "anna", "daily_limit": 10, "weekly_limits": weekly},
                {"id": "bob", "daily_limit": 10},
            ],
            "contacts": [{"id": f"c{i}", "tags": []} for i in range(120)],
            "automation": {
                "name": "Slow",
                "branches": [
                    {"id": "b", "segment": {"all": True}, "sender_profiles": ["anna", "bob"],
                     "steps": [{"type": "linkedin_connect"}]}
                ],
            },
            "events": [{"day": 0, "type": "start"}],
            "days": 60,
        }  # fmt: skip

    held = [w for w in outlook(parse_scenario(scenario({"linkedin_connect": 14}))).warnings if "anna" in w]
    assert held and "limits per action hold it back: raise them or add a profile" in held[0]
    plain = outlook(parse_scenario(scenario({})))
    assert not [w for w in plain.warnings if "anna" in w]  # no limit of its own: as fast as Bob, nothing to say
