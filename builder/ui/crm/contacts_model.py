"""The contacts table's model: how many match, and the rows of the pages on screen only (SPEC §8 "CRM").

The first answer for a search is a count (exact up to :data:`COUNTED_AT_ONCE`,
"more than" beyond, made exact by a second, slower question) and the first
page's ids. Every other page is asked for when the view shows one of its rows:
its ids from an index (``Workspace.contact_page``), then its rows, 200 at a
time, kept in a small cache. Only a segment filter, which the engine decides
and SQL cannot, keeps all the matching ids in memory.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from builder.store.contact_search import ContactQuery
from builder.store.contacts_view import SORTABLE, ContactListing
from builder.store.database import WorkspaceError
from builder.store.workspace import Workspace

PAGE = 200
KEPT_PAGES = 64
COUNTED_AT_ONCE = 10_000  # counting further waits for the second question; the first page does not
COLUMNS = (
    ("Name", "name"),
    ("Email", "email"),
    ("Company", "company"),
    ("Title", "title"),
    ("Tags", "tags"),
    ("Sender profile (override)", "sender_profile"),
)

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Found:
    """The first answer to a query: how many match, the first page's ids, and a note about the search."""

    wanted: ContactQuery
    count: int
    exact: bool  # False: at least ``count`` match, the exact number is asked for next
    first: list[int]
    listed: list[int] | None = None  # every matching id, when a segment filter decides
    note: str | None = None  # said once: search here cannot use an index

    def sentence(self) -> str:
        if not self.exact:
            return f"More than {self.count - 1:,} contacts"  # the count stopped one past its limit
        return f"{self.count:,} contact{'s' if self.count != 1 else ''}"


def find(workspace: Workspace, wanted: ContactQuery) -> Found:
    """The first answer to ``wanted``, as the query worker asks it (off the GUI thread)."""
    note = workspace.search_note() if wanted.words else None
    if wanted.segment_id is not None:
        ids = workspace.contact_ids(
            search=wanted.search,
            tag_id=wanted.tag_id,
            segment_id=wanted.segment_id,
            sort=wanted.sort,
            descending=wanted.descending,
        )
        return Found(wanted, len(ids), True, ids[:PAGE], ids, note)
    first, count, exact = workspace.first_contacts(wanted, PAGE, at_most=COUNTED_AT_ONCE)
    return Found(wanted, count, exact, first, None, note)


