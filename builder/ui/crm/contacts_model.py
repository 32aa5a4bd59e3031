"""The contacts table's model: ids for the whole query, rows only for the pages on screen.

A million ids are 8 MB and come from one indexed query; the rows themselves
are read 200 at a time as the view asks for them and kept in a small cache.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from builder.store.contacts_view import SORTABLE, ContactListing
from builder.store.database import WorkspaceError
from builder.store.workspace import Workspace

PAGE = 200
KEPT_PAGES = 64
COLUMNS = (
    ("Name", "name"),
    ("Email", "email"),
    ("Company", "company"),
    ("Title", "title"),
    ("Tags", "tags"),
    ("Sender profile (override)", "sender_profile"),
)

Index = QModelIndex | QPersistentModelIndex


class ContactsModel(QAbstractTableModel):
    query_changed = Signal()  # the order asked for changed: the view asks the workspace again

    def __init__(self, workspace: Workspace, parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.workspace = workspace
        self.ids: list[int] = []
        self._pages: OrderedDict[int, list[ContactListing]] = OrderedDict()
        self.search = ""
        self.tag_id: int | None = None
        self.segment_id: int | None = None
        self.sort_key = "id"
        self.descending = False

    # -- the query -----------------------------------------------------------------------

    def question(self) -> Callable[[], list[int]]:
        """The current search, filters and order as a call the query worker can make."""
        search, tag_id, segment_id = self.search, self.tag_id, self.segment_id
        sort_key, descending = self.sort_key, self.descending
        return lambda: self.workspace.contact_ids(
            search=search, tag_id=tag_id, segment_id=segment_id, sort=sort_key, descending=descending
        )

    def set_ids(self, ids: list[int]) -> None:
        self.beginResetModel()
        self.ids = ids
        self._pages.clear()
        self.endResetModel()

    def forget_rows(self) -> None:
        """The same contacts, but what they hold changed (tags, pins): read the pages again."""
        self._pages.clear()
        if self.ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.ids) - 1, len(COLUMNS) - 1))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1] if 0 <= column < len(COLUMNS) else "id"
        wanted = (key if key in SORTABLE else "id", order == Qt.SortOrder.DescendingOrder)
        if wanted != (self.sort_key, self.descending):
            self.sort_key, self.descending = wanted
            self.query_changed.emit()

    # -- Qt's model interface ------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.ids)

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

    def listing(self, row: int) -> ContactListing | None:
        if not 0 <= row < len(self.ids):
            return None
        number = row // PAGE
        page = self._pages.get(number)
        if page is None:
            ids = self.ids[number * PAGE : (number + 1) * PAGE]
            try:
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
        return page[row - number * PAGE]

    def ids_of_rows(self, ranges: list[tuple[int, int]]) -> list[int]:
        """The contact ids of row ranges (top, bottom inclusive), in table order."""
        chosen: list[int] = []
        for top, bottom in sorted(ranges):
            chosen += self.ids[top : bottom + 1]
        return list(dict.fromkeys(chosen))
