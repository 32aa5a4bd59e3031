"""Interaction history from a CSV export: who was contacted, by which sender profile, on which day.

Rows name the contact by email or LinkedIn URL and the sender profile by its
name. An optional outcome column says what the contact did (SPEC §10:
accepted, replied or bounced); empty means a plain interaction. Dates are read in the spellings exports use; a date that could be read
two ways (03/04/2026) is refused rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from builder.engine.words import Outcome
from builder.imports.columns import INTERACTION_FIELDS, guess_mapping, recogniser
from builder.imports.contacts import EMAIL, Refused, linkedin_profile
from builder.imports.csv_table import CsvRefused, CsvTable, read_csv_file

MONTHS = {
    m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))
}


@dataclass(frozen=True)
class InteractionRow:
    line: int
    email: str | None
    linkedin_url: str | None
    sender_profile: str
    day: date
    outcome: Outcome | None = None


@dataclass
class InteractionImport:
    source: str
    interactions: list[InteractionRow]
    refused: list[Refused]


def read_interactions(path: str, today: date) -> InteractionImport:
    table = read_csv_file(path, recogniser(INTERACTION_FIELDS))
    return plan_interactions(table, guess_mapping(table.header, INTERACTION_FIELDS), today)


def plan_interactions(table: CsvTable, mapping: Mapping[str, int], today: date) -> InteractionImport:
    missing = []
    if "email" not in mapping and "linkedin_url" not in mapping:
        missing.append("the contact's email or LinkedIn URL")
    if "sender_profile" not in mapping:
        missing.append("the sender profile")
    if "date" not in mapping:
        missing.append("the date")
    if missing:
        found = ", ".join(f"'{h}'" for h in table.header if h) or "none"
        wanted = " and ".join([", ".join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing)
        raise CsvRefused(f"{table.source}: has no column for {wanted} (its columns: {found}).")
    rows: list[InteractionRow] = []
    refused: list[Refused] = []
    for row in table.rows:

        def cell(key: str, cells: list[str] = row.cells) -> str | None:
            index = mapping.get(key)
            value = " ".join(cells[index].split()) if index is not None and index < len(cells) else ""
            return value or None

        email, raw_url, profile, when = cell("email"), cell("linkedin_url"), cell("sender_profile"), cell("date")
        if email is not None and not EMAIL.match(email.lower()):
            refused.append(Refused(row.line, f"'{email}' is not an email address"))
            continue
        url = linkedin_profile(raw_url) if raw_url else None
        if raw_url and url is None:
            refused.append(Refused(row.line, f"'{raw_url}' is not a LinkedIn profile address"))
            continue
        if email is None and url is None:
            refused.append(Refused(row.line, "names no contact (no email or LinkedIn URL)"))
            continue
        if profile is None:
            refused.append(Refused(row.line, "names no sender profile"))
            continue
        if when is None:
            refused.append(Refused(row.line, "has no date"))
            continue
        day = read_date(when)
        if isinstance(day, str):
            refused.append(Refused(row.line, day))
            continue
        if day > today:
            refused.append(Refused(row.line, f"{day.isoformat()} is after today"))
            continue
        said = cell("outcome")
        outcome = None
        if said is not None:
            try:
                outcome = Outcome(said.lower())
            except ValueError:
                refused.append(Refused(row.line, f"'{said}' is not an outcome (accepted, replied or bounced)"))
                continue
        rows.append(InteractionRow(row.line, email.lower() if email else None, url, profile, day, outcome))
    return InteractionImport(table.source, rows, refused)


def read_date(text: str) -> date | str:
    """A date in a spelling exports use, or a sentence saying why it is not one."""
    value = text.strip()
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})", value)
    if match:
        return _date(value, int(match[1]), int(match[2]), int(match[3]))
    match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", value)  # 02.03.2026: day first
    if match:
        return _date(value, int(match[3]), int(match[2]), int(match[1]))
    match = re.fullmatch(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})", value)
    if match:
        first, second, year = int(match[1]), int(match[2]), int(match[3])
        if first > 12 >= second:
            return _date(value, year, second, first)
        if second > 12 >= first:
            return _date(value, year, first, second)
        if first == second:
            return _date(value, year, first, first)
        return f"'{value}' could be read two ways; write it as {year}-{second:02d}-{first:02d} or {year}-{first:02d}-{second:02d}"
    match = re.fullmatch(r"(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})", value)  # 12 Mar 2024 (LinkedIn)
    if match and match[2].lower() in MONTHS:
        return _date(value, int(match[3]), MONTHS[match[2].lower()], int(match[1]))
    match = re.fullmatch(r"([A-Za-z]{3})[a-z]* (\d{1,2}),? (\d{4})", value)  # Mar 12, 2024
    if match and match[1].lower() in MONTHS:
        return _date(value, int(match[3]), MONTHS[match[1].lower()], int(match[2]))
    return f"'{value}' is not a date (write it as 2026-03-02)"


def _date(text: str, year: int, month: int, day: int) -> date | str:
    try:
        return date(year, month, day)
    except ValueError:
        return f"'{text}' is not a date on the calendar"
