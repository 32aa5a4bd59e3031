"""Imports into a real workspace file: matched people, all or nothing, and running segments."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.engine.words import Reason
from builder.imports.contacts import read_contacts
from builder.imports.interactions import read_interactions
from builder.store.database import WorkspaceError
from builder.store.importing import ImportCanceled
from builder.store.workspace import Workspace
from tests.store.builders import MONDAY, build_outreach

DATA = Path(__file__).resolve().parents[1] / "data"


def contacts_in(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as raw:
        return raw.execute("SELECT name, email, company, title, linkedin_url FROM contact ORDER BY id").fetchall()


def tags_of(path: Path, email: str) -> list[str]:
    with sqlite3.connect(path) as raw:
        return [
            name
            for (name,) in raw.execute(
                "SELECT t.name FROM tag t JOIN contact_tag ct ON ct.tag_id = t.id JOIN contact c ON c.id = ct.contact_id "
                "WHERE c.email = ? ORDER BY t.name",
                (email,),
            )
        ]


def test_an_import_adds_new_people_and_fills_in_known_ones(open_workspace, workspace_file):
    ws = open_workspace()
    ws.add_contacts([{"name": "Anna Berg", "email": "ANNA.BERG@northwind.io", "title": "Chief Technology Officer"}])
    report = ws.import_contacts(read_contacts(str(DATA / "hubspot-contacts.csv"), ["hubspot"]))
    assert (report.added, report.updated, report.unchanged, report.merged) == (3, 1, 0, 1)
    assert report.lines()[0] == (
        "hubspot-contacts.csv: 3 new contacts, 1 known updated, 0 known unchanged, 1 repeated row merged."
    )
    ws.close()
    rows = contacts_in(workspace_file)
    # Anna keeps her own title and gains the company the file knows; nobody is added twice.
    assert rows[0] == ("Anna Berg", "ANNA.BERG@northwind.io", "Northwind", "Chief Technology Officer", None)
    assert [r[0] for r in rows] == ["Anna Berg", "Jonas Keller", "Mei Tanaka", "Luis García"]
    assert tags_of(workspace_file, "ANNA.BERG@northwind.io") == ["hubspot"]


def test_importing_the_same_file_twice_changes_nothing_the_second_time(open_workspace, workspace_file):
    ws = open_workspace()
    ws.import_contacts(read_contacts(str(DATA / "linkedin-Connections.csv")))
    again = ws.import_contacts(read_contacts(str(DATA / "linkedin-Connections.csv")))
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    ws.close()
    assert len(contacts_in(workspace_file)) == 3


def test_a_refused_import_changes_nothing(open_workspace, workspace_file):
    ws = open_workspace()
    ws.add_contacts([{"name": "Ada", "email": "ada@engines.org"}])
    ws.close()
    before = workspace_file.read_bytes()
    ws = open_workspace()
    table_plan = read_contacts(str(DATA / "contacts-with-bad-rows.csv"))
    table_plan.contacts.clear()  # every row refused
    with pytest.raises(WorkspaceError, match="no row could be imported"):
        ws.import_contacts(table_plan)
    ws.close()
    assert contacts_in(workspace_file) == [("Ada", "ada@engines.org", None, None, None)]
    assert workspace_file.read_bytes() == before


def test_a_cancelled_import_leaves_the_workspace_as_it_was(open_workspace, workspace_file):
    ws = open_workspace()
    ws.add_contacts([{"name": "Ada", "email": "ada@engines.org"}])
    seen: list[tuple[int, int]] = []

    def cancel_after_first(done: int, total: int) -> bool:
        seen.append((done, total))
        return False

    with pytest.raises(ImportCanceled, match="nothing was changed"):
        ws.import_contacts(read_contacts(str(DATA / "salesforce-leads.csv")), progress=cancel_after_first)
    assert seen == [(3, 3)]
    ws.close()
    assert contacts_in(workspace_file) == [("Ada", "ada@engines.org", None, None, None)]


def test_imported_contacts_join_a_running_automation_at_once(open_workspace: Callable[..., Workspace]):
    ws = open_workspace()
    anna = ws.create_sender_profile("Anna", daily_limit=5)
    flow = build_outreach(ws, tag="nordics")
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.start(flow.automation)
    assert ws.enrollments(flow.automation) == []
    ws.import_contacts(read_contacts(str(DATA / "excel-semicolon-latin1.csv")))
    again = open_workspace()
    (enrolled,) = again.enrollments(flow.automation)
    assert (enrolled.sender_profile_id, enrolled.reason) == (anna, Reason.EVEN_DISTRIBUTION)


def test_interaction_history_feeds_r2(open_workspace: Callable[..., Workspace]):
    ws = open_workspace()
    anna = ws.create_sender_profile("Anna Berg")
    omar = ws.create_sender_profile("Omar Haddad")
    ws.import_contacts(read_contacts(str(DATA / "hubspot-contacts.csv"), ["cto"]))
    report = ws.import_interactions(read_interactions(str(DATA / "interactions.csv"), MONDAY))
    assert report.lines() == ["interactions.csv: 3 interactions recorded."]
    again = ws.import_interactions(read_interactions(str(DATA / "interactions.csv"), MONDAY))
    assert (again.added, again.unchanged) == (0, 3)
    flow = build_outreach(ws)
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.attach_sender_profile(flow.profile_node, omar)
    ws.start(flow.automation)
    reasons = {e.contact_id: (e.sender_profile_id, e.reason) for e in open_workspace().enrollments(flow.automation)}
    jonas, mei = 2, 3
    assert reasons[jonas] == (omar, Reason.PREVIOUS_INTERACTION)
    assert reasons[mei] == (anna, Reason.PREVIOUS_INTERACTION)  # "anna berg" in the file: names match in any case


def test_interactions_with_unknown_people_or_profiles_are_refused_by_line(open_workspace):
    ws = open_workspace()
    ws.create_sender_profile("Anna Berg")
    ws.create_sender_profile("Omar Haddad")
    ws.import_contacts(read_contacts(str(DATA / "hubspot-contacts.csv")))
    report = ws.import_interactions(read_interactions(str(DATA / "interactions-bad-dates.csv"), MONDAY))
    assert report.added == 1
    assert report.lines()[1:] == [
        "6 rows refused:",
        "  line 2: '31/02/2026' is not a date on the calendar",
        "  line 3: '03/04/2026' could be read two ways; write it as 2026-04-03 or 2026-03-04",
        "  line 4: 'next week' is not a date (write it as 2026-03-02)",
        "  line 5: 2030-01-01 is after today",
        "  line 6: no contact has nobody@nowhere.test",
        "  line 7: no sender profile is called 'Zed Unknown'",
    ]


def test_an_address_another_contact_has_is_not_copied_and_history_goes_to_its_owner(open_workspace, tmp_path):
    from builder.imports.interactions import read_interactions

    ws = open_workspace()
    ws.create_sender_profile("Anna")
    k1 = ws.add_contact("K1", email="k1@x.com")
    k2 = ws.add_contact("K2", linkedin_url="https://www.linkedin.com/in/k2")
    ws.add_contact("Broken", linkedin_url="http://[oops")  # a stored address urlsplit cannot read
    people = tmp_path / "people.csv"
    people.write_text("Name,Email,LinkedIn URL\nX,k1@x.com,https://www.linkedin.com/in/k2\n", encoding="utf-8")
    report = ws.import_contacts(read_contacts(str(people)))
    assert (report.added, report.updated) == (0, 0)
    history = tmp_path / "history.csv"
    history.write_text("LinkedIn URL,Sender Profile,Date\nlinkedin.com/in/k2,Anna,2026-02-01\n", encoding="utf-8")
    ws.import_interactions(read_interactions(str(history), MONDAY))
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT contact_id FROM interaction").fetchall() == [(k2,)]
        assert conn.exec_driver_sql(f"SELECT linkedin_url FROM contact WHERE id = {k1}").fetchall() == [(None,)]


def test_a_sender_profile_name_two_profiles_answer_to_is_refused(open_workspace, tmp_path):
    from builder.imports.interactions import read_interactions

    ws = open_workspace()
    ws.create_sender_profile("Anna")
    ws.create_sender_profile("anna ")
    ws.create_sender_profile("Omar  Haddad")  # two spaces: still Omar Haddad
    ws.add_contact("Jo", email="jo@x.com")
    history = tmp_path / "history.csv"
    history.write_text(
        "Email,Sender Profile,Date\njo@x.com,Anna,2026-02-01\njo@x.com,Omar Haddad,2026-02-01\n", encoding="utf-8"
    )
    report = ws.import_interactions(read_interactions(str(history), MONDAY))
    assert report.added == 1
    assert [str(r) for r in report.refused] == ["line 2: more than one sender profile is called 'Anna'"]
