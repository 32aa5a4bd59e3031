"""The messages of action steps in the workspace (SPEC §11): who a step writes to, what they lack, each task's words.

A step's message is kept in its node's settings (``{"text": ..., "subject": ...}``,
see :mod:`builder.engine.node_settings`) and set with ``set_node_settings``.
Here are the reads around it, plain functions over a connection:

- :func:`message_facts`: for the step's settings, the contacts of its branch's
  segment (to preview the message for one), how many lack each variable the
  message uses, and how many would get a connect note over 300 characters;
- :func:`long_note_problems`: that last count as a §3 problem of a draft
  automation, read only when some contact could be over (a cheap bound first);
- :func:`task_message`: a task's message filled in for its contact and sender
  profile, for the person doing a LinkedIn task by hand.

Before the start a contact's sender profile is not known yet: the count of
long notes fills ``{{sender_name}}`` with the longest name attached to the
branch, so a note it says fits fits whoever sends it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from builder.engine import graph
from builder.engine.messages import (
    CONTACT_VARIABLES,
    MAX_CONNECT_NOTE,
    Slot,
    Template,
    TemplateError,
    contact_values,
    count_lacking,
)
from builder.engine.node_settings import message_parts
from builder.engine.words import NodeKind
from builder.store.loading import chunks, load_segment, parse_settings, query, segment_member_ids

EVERY_CONTACT_VARIABLE = Template.parse("".join(f"{{{{{v}}}}}" for v in CONTACT_VARIABLES))
PREVIEW_CONTACTS = 200  # contacts offered to preview a message for; the count covers them all


@dataclass(frozen=True)
class Recipient:
    """A contact as a message sees it."""

    id: int
    name: str
    company: str | None = None
    title: str | None = None
    linkedin_url: str | None = None


@dataclass(frozen=True)
class MessageFacts:
    """What a step's settings say beside its message (SPEC §11)."""

    contacts: list[Recipient]  # the first PREVIEW_CONTACTS of the branch's segment, in creation order
    total: int  # contacts in the segment
    sender_name: str | None  # the first sender profile attached to the branch: the preview's sender
    lacking: dict[str, int] = field(default_factory=dict)  # contacts without a value, per contact variable
    over_limit: int = 0  # contacts whose connect note is over 300 characters once filled in


@dataclass(frozen=True)
class TaskMessage:
    """A task's message filled in for its contact, and where to send it by hand."""

    contact_name: str
    subject: str | None
    text: str | None
    linkedin_url: str | None


def templates_of(kind: NodeKind, settings: Mapping[str, Any] | None) -> dict[str, Template]:
    """The step's message parts that are written and read as templates (a broken one is left out)."""
    found = {}
    for part in message_parts(kind):
        value = (settings or {}).get(part)
        if isinstance(value, str) and value:
            try:
                found[part] = Template.parse(value)
            except TemplateError:
                continue  # the automation's problems name it
    return found


def message_facts(conn: Connection, node_id: int) -> MessageFacts:
    ((kind, settings),) = query(conn, "SELECT kind, settings FROM node WHERE id = ?", (node_id,))
    kind = NodeKind(kind)
    templates = templates_of(kind, parse_settings(settings))
    segment_id, profile_node = _branch_of(conn, node_id)
    recipients = _recipients(conn, segment_id)
    senders = _sender_names(conn, profile_node)
    # Every contact variable is counted, so the settings can say it of a variable as soon as it is typed.
    lacking = count_lacking([EVERY_CONTACT_VARIABLE], recipients)
    note = templates.get("text") if kind is NodeKind.LINKEDIN_CONNECT else None
    return MessageFacts(
        recipients[:PREVIEW_CONTACTS],
        len(recipients),
        senders[0] if senders else None,
        lacking,
        _count_over(note, recipients, senders) if note is not None else 0,
    )


