"""The contacts table reads the page it shows, not every matching contact (issue 16), and still behaves the same.

Asserted on the workspace calls the table makes, not on time: a 100,000-contact
workspace is opened, scrolled to its middle and sorted, and the table never
asks for more than a few pages of ids.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPoint, Qt

from builder.ui.crm.contacts_model import COUNTED_AT_ONCE, PAGE
from tests.ui.gestures import click
from tests.ui.test_crm import open_contacts

PEOPLE = ["mei Tanaka", "Anna Berg", "jonas Keller", "Zoë Ødegaard", "anna Adler", "Bo Anand"]


def record(workspace: Any, calls: list[tuple[str, int]], *names: str) -> None:
    """Wrap these workspace methods so every call is noted with how many ids it asked for."""
    for name in names:
        method: Callable[..., Any] = getattr(workspace, name)

        def noted(*args: Any, _name: str = name, _method: Callable[..., Any] = method, **kwargs: Any) -> Any:
            found = _method(*args, **kwargs)
            calls.append((_name, len(found) if isinstance(found, list) else 1))
            return found

        setattr(workspace, name, noted)


def names_shown(crm) -> list[str]:
    return [crm.model.data(crm.model.index(row, 0)) for row in range(crm.model.rowCount())]


def test_typing_a_search_and_clicking_the_name_header(make_window, qtbot):
    window = make_window(lambda ws: ws.add_contacts([{"name": n} for n in PEOPLE]))
    open_contacts(window, qtbot)
    crm = window.crm
    qtbot.waitUntil(lambda: crm.found.text() == "6 contacts")
    crm.search.setFocus()
    qtbot.keyClicks(crm.search, "AN")  # two characters: no trigram, found all the same
    qtbot.waitUntil(lambda: crm.found.text() == "4 contacts")
    assert names_shown(crm) == ["mei Tanaka", "Anna Berg", "anna Adler", "Bo Anand"]  # creation order

    header = crm.table.horizontalHeader()
    on_name = QPoint(header.sectionViewportPosition(0) + header.sectionSize(0) // 2, header.height() // 2)
    click(header.viewport(), on_name)
    qtbot.waitUntil(lambda: names_shown(crm) == ["anna Adler", "Anna Berg", "Bo Anand", "mei Tanaka"])
    click(header.viewport(), on_name)
    qtbot.waitUntil(lambda: names_shown(crm) == ["mei Tanaka", "Bo Anand", "Anna Berg", "anna Adler"])

    qtbot.keyClicks(crm.search, "na")  # "anna": three characters and more go through the trigram index
    qtbot.waitUntil(lambda: crm.found.text() == "2 contacts")
    assert names_shown(crm) == ["Anna Berg", "anna Adler"]  # still by name, descending

    qtbot.mouseClick(
        crm.table.viewport(), Qt.MouseButton.LeftButton, pos=crm.table.visualRect(crm.model.index(1, 0)).center()
    )
    qtbot.waitUntil(lambda: crm.mass.count.text() == "1 contact selected.")
    assert crm.selected_ids() == [crm.model.id_of_row(1)]


def test_a_100000_contact_table_reads_pages_only(make_window, qtbot):
    calls: list[tuple[str, int]] = []

    def prepare(ws: Any) -> None:
        for start in range(0, 100_000, 50_000):
            ws.add_contacts(
                [{"name": f"Lead {i:06d}", "email": f"lead{i}@example.com"} for i in range(start, start + 50_000)]
            )
        record(ws, calls, "contact_ids", "contact_page", "contact_listings", "matching_count")

    window = make_window(prepare)
    open_contacts(window, qtbot)
    crm = window.crm
    qtbot.waitUntil(lambda: crm.found.text() == "100,000 contacts")  # "More than 10,000" first, then counted
    assert crm.model.rowCount() == 100_000
    assert ("matching_count", 1) in calls and COUNTED_AT_ONCE < 100_000
    assert not [c for c in calls if c[0] == "contact_ids"]
    listed = [size for name, size in calls if name == "contact_listings"]
    assert listed and max(listed) <= PAGE  # the rows on screen were read, a page at a time
    assert len([c for c in calls if c[0] == "contact_page"]) <= 2

    calls.clear()
    bar = crm.table.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    qtbot.waitUntil(lambda: crm.table.rowAt(0) > 40_000)
    middle = crm.table.rowAt(0)
    qtbot.waitUntil(lambda: crm.model.data(crm.model.index(middle, 0)) == f"Lead {middle:06d}")
    pages = [size for name, size in calls if name == "contact_page"]
    assert len(pages) in (1, 2), calls  # the page in the middle (and its neighbour), nothing before it
    assert max(pages) <= PAGE, calls

    calls.clear()
    header = crm.table.horizontalHeader()
    crm.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # as a click on "Name" twice
    qtbot.waitUntil(lambda: crm.model.data(crm.model.index(0, 0)) == "Lead 099999")
    assert header.sortIndicatorSection() == 0
    assert not [c for c in calls if c[0] == "contact_ids"]
    # the first page (the worker), and the one or two the view still shows in the middle
    assert len([c for c in calls if c[0] == "contact_page"]) <= 4, calls
    listed = [size for name, size in calls if name in ("contact_page", "contact_listings")]
    assert listed and max(listed) <= PAGE, calls

    calls.clear()
    qtbot.mouseClick(crm.select_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: crm.mass.count.text() == "100,000 contacts selected.")  # also before the count came
    crm.mass.selection_changed()  # as every answer and every change does: the ids are not read again
    crm.mass.selection_changed()
    assert [c for c in calls if c[0] == "contact_page"] == [("contact_page", 100_000)]  # Mass Actions need them all
    assert crm.found.text() == "100,000 contacts"
