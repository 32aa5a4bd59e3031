"""Outcomes from ``import interactions`` (SPEC §10, issue 13): an optional outcome column, bad values named per line."""

from __future__ import annotations

from builder.engine.words import EnrollmentStatus, Outcome, TaskStatus
from builder.imports.interactions import read_interactions
from tests.store.builders import MONDAY, build_outreach


def test_an_outcome_column_records_outcomes_and_names_bad_rows(open_workspace, tmp_path):
    ws = open_workspace()
    anna = ws.create_sender_profile("Anna Berg")
    jo = ws.add_contact("Jo Lee", tags=["cto"], email="jo@acme.test")
    al = ws.add_contact("Al Bo", tags=["cto"], email="al@bo.test")
    ws.add_contact("Cy Dee", email="cy@dee.test")  # not enrolled anywhere
    flow = build_outreach(ws)
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.start(flow.automation)
    for task in ws.tasks(flow.automation)[::2]:  # both connects done today
        ws.mark_done(task.id)
    history = tmp_path / "history.csv"
    history.write_text(
        "Email,Sender Profile,Date,Outcome\n"
        "cy@dee.test,Anna Berg,2026-02-01,\n"  # a plain interaction
        "jo@acme.test,Anna Berg,2026-03-02,Replied\n"
        "al@bo.test,Anna Berg,2026-03-02,accepted\n"
        "al@bo.test,Anna Berg,2026-03-02,maybe\n"
        "al@bo.test,Anna Berg,2026-03-02,bounced\n"
        "cy@dee.test,Anna Berg,2026-03-02,replied\n",
        encoding="utf-8",
    )
    report = ws.import_interactions(read_interactions(str(history), MONDAY))
    assert report.lines() == [
        "history.csv: 1 interaction recorded, 2 outcomes recorded.",
        "3 rows refused:",
        "  line 5: 'maybe' is not an outcome (accepted, replied or bounced)",
        "  line 6: 'bounced': An email to Al Bo cannot have bounced: none is done in 'CTO outreach' yet.",
        "  line 7: 'replied': the contact is not enrolled with that sender profile",
    ]
    assert [(o[1], o[4], o[6]) for o in ws.outcomes()] == [
        (jo, Outcome.REPLIED, "import"),
        (al, Outcome.ACCEPTED, "import"),
    ]
    enrollments = {e.contact_id: e.status for e in ws.enrollments(flow.automation)}
    assert enrollments == {jo: EnrollmentStatus.REPLIED, al: EnrollmentStatus.ACTIVE}
    jo_tasks = [t.status for t in ws.tasks(flow.automation) if t.contact_id == jo]
    assert jo_tasks == [TaskStatus.DONE, TaskStatus.CANCELED]
    # The same file again: what is recorded stays as it is.
    again = ws.import_interactions(read_interactions(str(history), MONDAY))
    assert again.lines()[0] == "history.csv: 0 interactions recorded, 3 already recorded."
    assert len(ws.outcomes()) == 2


def test_an_import_with_outcomes_is_taken_back_and_put_back_exactly(open_workspace, tmp_path):
    ws = open_workspace()
    anna = ws.create_sender_profile("Anna Berg")
    jo = ws.add_contact("Jo Lee", tags=["cto"], email="jo@acme.test")
    flow = build_outreach(ws)
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.start(flow.automation)
    ws.mark_done(ws.tasks(flow.automation)[0].id)
    history = tmp_path / "history.csv"
    history.write_text(
        "Email,Sender Profile,Date,Outcome\njo@acme.test,Anna Berg,2026-02-01,\njo@acme.test,Anna Berg,2026-03-02,replied\n",
        encoding="utf-8",
    )

    def state(ws) -> tuple:
        with ws._read() as conn:
            days = [
                d for (d,) in conn.exec_driver_sql(f"SELECT day FROM interaction WHERE contact_id = {jo} ORDER BY id")
            ]
        return (
            [t.status for t in ws.tasks(flow.automation)],
            ws.enrollments(flow.automation)[0].status,
            [o[4] for o in ws.outcomes()],
            days,
        )

    before = state(ws)
    report = ws.import_interactions(read_interactions(str(history), MONDAY))
    after = state(ws)
    assert after[:3] == ([TaskStatus.DONE, TaskStatus.CANCELED], EnrollmentStatus.REPLIED, [Outcome.REPLIED])
    assert len(after[3]) == len(before[3]) + 2
    ws.close()
    ws = open_workspace()
    ws.take_back_interaction_import(report.history)
    assert state(ws) == before
    again = ws.put_back_interaction_import(report.history)
    assert state(ws) == after
    ws.take_back_interaction_import(again)
    assert state(ws) == before
