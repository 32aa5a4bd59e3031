"""Real exports read correctly, broken ones are refused with a sentence (files in tests/data/)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from builder.imports.columns import CONTACT_FIELDS, guess_mapping, recogniser
from builder.imports.contacts import linkedin_profile, plan_contacts, read_contacts
from builder.imports.csv_table import CsvRefused, read_csv_bytes, read_csv_file
from builder.imports.interactions import read_date, read_interactions

DATA = Path(__file__).resolve().parents[1] / "data"
TODAY = date(2026, 3, 2)


def people(name: str) -> list[tuple]:
    plan = read_contacts(str(DATA / name))
    return [(c.line, c.name, c.email, c.linkedin_url, c.company, c.title, c.tags) for c in plan.contacts]


def test_a_hubspot_export_merges_the_same_email_in_another_case():
    plan = read_contacts(str(DATA / "hubspot-contacts.csv"))
    assert [c.name for c in plan.contacts] == ["Anna Berg", "Jonas Keller", "Mei Tanaka", "Luis García"]
    assert plan.merged == 1 and not plan.refused
    assert plan.contacts[2].title == "Head of Data, Platform"  # a quoted comma stays in its cell


def test_a_salesforce_export_with_a_byte_order_mark():
    table = read_csv_file(DATA / "salesforce-leads.csv", recogniser(CONTACT_FIELDS))
    assert table.header[0] == "First Name" and table.encoding == "UTF-8 with a byte-order mark"
    assert people("salesforce-leads.csv")[1] == (
        3, "Tom O'Brien", "tom.obrien@harborco.com", None, "Harbor & Co", "Director of IT", [],
    )  # fmt: skip


def test_a_sales_navigator_export_is_matched_by_profile_address():
    found = people("sales-navigator-leads.csv")
    assert [(name, url) for _, name, _, url, *_ in found] == [
        ("Erik Lindqvist", "https://www.linkedin.com/in/eriklindqvist"),
        ("Hannah Weiss", "https://www.linkedin.com/in/hannahweiss"),  # ?trk=… and the case dropped
        ("Kofi Mensah", "https://www.linkedin.com/in/kofimensah"),  # no https:// in the file
    ]


def test_linkedin_connections_skip_the_notes_above_the_header():
    table = read_csv_file(DATA / "linkedin-Connections.csv", recogniser(CONTACT_FIELDS))
    assert table.header_line == 4
    assert table.header[:4] == ["First Name", "Last Name", "URL", "Email Address"]
    found = people("linkedin-Connections.csv")
    assert found[0][:4] == (5, "Nora Haugen", None, "https://www.linkedin.com/in/norahaugen")
    assert found[1][5] == "VP, Platform Engineering"


def test_an_excel_file_with_semicolons_in_windows_1252():
    table = read_csv_file(DATA / "excel-semicolon-latin1.csv", recogniser(CONTACT_FIELDS))
    assert table.delimiter == ";" and table.encoding == "Windows-1252"
    assert people("excel-semicolon-latin1.csv") == [
        (2, "Jürgen Müller", "juergen.mueller@stahlwerk.de", None, "Stahlwerk Nord GmbH", "Geschäftsführer",
         ["dach", "founders"]),
        (3, "Mette Sørensen", "mette@fjordkraft.dk", None, "Fjordkraft A/S", "CTO", ["nordics"]),
        (4, "François Dupré", "f.dupre@lumiere.fr", None, "Lumière SARL", "Directeur technique", []),
    ]  # fmt: skip


def test_bad_rows_are_refused_by_line_and_the_others_kept():
    plan = read_contacts(str(DATA / "contacts-with-bad-rows.csv"), extra_tags=["imported"])
    assert [str(r) for r in plan.refused] == [
        "line 3: 'grace(at)cobol.mil' is not an email address",
        "line 4: 'https://example.com/alan' is not a LinkedIn profile address",
        "line 5: has neither an email nor a LinkedIn URL, so it could not be matched later",
    ]
    assert [(c.name, c.tags) for c in plan.contacts] == [
        ("Ada Lovelace", ["founders", "imported"]),
        ("Margaret Hamilton", ["founders", "space", "imported"]),
    ]


@pytest.mark.parametrize(
    ("name", "sentence"),
    [
        ("bad-quoting.csv", "bad-quoting.csv: line 3: the quoting is broken"),
        ("missing-email-column.csv", "has no email or LinkedIn URL column"),
        ("binary.csv", "is not a text file"),
        ("no-such-file.csv", "there is no such file"),
    ],
)
def test_broken_files_are_refused_with_a_sentence(name: str, sentence: str):
    with pytest.raises(CsvRefused, match=sentence):
        read_contacts(str(DATA / name))


def test_a_folder_an_empty_file_and_a_lone_byte_order_mark_are_refused(tmp_path):
    for data, sentence in ((b"", "empty"), (b"\xef\xbb\xbf\n", "empty"), (b" \n\n", "empty")):
        with pytest.raises(CsvRefused, match=sentence):
            read_csv_bytes(data, "f.csv", recogniser(CONTACT_FIELDS))
    with pytest.raises(CsvRefused, match="is a folder"):
        read_contacts(str(tmp_path))


def test_a_row_longer_than_the_header_is_refused():
    table = read_csv_bytes(b"Name,Email\nAda,ada@x.org,extra\nGrace,grace@x.org\n", "f.csv", recogniser(CONTACT_FIELDS))
    plan = plan_contacts(table, guess_mapping(table.header, CONTACT_FIELDS))
    assert [str(r) for r in plan.refused] == ["line 2: has 3 cells, but the header has 2"]
    assert [c.name for c in plan.contacts] == ["Grace"]


def test_the_same_person_by_email_or_by_profile_address_is_one_contact():
    table = read_csv_bytes(
        b"Name,Email,LinkedIn\nAda,ada@x.org,\nAda L.,,linkedin.com/in/ada\nAda Lovelace,ADA@x.org,https://www.linkedin.com/in/Ada/\n",
        "f.csv",
        recogniser(CONTACT_FIELDS),
    )
    plan = plan_contacts(table, guess_mapping(table.header, CONTACT_FIELDS))
    assert [(c.name, c.email, c.linkedin_url) for c in plan.contacts] == [
        ("Ada", "ada@x.org", None),  # the third row's address is Ada L.'s already: not copied (one owner each)
        ("Ada L.", None, "https://www.linkedin.com/in/ada"),
    ]
    assert plan.merged == 1


def test_profile_addresses():
    assert linkedin_profile("https://de.linkedin.com/in/JonasKeller?originalSubdomain=de") == (
        "https://www.linkedin.com/in/jonaskeller"
    )
    assert linkedin_profile("https://www.linkedin.com/sales/lead/ACwAAAB1x2Y") == (
        "https://www.linkedin.com/sales/lead/ACwAAAB1x2Y"  # a lead id keeps its case
    )
    assert linkedin_profile("https://linkedin.com.evil.example/in/x") is None
    assert linkedin_profile("https://www.linkedin.com/") is None
    assert linkedin_profile("https://www.linkedin.com/company/northwind") is None  # a company, not a person
    assert linkedin_profile("https://[linkedin.com/in/a") is None  # what urlsplit cannot read is no address


def test_interactions_with_the_date_spellings_exports_use():
    plan = read_interactions(str(DATA / "interactions.csv"), TODAY)
    assert [(i.email, i.sender_profile, i.day) for i in plan.interactions] == [
        ("anna.berg@northwind.io", "Anna Berg", date(2026, 2, 20)),
        ("jonas@brightpath.dev", "Omar Haddad", date(2026, 2, 24)),
        ("mei.tanaka@kumo.ai", "anna berg", date(2026, 2, 12)),
    ]


def test_bad_dates_are_refused_not_guessed():
    plan = read_interactions(str(DATA / "interactions-bad-dates.csv"), TODAY)
    assert [str(r) for r in plan.refused] == [
        "line 2: '31/02/2026' is not a date on the calendar",
        "line 3: '03/04/2026' could be read two ways; write it as 2026-04-03 or 2026-03-04",
        "line 4: 'next week' is not a date (write it as 2026-03-02)",
        "line 5: 2030-01-01 is after today",
    ]
    assert [i.line for i in plan.interactions] == [6, 7, 8]
    assert plan.interactions[-1].day == date(2026, 2, 25)  # 25/02: only one reading


def test_an_interactions_file_without_a_date_column_is_refused():
    with pytest.raises(CsvRefused, match="has no column for the sender profile and the date"):
        read_interactions(str(DATA / "hubspot-contacts.csv"), TODAY)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-02-03", date(2026, 2, 3)),
        ("2026/02/03", date(2026, 2, 3)),
        ("03.02.2026", date(2026, 2, 3)),
        ("3 Feb 2026", date(2026, 2, 3)),
        ("Feb 3, 2026", date(2026, 2, 3)),
        ("February 3 2026", date(2026, 2, 3)),
        ("2026-02-03T23:59:00+01:00", date(2026, 2, 3)),
        ("12/28/2025", date(2025, 12, 28)),
        ("05/05/2026", date(2026, 5, 5)),
    ],
)
def test_read_date(text: str, day: date):
    assert read_date(text) == day


def test_a_trailing_separator_and_a_very_long_cell_are_read():
    note = "x" * 200_000
    data = f'Name,Email,Notes\nAda,ada@x.org,"{note}",\n'.encode()
    table = read_csv_bytes(data, "f.csv", recogniser(CONTACT_FIELDS))
    plan = plan_contacts(table, guess_mapping(table.header, CONTACT_FIELDS))
    assert [c.name for c in plan.contacts] == ["Ada"] and not plan.refused


def test_excels_unicode_text_export_is_read():
    data = "Name\tE-Mail\tFirma\nJürgen Müller\tj@stahl.de\tStahl\n".encode("utf-16")
    table = read_csv_bytes(data, "f.txt", recogniser(CONTACT_FIELDS))
    plan = plan_contacts(table, guess_mapping(table.header, CONTACT_FIELDS))
    assert (table.delimiter, table.encoding, [(c.name, c.email, c.company) for c in plan.contacts]) == (
        "\t",
        "UTF-16",
        [("Jürgen Müller", "j@stahl.de", "Stahl")],
    )


def _names(table) -> list[str]:
    return [row.cells[0] for row in table.rows]


def test_a_file_partly_utf8_and_partly_windows_1252_is_refused_with_the_lines_that_fail():
    data = "Name,Email\nJörg Müller,jm@a.test\n".encode() + "Zoë Brandt,zb@a.test\n".encode("cp1252")
    with pytest.raises(CsvRefused, match=r"partly UTF-8 .*\(line 3 is not UTF-8\)"):
        read_csv_bytes(data, "mixed.csv", recogniser(CONTACT_FIELDS))


def test_a_byte_order_mark_over_windows_1252_rows_is_refused_not_read_with_replacement_marks():
    data = b"\xef\xbb\xbf" + "Name,Email\nAnna,a@a.test\nZoë,z@a.test\nRené,r@a.test\n".encode("cp1252")
    with pytest.raises(CsvRefused, match=r"lines 3, 4 are not UTF-8"):
        read_csv_bytes(data, "bom.csv", recogniser(CONTACT_FIELDS))


def test_a_whole_file_in_one_encoding_is_still_read():
    text = "Name,Email\nJörg Müller,jm@a.test\nZoë Brandt,zb@a.test\n"
    for encoding, said in (
        ("utf-8", "UTF-8"),
        ("cp1252", "Windows-1252"),
        ("utf-8-sig", "UTF-8 with a byte-order mark"),
    ):
        table = read_csv_bytes(text.encode(encoding), "one.csv", recogniser(CONTACT_FIELDS))
        assert (_names(table), table.encoding) == (["Jörg Müller", "Zoë Brandt"], said)


def test_a_nul_byte_after_the_first_64_kb_is_refused_with_its_line():
    rows = "".join(f"Person {i},p{i}@a.test\n" for i in range(5000))
    data = ("Name,Email\n" + rows).encode() + b"Null\x00Person,n@a.test\n"
    assert len(data) > 65536
    with pytest.raises(CsvRefused, match=r"line 5002 holds a NUL byte"):
        read_csv_bytes(data, "nul.csv", recogniser(CONTACT_FIELDS))


def test_a_cell_past_16_mb_is_called_what_it_almost_always_is():
    data = b'Name,Email\n"Anna,a@a.test\n' + b"x" * (16 * 1024 * 1024 + 10) + b"\n"
    with pytest.raises(CsvRefused, match=r"line 2: a cell runs on past 16 MB.*never closed"):
        read_csv_bytes(data, "huge.csv", recogniser(CONTACT_FIELDS))