def long_note_problems(conn: Connection, automation_id: int) -> list[graph.Problem]:
    """A §3 problem for each connect note over 300 characters once filled in for some contacts of its branch.

    A note over 300 without its variables is the node's own problem already
    (:func:`builder.engine.node_settings.message_problems`). The contacts are
    read only when the longest values in the workspace could take the note over.
    """
    found = []
    notes = [
        (node_id, title, template)
        for node_id, title, settings in query(
            conn,
            "SELECT id, title, settings FROM node WHERE automation_id = ? AND kind = ? ORDER BY id",
            (automation_id, NodeKind.LINKEDIN_CONNECT.value),
        )
        if (template := templates_of(NodeKind.LINKEDIN_CONNECT, parse_settings(settings)).get("text")) is not None
        and template.variables
        and template.fixed_length <= MAX_CONNECT_NOTE
    ]
    if not notes:
        return []
    longest_name, longest_company, longest_title = query(
        conn, "SELECT max(length(name)), max(length(company)), max(length(title)) FROM contact"
    )[0]
    longest = {"name": longest_name or 0, "company": longest_company or 0, "title": longest_title or 0}
    for node_id, title, template in notes:
        segment_id, profile_node = _branch_of(conn, node_id)
        senders = _sender_names(conn, profile_node)
        longest_sender = max((len(s) for s in senders), default=0)
        bound = template.fixed_length
        for part in template.parts:
            if isinstance(part, Slot):
                # first_name and last_name are parts of the name: never longer than the longest name.
                most = longest.get(part.variable, longest["name"]) if part.variable in CONTACT_VARIABLES else 0
                bound += max(len(part.fallback), most if part.variable in CONTACT_VARIABLES else longest_sender)
        if bound <= MAX_CONNECT_NOTE:
            continue
        over = _count_over(template, _recipients(conn, segment_id), senders)
        if over:
            found.append(
                graph.Problem(
                    node_id,
                    "note_over_limit",
                    f"The connect note of '{title}' is over {MAX_CONNECT_NOTE} characters once filled in for "
                    f"{over:,} contact{'s' if over != 1 else ''}: shorten it (LinkedIn refuses longer notes).",
                )
            )
    return found


def task_message(conn: Connection, task_id: int) -> TaskMessage | None:
    """The task's message filled in for its contact and sender profile; None if the task is gone."""
    return task_messages(conn, [task_id]).get(task_id)


def task_messages(conn: Connection, task_ids: Sequence[int]) -> dict[int, TaskMessage]:
    """:func:`task_message` for many tasks (Today's plan): a query per 500 tasks, each step's words read once."""
    found: dict[int, TaskMessage] = {}
    read: dict[int, dict[str, Template]] = {}  # step node -> its templates
    for chunk in chunks(list(task_ids)):
        marks = ",".join("?" * len(chunk))
        for task, node, kind, settings, name, company, title, url, sender in query(
            conn,
            "SELECT t.id, n.id, t.kind, n.settings, c.name, c.company, c.title, c.linkedin_url, p.name "
            "FROM task t JOIN node n ON n.id = t.step_node_id JOIN enrollment e ON e.id = t.enrollment_id "
            "JOIN contact c ON c.id = e.contact_id JOIN sender_profile p ON p.id = t.sender_profile_id "
            f"WHERE t.id IN ({marks})",
            chunk,
        ):
            templates = read.get(node)
            if templates is None:
                templates = read[node] = templates_of(NodeKind(kind), parse_settings(settings))
            values = contact_values(Recipient(0, name, company, title, url), sender)
            subject, text = templates.get("subject"), templates.get("text")
            found[task] = TaskMessage(
                name,
                subject.fill(values) if subject is not None else None,
                text.fill(values) if text is not None else None,
                url or None,
            )
    return found


def _count_over(note: Template, recipients: Sequence[Recipient], senders: Sequence[str]) -> int:
    sender = max(senders, key=len, default=None)
    return sum(1 for r in recipients if len(note.fill(contact_values(r, sender))) > MAX_CONNECT_NOTE)


def _branch_of(conn: Connection, node_id: int) -> tuple[int | None, int | None]:
    """The segment and the Sender Profile node of the branch a step is on, walking back along its edges."""
    profile_node = None
    current, seen = node_id, {node_id}
    while True:
        before = query(
            conn,
            "SELECT n.id, n.kind, n.segment_id FROM edge e JOIN node n ON n.id = e.source_id WHERE e.target_id = ?",
            (current,),
        )
        if len(before) != 1 or before[0][0] in seen:
            return None, profile_node
        current, kind, segment_id = before[0]
        seen.add(current)
        if kind == NodeKind.SENDER_PROFILE.value:
            profile_node = current
        elif kind == NodeKind.SEGMENT.value:
            return segment_id, profile_node


def _recipients(conn: Connection, segment_id: int | None) -> list[Recipient]:
    definition = load_segment(conn, segment_id)
    if definition is None:
        return []
    members = segment_member_ids(conn, definition)
    found: dict[int, Recipient] = {}
    for chunk in chunks(members):
        marks = ",".join("?" * len(chunk))
        for row in query(
            conn, f"SELECT id, name, company, title, linkedin_url FROM contact WHERE id IN ({marks})", chunk
        ):
            found[row[0]] = Recipient(*row)
    return [found[c] for c in members if c in found]


def _sender_names(conn: Connection, profile_node: int | None) -> list[str]:
    if profile_node is None:
        return []
    return [
        name
        for (name,) in query(
            conn,
            "SELECT p.name FROM branch_attachment a JOIN sender_profile p ON p.id = a.sender_profile_id "
            "WHERE a.node_id = ? ORDER BY a.attach_order",
            (profile_node,),
        )
    ]
