"""Messages of action steps in the workspace (SPEC §11): kept in the node's settings, checked before the start,
carried by scenario files, filled in for a task's contact."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from builder.engine.report import result_object
from builder.engine.scenario import parse_scenario
from builder.engine.simulation import simulate
from builder.store.database import WorkspaceError
from builder.store.running import StartRefused
from builder.store.scenario_import import load_into
from builder.store.workspace import Workspace
from tests.store.builders import build_outreach

NOTE = "Hi {{first_name|there}}, glad to connect. {{sender_first_name}}"
MESSAGE = "Thanks {{ first_name }}! How is {{company|your team}} doing?"


def _flow(ws: Workspace):
    anna = ws.create_sender_profile("Anna Berg", daily_limit=10)
    ws.add_contacts(
        [
            {"name": "Maya Becker", "company": "Ledgerly", "linkedin_url": "https://www.linkedin.com/in/maya"},
            {"name": "Liam", "tags": []},
        ]
    )
    ws.add_contacts(
        [{"name": "Noah Rossi Silva", "company": "Tallyhive", "tags": ["cto"]}, {"name": "Ava", "tags": ["cto"]}]
    )
    flow = build_outreach(ws)
    ws.attach_sender_profile(flow.profile_node, anna)
    return flow


def _problems(ws: Workspace, automation: int) -> list[tuple[int | None, str, bool]]:
    return [(p.node, p.code, p.blocking) for p in ws.problems(automation)]


def test_a_message_is_kept_in_the_step_and_found_after_reopening(open_workspace: Callable[..., Workspace]):
    ws = open_workspace()
    flow = _flow(ws)
    connect, _wait, message = flow.steps
    heard = []
    ws.subscribe(heard.append)
    ws.set_node_settings(connect, {"text": NOTE})
    ws.set_node_settings(message, {"text": MESSAGE})
    assert [c.what for c in heard] == ["graph", "graph"]
    ws.close()
    ws = open_workspace()
    assert ws.node_settings(connect) == {"text": NOTE}
    assert ws.node_settings(message) == {"text": MESSAGE}
    assert _problems(ws, flow.automation) == []
    with pytest.raises(WorkspaceError, match="keep their message only"):
        ws.set_node_settings(message, {"tag": "x"})


def test_a_missing_message_is_asked_for_and_does_not_keep_the_start_back(open_workspace: Callable[..., Workspace]):
    ws = open_workspace()
    flow = _flow(ws)
    _connect, _wait, message = flow.steps
    # The connect note is optional; the LinkedIn message is asked for.
    (problem,) = ws.problems(flow.automation)
    assert (problem.node, problem.code, problem.blocking) == (message, "text_missing", False)
    assert problem.message == "Write the message of 'LinkedIn message 1' before starting."
    assert ws.start(flow.automation) == 2


def test_problems_asked_again_follow_every_change_here_and_in_another_process(
    open_workspace: Callable[..., Workspace],
):
    """The bar and the canvas ask after every change; what they get is never older than the workspace."""
    ws = open_workspace()
    flow = _flow(ws)
    _connect, _wait, message = flow.steps
    assert _problems(ws, flow.automation) == [(message, "text_missing", False)]
    assert _problems(ws, flow.automation) == [(message, "text_missing", False)]  # asked again: the same
    other = open_workspace()  # another window, another process
    other.set_node_settings(message, {"text": "Hi {{firstname}}"})
    assert [code for _, code, _ in _problems(ws, flow.automation)] == ["text_template"]
    ws.set_node_settings(message, {"text": MESSAGE})
    ws.set_node_settings(_connect, {"text": "{{first_name}} " + "x" * 290})  # over 300 for a first name of 10+
    assert _problems(ws, flow.automation) == []
    other.add_contacts([{"name": "Maximiliana Ortiz", "tags": ["cto"]}])  # a contact changes the count
    assert _problems(ws, flow.automation) == [(_connect, "note_over_limit", True)]


def test_unknown_variables_broken_braces_and_long_notes_are_problems_on_their_node(
    open_workspace: Callable[..., Workspace],
):
    ws = open_workspace()
    flow = _flow(ws)
    connect, _wait, message = flow.steps
    ws.set_node_settings(message, {"text": "Hi {{firstname}}"})
    ws.set_node_settings(connect, {"text": "Hi {{first_name"})
    problems = {p.node: p for p in ws.problems(flow.automation)}
    assert problems[message].code == "text_template" and problems[message].blocking
    assert "There is no variable '{{firstname}}' at character 4 of the message of 'LinkedIn message 1'" in (
        problems[message].message
    )
    assert problems[connect].message.startswith("Fix the braces at character 4 of the connect note")
    with pytest.raises(StartRefused):
        ws.start(flow.automation)

    ws.set_node_settings(message, {"text": MESSAGE})
    ws.set_node_settings(connect, {"text": "x" * 301})
    ((node, code, blocking),) = _problems(ws, flow.automation)
    assert (node, code, blocking) == (connect, "note_too_long", True)
    ws.set_node_settings(connect, {"text": "x" * 300})
    assert _problems(ws, flow.automation) == []

    # 292 characters and a company: over 300 for Noah (Tallyhive), not for Ava (none).
    ws.set_node_settings(connect, {"text": "x" * 292 + "{{company}}"})
    (problem,) = ws.problems(flow.automation)
    assert (problem.node, problem.code, problem.blocking) == (connect, "note_over_limit", True)
    assert "over 300 characters once filled in for 1 contact:" in problem.message
    facts = ws.message_facts(connect)
    assert (facts.total, facts.over_limit, facts.lacking["company"]) == (2, 1, 1)
    assert [c.name for c in facts.contacts] == ["Noah Rossi Silva", "Ava"] and facts.sender_name == "Anna Berg"


def test_a_started_automation_takes_new_words_but_not_broken_ones(open_workspace: Callable[..., Workspace]):
    ws = open_workspace()
    flow = _flow(ws)
    connect, _wait, message = flow.steps
    ws.set_node_settings(connect, {"text": NOTE})
    ws.set_node_settings(message, {"text": MESSAGE})
    ws.start(flow.automation)
    with pytest.raises(WorkspaceError, match=r"must stay ready.*firstname"):
        ws.set_node_settings(connect, {"text": "Hi {{firstname}}"})
    ws.set_node_settings(connect, {"text": "Hello {{first_name}}"})
    task = next(t for t in ws.plan_today()[ws.sender_profiles()[0].id] if t.contact_name == "Noah Rossi Silva")
    assert ws.task_message(task.task_id).text == "Hello Noah"


def test_a_task_message_is_filled_in_for_its_contact_and_sender(open_workspace: Callable[..., Workspace]):
    ws = open_workspace()
    flow = _flow(ws)
    ws.set_node_settings(flow.steps[0], {"text": NOTE})
    ws.start(flow.automation)
    (noah, ava) = ws.plan_today()[ws.sender_profiles()[0].id]
    assert ws.task_message(noah.task_id).text == "Hi Noah, glad to connect. Anna"
    assert ws.task_message(ava.task_id).text == "Hi Ava, glad to connect. Anna"
    assert ws.task_message(ava.task_id).linkedin_url is None
    with pytest.raises(WorkspaceError):
        ws.task_message(10**6)
    # Today's plan reads them all at once: the same messages, a task gone left out
    assert ws.task_messages([noah.task_id, ava.task_id, 10**6]) == {
        noah.task_id: ws.task_message(noah.task_id),
        ava.task_id: ws.task_message(ava.task_id),
    }


def test_messages_go_out_in_the_scenario_and_come_back_in(open_workspace: Callable[..., Workspace], tmp_path):
    ws = open_workspace()
    flow = _flow(ws)
    connect, _wait, message = flow.steps
    ws.set_node_settings(connect, {"text": NOTE})
    ws.set_node_settings(message, {"text": MESSAGE})
    email = ws.add_node(flow.automation, "email")
    ws.connect(message, email)
    ws.set_node_settings(email, {"subject": "Hello {{first_name}}", "text": "Dear {{name}},"})
    data = json.loads(json.dumps(ws.scenario_for(flow.automation, days=5)))
    steps = data["automation"]["branches"][0]["steps"]
    assert [(s["type"], s.get("subject"), s.get("text")) for s in steps if s["type"] != "wait"] == [
        ("linkedin_connect", None, NOTE),
        ("linkedin_message", None, MESSAGE),
        ("email", "Hello {{first_name}}", "Dear {{name}},"),
    ]
    # The forecast fills the messages with the contacts' own companies (SPEC §11).
    assert {c["name"]: c.get("company") for c in data["contacts"]}["Noah Rossi Silva"] == "Tallyhive"
    forecast = result_object(simulate(parse_scenario(data)))
    assert "Thanks Noah! How is Tallyhive doing?" in [t.get("message") for t in forecast["tasks"]]
    with Workspace.open(tmp_path / "loaded.db") as other:
        loaded = load_into(other, parse_scenario(data))
        kept = {n.kind.value: n.settings for n in other.nodes(loaded.automation_id) if n.kind.is_action}
    assert kept == {
        "linkedin_connect": {"text": NOTE},
        "linkedin_message": {"text": MESSAGE},
        "email": {"subject": "Hello {{first_name}}", "text": "Dear {{name}},"},
    }
