"""The pane's table of sender profiles (SPEC §8, §10): contacts by reason, tasks, last day, outcomes;
and the what-if table of now beside after."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

from builder.engine.preview import Outlook, ProfileOutlook
from builder.engine.words import Outcome, Reason

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
COMPARE_COLUMNS = ("Sender profile", "Contacts now", "after", "Pending now", "after", "Last task now", "after")
TABLE_COLUMNS = (
    "Sender profile",
    "State",
    "Override",
    "Previous interaction",
    "Even distribution",
    "Contacts",
    "Done",
    "Pending after",
    "Last task on day",
    "Accepted",
    "Replied",
)
# On screen the long headers take two lines, so the table fits beside the charts (the CSV keeps one line).
TWO_LINES = {
    "Previous interaction": "Previous\ninteraction",
    "Even distribution": "Even\ndistribution",
    "Last task on day": "Last task\non day",
}
TABLE_HEADERS = tuple(TWO_LINES.get(column, column) for column in TABLE_COLUMNS)
SHOWN_OUTCOMES = (Outcome.ACCEPTED, Outcome.REPLIED)  # the table's outcome columns; bounces in their tooltips


FORMULA_STARTS = frozenset("=+-@\t\r\n")


def spreadsheet_safe(text: str) -> str:
    """A cell that a spreadsheet would run as a formula is kept as text.

    As OWASP advises for CSV injection: a cell starting with = + - @, a tab or
    a line break — also behind leading spaces, which spreadsheets skip — gets
    a single quote in front.
    """
    if text[:1] in FORMULA_STARTS or text.lstrip()[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def profile_rows(outlook: Outlook) -> list[list[str]]:
    """The table's cells, as shown (and as exported)."""
    return [
        [
            p.name,
            " / ".join(sorted(set(p.states))),
            *(
                f"{p.by_reason.get(r, 0):,}"
                for r in (Reason.OVERRIDE, Reason.PREVIOUS_INTERACTION, Reason.EVEN_DISTRIBUTION)
            ),
            f"{p.contacts:,}",
            f"{p.done:,}",
            f"{p.pending:,}",
            "—" if p.last_day is None else str(p.last_day),
            *(f"{p.outcomes.get(o, 0):,}" for o in SHOWN_OUTCOMES),
        ]
        for p in outlook.profiles
    ]


def fill_profile_table(table: QTableWidget, outlook: Outlook) -> None:
    rows = profile_rows(outlook)
    table.setHorizontalHeaderItem(7, QTableWidgetItem(f"Pending\nafter {outlook.days} d"))
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if c >= 2:
                item.setTextAlignment(RIGHT)
            table.setItem(r, c, item)
    # The outcome columns show once the forecast has outcomes (rates or events): none, no empty columns.
    first = TABLE_COLUMNS.index("Accepted")
    for offset in range(len(SHOWN_OUTCOMES)):
        table.setColumnHidden(first + offset, not outlook.outcomes_per_day)
        for r, profile in enumerate(outlook.profiles):
            told = ", ".join(f"{profile.outcomes.get(o, 0):,} {o.value}" for o in Outcome)
            table.item(r, first + offset).setToolTip(f"Over {outlook.days} days: {told}.")


def fill_comparison(table: QTableWidget, now_outlook: Outlook, after: Outlook) -> None:
    """Each profile's contacts, pending tasks and last day now and after the what-if; — where it has none."""
    now = {p.profile: p for p in now_outlook.profiles}
    then = {p.profile: p for p in after.profiles}
    names = {**{k: p.name for k, p in now.items()}, **{k: p.name for k, p in then.items()}}
    order = sorted(names, key=lambda k: names[k].lower())
    table.setRowCount(len(order))

    def cell(profile: ProfileOutlook | None, value: str) -> str:
        return "—" if profile is None else value

    for r, key in enumerate(order):
        a, b = now.get(key), then.get(key)
        cells = [
            names[key],
            cell(a, f"{a.contacts:,}" if a else ""),
            cell(b, f"{b.contacts:,}" if b else ""),
            cell(a, f"{a.pending:,}" if a else ""),
            cell(b, f"{b.pending:,}" if b else ""),
            cell(a, "—" if a is None or a.last_day is None else str(a.last_day)),
            cell(b, "—" if b is None or b.last_day is None else str(b.last_day)),
        ]
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if c:
                item.setTextAlignment(RIGHT)
            table.setItem(r, c, item)
