"""A stored automation as a scenario file (SPEC §7): what the simulation pane runs and saves.

Day 0 is the workspace's today. A draft is written as it would start today; a
started automation carries its standing in the ``state`` block
(:mod:`builder.engine.run_state`), so ``simulate`` takes it up from today. The
what-if adds new contacts to the first branch's segment every day.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from builder.engine.segments import SegmentRule
from builder.engine.words import AutomationState
from builder.store.branch_history import BranchHistoryMixin
from builder.store.database import WorkspaceError
from builder.store.loading import load_automation_branches_with_nodes, query


def _profile(pid: int) -> str:
    return f"p{pid}"


scenario_profile_id = _profile


def _contact(cid: int) -> str:
    return f"c{cid}"


class ScenarioExportMixin(BranchHistoryMixin):
    def scenario_for(self, automation_id: int, *, days: int = 60, new_contacts_per_day: int = 0) -> dict[str, Any]:
        """The automation and the workspace it runs in, as a scenario dict; refuses an automation with problems."""
        if not 1 <= days <= 3650:
            raise WorkspaceError("The forecast covers 1 to 3,650 days.")
        if new_contacts_per_day < 0:
            raise WorkspaceError("New contacts per day is 0 or more.")
        today = self.today_number
        with self._read() as conn:
            found = query(
                conn, "SELECT name, state, ignore_previous_interactions FROM automation WHERE id = ?", (automation_id,)
            )
            if not found:
                raise WorkspaceError("That automation no longer exists.")
            name, state, ignore = found[0]
            state = AutomationState(state)
            problems = self.problems(automation_id) if not state.started else []
            if problems:
                raise WorkspaceError("Fix these to see a forecast: " + " ".join(p.message for p in problems))
            tags = dict(query(conn, "SELECT id, name FROM tag"))
            contact_tags: dict[int, list[str]] = defaultdict(list)
            for contact, tag in query(conn, "SELECT contact_id, tag_id FROM contact_tag ORDER BY contact_id, tag_id"):
                contact_tags[contact].append(tags[tag])
            profiles = [
                {"id": _profile(i), "name": n, "channel": c, "daily_limit": d, "weight": w}
                for i, n, c, d, w in query(
                    conn, "SELECT id, name, channel, daily_limit, weight FROM sender_profile ORDER BY id"
                )
            ]
            contacts = [
                {"id": _contact(i), "name": n, "tags": contact_tags.get(i, [])}
                for i, n in query(conn, "SELECT id, name FROM contact ORDER BY id")
            ]
            interactions = [
                {"contact": _contact(c), "sender_profile": _profile(p), "day": d - today}
                for c, p, d in query(conn, "SELECT contact_id, sender_profile_id, day FROM interaction ORDER BY id")
            ]
            overrides = [
                {"contact": _contact(c), "sender_profile": _profile(p)}
                for c, p in query(conn, "SELECT contact_id, sender_profile_id FROM override ORDER BY contact_id")
            ]
            branches, rosters = load_automation_branches_with_nodes(conn, automation_id)
            names = {b["node"]: b["id"] for b in branches}
            run_state = self._run_state(conn, automation_id, state, rosters, names, today) if state.started else None

        branch_list = []
        for branch in branches:
            segment = branch["segment"]
            rule = segment.rule
            if rule is SegmentRule.EVERYONE:
                definition: dict[str, Any] = {"all": True}
            elif rule is SegmentRule.STATIC:
                definition = {"contacts": [_contact(c) for c in sorted(segment.contacts)]}
            else:
                definition = {rule.value: sorted(tags[t] for t in segment.tags)}
            branch_list.append(
                {
                    "id": branch["id"],
                    "segment": definition,
                    "sender_profiles": [_profile(a.profile) for a in rosters[branch["node"]] if a.assignable]
                    if not state.started
                    else [],
                    "steps": branch["steps"],
                }
            )
        scenario: dict[str, Any] = {
            "sender_profiles": profiles,
            "contacts": contacts,
            "interactions": interactions,
            "overrides": overrides,
            "automation": {"name": name, "ignore_previous_interactions": bool(ignore), "branches": branch_list},
            "events": [] if state.started else [{"day": 0, "type": "start"}],
            "days": days,
        }
        if run_state is not None:
            scenario["state"] = run_state
        if new_contacts_per_day and branch_list:
            first = branch_list[0]["segment"]
            new_tags = first.get("tags_any", [])[:1] or first.get("tags_all", [])
            for day in range(1, days):
                scenario["events"].append(
                    {
                        "day": day,
                        "type": "add_contacts",
                        "contacts": [
                            {"id": f"new-{day}-{i}", "name": f"New contact {day}.{i + 1}", "tags": list(new_tags)}
                            for i in range(new_contacts_per_day)
                        ],
                    }
                )
        return scenario

    def branch_names(self, automation_id: int) -> dict[int, str]:
        """Each Sender Profile node's branch id in this automation's scenario."""
        with self._read() as conn:
            branches, _ = load_automation_branches_with_nodes(conn, automation_id)
        return {b["node"]: b["id"] for b in branches}

    def _run_state(
        self,
        conn: Any,
        automation_id: int,
        state: AutomationState,
        rosters: dict,
        node_branch: dict[int, str],
        today: int,
    ) -> dict[str, Any]:
        enrollments = []
        tasks_by_enrollment: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for enrollment, step, status, due, done in query(
            conn,
            "SELECT t.enrollment_id, t.step_index, t.status, t.due_day, t.done_day FROM task t "
            "JOIN enrollment e ON e.id = t.enrollment_id WHERE e.automation_id = ? ORDER BY t.enrollment_id, t.step_index",
            (automation_id,),
        ):
            # A skipped task counts as finished for the forecast: the contact moved on.
            status = "done" if status == "skipped" else status
            tasks_by_enrollment[enrollment].append(
                {
                    "step": step,
                    "status": status,
                    "due_day": None if due is None else due - today,
                    "done_day": None if done is None else done - today,
                }
            )
        for eid, contact, node, profile, reason, status, day in query(
            conn,
            "SELECT id, contact_id, branch_node_id, sender_profile_id, reason, status, enrolled_day FROM enrollment "
            "WHERE automation_id = ? ORDER BY id",
            (automation_id,),
        ):
            enrollments.append(
                {
                    "contact": _contact(contact),
                    "branch": node_branch[node],
                    "sender_profile": None if profile is None else _profile(profile),
                    "reason": reason,
                    "day": day - today,
                    "status": status,
                    "tasks": tasks_by_enrollment.get(eid, []),
                }
            )
        return {
            "automation": state.value,
            "sender_profiles": {
                node_branch[node]: [
                    {
                        "sender_profile": _profile(a.profile),
                        "state": a.state.value,
                        "weight": a.weight,
                        "rotation": a.current,
                    }
                    for a in roster
                ]
                for node, roster in rosters.items()
            },
            "enrollments": enrollments,
        }