class ContactsModel(QAbstractTableModel):
    query_changed = Signal()  # the order asked for changed: the view asks the workspace again

    def __init__(self, workspace: Workspace, parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.workspace = workspace
        self.wanted = ContactQuery()
        self.count = 0
        self.exact = True
        self._listed: list[int] | None = None
        self._page_ids: OrderedDict[int, list[int]] = OrderedDict()
        self._pages: OrderedDict[int, list[ContactListing]] = OrderedDict()
        self._chosen: tuple[tuple[tuple[int, int], ...], list[int]] | None = None  # the last selection's ids
        self.search = ""
        self.tag_id: int | None = None
        self.segment_id: int | None = None
        self.sort_key = "id"
        self.descending = False

    # -- the query -----------------------------------------------------------------------

    def question(self) -> Callable[[], Found]:
        """The current search, filters and order as a call the query worker can make."""
        wanted = ContactQuery(self.search, self.tag_id, self.segment_id, self.sort_key, self.descending)
        return lambda: find(self.workspace, wanted)

    def count_question(self) -> Callable[[], tuple[ContactQuery, int]]:
        """The exact count of what the table shows, when the first answer only said "more than"."""
        wanted = self.wanted
        return lambda: (wanted, self.workspace.matching_count(wanted))

    def same_as(self, found: Found) -> bool:
        """Whether ``found`` is what the table shows already (then only the rows' contents may have changed)."""
        counted = found.count == self.count or (not found.exact and self.count >= found.count)
        return counted and (found.wanted, found.first) == (self.wanted, self._page_ids.get(0))

    def set_found(self, found: Found) -> None:
        self.beginResetModel()
        self.wanted, self.count, self.exact, self._listed = found.wanted, found.count, found.exact, found.listed
        self._page_ids.clear()
        self._page_ids[0] = found.first
        self._pages.clear()
        self._chosen = None
        self.endResetModel()

    def set_count(self, wanted: ContactQuery, count: int) -> None:
        """The exact count arrived: the table grows (or shrinks) to it, the selection stays."""
        if wanted != self.wanted:
            return
        self.exact = True
        self._chosen = None
        if count > self.count:
            self.beginInsertRows(QModelIndex(), self.count, count - 1)
            self.count = count
            self.endInsertRows()
        elif count < self.count:
            self.beginRemoveRows(QModelIndex(), count, self.count - 1)
            self.count = count
            self._page_ids.clear()
            self._pages.clear()
            self.endRemoveRows()

    def forget_rows(self) -> None:
        """The same count and first page, but what the contacts hold changed (tags, pins, names): read again."""
        first = self._page_ids.get(0)
        self._page_ids.clear()
        if first is not None:
            self._page_ids[0] = first
        self._pages.clear()
        self._chosen = None
        if self.count:
            self.dataChanged.emit(self.index(0, 0), self.index(self.count - 1, len(COLUMNS) - 1))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1] if 0 <= column < len(COLUMNS) else "id"
        wanted = (key if key in SORTABLE else "id", order == Qt.SortOrder.DescendingOrder)
        if wanted != (self.sort_key, self.descending):
            self.sort_key, self.descending = wanted
            self.query_changed.emit()

    # -- Qt's model interface ------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal:
                return COLUMNS[section][0]
            return f"{section + 1:,}"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self.listing(index.row())
        if row is None:
            return None
        value = getattr(row, COLUMNS[index.column()][1])
        return "" if value is None else str(value)

    # -- rows ------------------------------------------------------------------------------------

    def _ids(self, offset: int, limit: int) -> list[int]:
        """The ids of rows ``offset`` … ``offset + limit - 1``: from memory, or one page query."""
        if self._listed is not None:
            return self._listed[offset : offset + limit]
        return self.workspace.contact_page(self.wanted, offset, limit, matches=self.count if self.exact else None)

    def page_ids(self, number: int) -> list[int]:
        ids = self._page_ids.get(number)
        if ids is None:
            ids = self._page_ids[number] = self._ids(number * PAGE, PAGE)
            while len(self._page_ids) > KEPT_PAGES:
                self._page_ids.popitem(last=False)
        else:
            self._page_ids.move_to_end(number)
        return ids

    def listing(self, row: int) -> ContactListing | None:
        if not 0 <= row < self.count:
            return None
        number = row // PAGE
        page = self._pages.get(number)
        if page is None:
            try:
                ids = self.page_ids(number)
                page = self.workspace.contact_listings(ids)
            except WorkspaceError:
                return None
            if len(page) != len(ids):  # some were deleted meanwhile: keep positions, blank the gone ones
                found = {p.id: p for p in page}
                page = [found.get(i, ContactListing(i, "(deleted)", None, None, None, None, "", None)) for i in ids]
            self._pages[number] = page
            while len(self._pages) > KEPT_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        position = row - number * PAGE
        return page[position] if position < len(page) else None

    def id_of_row(self, row: int) -> int | None:
        ids = self.ids_of_rows([(row, row)])
        return ids[0] if ids else None

    def ids_of_rows(self, ranges: list[tuple[int, int]]) -> list[int]:
        """The contact ids of row ranges (top, bottom inclusive), in table order.

        Rows of pages read already come from memory; any other range is one
        query for its ids (selecting all of a million reads a million ids, once).
        """
        asked = tuple(sorted(ranges))
        if self._chosen is not None and self._chosen[0] == asked:
            return list(self._chosen[1])  # the Mass Actions panel asks again at every change; a million ids once
        chosen: list[int] = []
        for top, bottom in asked:
            top, bottom = max(top, 0), min(bottom, self.count - 1)
            if top > bottom:
                continue
            first, last = top // PAGE, bottom // PAGE
            if all(number in self._page_ids for number in range(first, last + 1)):
                for number in range(first, last + 1):
                    start = number * PAGE
                    chosen += self._page_ids[number][max(top - start, 0) : bottom - start + 1]
            else:
                chosen += self._ids(top, bottom - top + 1)
        chosen = list(dict.fromkeys(chosen))
        self._chosen = (asked, chosen)
        return list(chosen)
