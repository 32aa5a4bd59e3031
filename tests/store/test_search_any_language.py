"""Case-insensitive search means the same on SQLite and PostgreSQL, in any language (issue 12).

SQLite's LIKE and lower() fold ASCII only; PostgreSQL's follow the server's
locale (ASCII only under C) and keep Greek final sigma apart. The workspace
folds name, email and company itself, so every search below gives the same
contacts on both databases.
"""

from __future__ import annotations

import sqlite3

import pytest

from builder.imports.contacts import ContactImport, ContactRow
from builder.store.search_text import fold
from builder.store.workspace import Workspace
from tests.store.builders import MONDAY
from tests.store.test_migrations import version_1_workspace

PEOPLE = [
    {"name": "Jürgen Müller", "email": "j.mueller@example.de", "company": "Straße & Co"},
    {"name": "Łukasz Żółć", "company": "ŁÓDŹ Software"},
    {"name": "Anders Ørsted", "email": "anders@ørsted.dk"},
    {"name": "Ayşe Yılmaz", "company": "İstanbul Bilişim"},
    {"name": "ΟΔΥΣΣΕΑΣ ΠΑΠΑΔΟΠΟΥΛΟΣ", "company": "Σοφός"},
    {"name": "Mu\u0308ller Decomposed"},  # ü typed as u + combining diaeresis, as some files have it
    {"name": "Plain Ascii", "email": "plain@example.com"},
]

SEARCHES = {
    "Müller": [0, 5],
    "MÜLLER": [0, 5],
    "müller": [0, 5],
    "Łukasz": [1],
    "ŁUKASZ": [1],
    "łódź": [1],
    "ØRSTED": [2],
    "ørsted.DK": [2],
    "İSTANBUL": [3],
    "istanbul": [3],
    "ISTANBUL": [3],
    "YILMAZ": [],  # dotless ı is its own letter: YILMAZ folds to yilmaz, not yılmaz
    "yılmaz": [3],
    "ΟΔΥΣΣΕΑΣ": [4],
    "οδυσσεας": [4],  # final sigma ς and σ are one letter to search
    "σοφός": [4],
    "ΣΟΦΌΣ": [4],
    "σοφοσ": [],  # case-insensitive, not accent-insensitive: ό is not ο
    "STRASSE": [0],
    "straße": [0],
    "PLAIN@": [6],
    "%": [],
    "_": [],
}


@pytest.mark.parametrize("sort", ["id", "name"])
def test_the_same_searches_find_the_same_contacts_on_both_databases(open_workspace, sort):
    ws = open_workspace()
    ids = ws.add_contacts(PEOPLE)
    for search, expected in SEARCHES.items():
        found = ws.contact_ids(search=search, sort=sort)
        assert sorted(found) == sorted(ids[i] for i in expected), search


def test_imported_contacts_and_the_fields_an_import_fills_in_are_searched(open_workspace):
    ws = open_workspace()
    known = ws.add_contact("Zoë Ødegaard", linkedin_url="https://www.linkedin.com/in/zoe")
    plan = ContactImport(
        "people.csv",
        [
            ContactRow(2, "ÉLODIE DURAND", "elodie@example.fr", None, "Société Générale"),
            ContactRow(3, "Zoë Ødegaard", "ZOE@ÉCOLE.FR", "https://www.linkedin.com/in/zoe", "Université"),
        ],
        [],
        0,
    )
    ws.import_contacts(plan)
    (elodie,) = ws.contact_ids(search="élodie")
    assert ws.contact_ids(search="SOCIÉTÉ") == [elodie]
    assert ws.contact_ids(search="zoe@école") == [known]  # the email the import filled in
    assert ws.contact_ids(search="UNIVERSITÉ") == [known]


def test_an_older_workspace_is_folded_when_it_is_upgraded(tmp_path):
    path = tmp_path / "old.sqlite"
    version_1_workspace(path)
    with sqlite3.connect(path) as raw:
        raw.execute("INSERT INTO contact (id, name, company) VALUES (4, 'Jürgen MÜLLER', 'ΣΟΦΟΣ')")
    with Workspace.open(path, today=MONDAY) as ws:
        assert ws.contact_ids(search="müller") == [4]
        assert ws.contact_ids(search="σοφος") == [4]
        assert ws.contact_ids(search="KUMO") == [1]


def test_folding():
    assert fold("MÜLLER") == fold("müller") == fold("Mu\u0308ller") == "müller"
    assert fold("ΣΟΦΟΣ") == fold("σοφος") == "σοφοσ"
    assert fold("İstanbul") == fold("ISTANBUL") == "istanbul"
    assert fold("Straße") == "strasse" and fold("ＡＢＣ") == "abc"
