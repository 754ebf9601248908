"""A table model over a record service's keyset-paginated list.

The model never holds the whole table: it asks ``service.list_page`` for one page at a time
(``canFetchMore``/``fetchMore``, so the view pulls pages as the user scrolls). Sorting and
searching re-query in SQL; there is no proxy model. A view key (built-in "mine", a saved
"saved:12", …) and an advanced ``Filter`` narrow the rows in SQL too. Select values show their
labels (built-in choices translated, dictionary items by their stored label). Every load runs through ``ui.ops.op``
off the GUI thread; a generation counter drops pages that arrive after the sort, the search
or the data changed. Thread rule: use the model on the GUI thread only.
"""
from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView
from shiboken6 import isValid

from crm_desktop.services.org import departments, users
from crm_desktop.services.records import schema as schema_service
from crm_desktop.services.records.filters import Filter
from crm_desktop.services.records.records import (
    PAGE_SIZE,
    Page,
    RecordDTO,
    RecordService,
)
from crm_desktop.services.records.schema import EntitySchema, FieldType
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import error_text, tr
from crm_desktop.ui.ops import op

if TYPE_CHECKING:
    from crm_desktop.db import Database
    from crm_desktop.services.org.actor import Actor

#: The record's id, for selection and actions (``data(index, RecordIdRole)``).
RecordIdRole = Qt.ItemDataRole.UserRole + 1
#: A refresh after a change reloads what was on screen, up to this many rows.
MAX_REFRESH_ROWS = 1000
#: Changes of these "entities" may change how select values read (labels) or which fields exist.
SCHEMA_ENTITIES = frozenset({"*", "dictionary", "custom_field", "schema", "field_permission", "role", "user",
                             "department"})
#: Changes often come in bursts (a bulk transfer emits one signal per record).
REFRESH_DELAY_MS = 80

AnyIndex = QModelIndex | QPersistentModelIndex


def read_value_labels(db: Database, actor: Actor, entity: str) -> tuple[EntitySchema, dict[str, dict[str, str]]]:
    """The entity's schema and, per select / user / department field, stored value → label:
    what every list shows instead of a raw value ("B（普通客户）", not "B"). Runs on the op
    worker (a service read); built-in choices are translated, so call it with the UI language set."""
    schema = schema_service.get_schema(db, actor, entity)
    labels: dict[str, dict[str, str]] = {}
    dictionaries: dict[str, dict[str, str]] = {}
    for spec in schema.fields:
        # Custom user/department fields hold ids; show names (owner has its own column).
        if spec.type is FieldType.USER and spec.name != "owner_id":
            if "@users" not in dictionaries:
                dictionaries["@users"] = {str(u.id): u.name for u in users.list_users(db, actor)}
            labels[spec.name] = dictionaries["@users"]
        elif spec.type is FieldType.DEPARTMENT:
            if "@departments" not in dictionaries:
                dictionaries["@departments"] = {str(d.id): d.name for d in departments.list_departments(db, actor)}
            labels[spec.name] = dictionaries["@departments"]
        elif spec.dictionary and spec.type in (FieldType.SELECT, FieldType.MULTISELECT):
            if spec.dictionary not in dictionaries:
                items = schema_service.get_dictionary(db, actor, spec.dictionary, include_disabled=True)
                dictionaries[spec.dictionary] = {i.value: i.label for i in items}
            labels[spec.name] = dictionaries[spec.dictionary]
        elif spec.choices:
            labels[spec.name] = {value: tr(label, "fields") for value, label in spec.choices}
    return schema, labels


def label_text(labels: dict[str, dict[str, str]], field: str, value: Any) -> str:
    """How a cell reads: a select value by its label (a list of them joined), else formatted."""
    found = labels.get(field)
    if found and value not in (None, ""):
        if isinstance(value, (list, tuple)):
            return ", ".join(found.get(str(v), str(v)) for v in value)
        return found.get(str(value), str(value))
    return format_value(value)


@dataclass(frozen=True)
class ColumnSpec:
    """One list column: a record field (or a base attribute such as ``owner_name`` or
    ``updated_at``), its translated header and its initial width in pixels.

    ``sortable`` columns must be sortable by the service (module fields, ``created_at``,
    ``updated_at``, ``id``); owner name is not, so clicking its header does nothing.
    """

    field: str
    header: str
    width: int = 120
    sortable: bool = True


def format_value(value: Any, *, seconds: bool = False) -> str:
    """How a stored value reads in a list cell or a log line (times in local time)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return tr("Yes") if value else tr("No")
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone()
        return value.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return f"{value:,.2f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v) for v in value)
    return str(value)


def record_value(record: RecordDTO, field: str) -> Any:
    """A field of a record: module fields, then base attributes, then custom fields."""
    if field in record.values:
        return record.values[field]
    if field in ("id", "owner_name", "owner_id", "creator_id", "created_at", "updated_at", "version"):
        return getattr(record, field)
    return record.custom.get(field)


class PagedTableModel(QAbstractTableModel):
    """Keyset paging, shared by the record lists and the public pool's list: the first page on
    (re)load, the next one as the view scrolls (``fetchMore``), the count beside them, and a
    generation counter that drops the answers a newer sort, search or refresh superseded.

    A subclass says what to read: ``_page_reader(after, limit)`` and ``_count_reader()``
    return the functions a worker runs (``ui.ops.op``); their answers come back here.
    Signals: ``totalChanged(n)``, ``loadFailed(message)`` (translated).
    """

    totalChanged = Signal(int)
    loadFailed = Signal(str)

    def __init__(self, page_size: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._page_size = page_size
        self._rows: list[Any] = []
        self._cursor: tuple[Any, int] | None = None
        self._has_more = False
        self._loading = False
        self._generation = 0
        self._total: int | None = None

    def _page_reader(self, after: tuple[Any, int] | None, limit: int) -> Callable[[], Any]:
        raise NotImplementedError

    def _count_reader(self) -> Callable[[], int]:
        raise NotImplementedError

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008, N802 - Qt API
        return not parent.isValid() and self._has_more and not self._loading

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008, N802 - Qt API
        if self.canFetchMore(parent):
            self._request(reset=False, limit=self._page_size)

    def _request(self, *, reset: bool, limit: int) -> None:
        generation = self._generation
        load = self._page_reader(None if reset else self._cursor, limit)
        self._loading = True
        (
            op(None, load)
            .success(lambda page: self._page_loaded(generation, reset, page))
            .failure(lambda exc: self._load_failed(generation, exc))
            .run()
        )

    def _page_loaded(self, generation: int, reset: bool, page: Any) -> None:
        if not isValid(self) or generation != self._generation:
            return  # a newer sort, search or refresh has superseded this page
        if reset and self._rows and [r.id for r in page.rows] == [r.id for r in self._rows]:
            # The same records in the same order (a refresh after someone's save): update the
            # cells in place, so the view keeps its selection, current row and scroll position.
            self._rows = list(page.rows)
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._rows) - 1, max(self.columnCount() - 1, 0)))
        elif reset:
            self.beginResetModel()
            self._rows = list(page.rows)
            self.endResetModel()
        elif page.rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self._rows.extend(page.rows)
            self.endInsertRows()
        self._cursor = page.next_cursor
        self._has_more = page.next_cursor is not None
        self._loading = False

    def _load_failed(self, generation: int, exc: BaseException) -> None:
        if not isValid(self) or generation != self._generation:
            return
        # Stop paging: a view would otherwise retry on every scroll and repeat the error.
        self._has_more = False
        self._loading = False
        self.loadFailed.emit(error_text(exc))

    def _count(self) -> None:
        generation = self._generation

        def counted(total: int) -> None:
            if isValid(self) and generation == self._generation:
                self._total = total
                self.totalChanged.emit(total)

        op(None, self._count_reader()).success(counted).failure(lambda exc: self._load_failed(generation, exc)).run()


class RecordTableModel(PagedTableModel):
    """Rows of one record module as the actor may see them, loaded page by page.

    Signals: ``totalChanged(n)`` with the count of matching records (``service.count``),
    ``loadFailed(message)`` with a translated message when a page or the count could not be
    read, ``filterChanged()`` after ``set_view``/``set_filter``. Reloads by itself when ``ctx.signals.changed`` names its
    entity (or "*"), and when users change (owner names).
    """

    #: The view key or the filter changed (the tab's filter button and view switcher follow).
    filterChanged = Signal()

    def __init__(
        self,
        ctx: AppContext,
        service: RecordService[Any],
        columns: Sequence[ColumnSpec],
        *,
        page_size: int = PAGE_SIZE,
        sort: str = "updated_at",
        descending: bool = True,
        view: str | None = None,
        filter: Filter | None = None,  # noqa: A002 - the service's keyword
        parent: QObject | None = None,
    ) -> None:
        super().__init__(page_size, parent)
        self._ctx = ctx
        self._service = service
        self._columns = tuple(columns)
        self._sort = sort
        self._descending = descending
        self._text = ""
        self._view = view
        self._filter = filter or Filter()
        self._schema: EntitySchema | None = None
        #: field → stored value → label, for select fields (built-in choices and dictionaries).
        self._labels: dict[str, dict[str, str]] = {}
        self._rows: list[RecordDTO] = []
        #: The rows being read are a refresh of the same query (see ``refresh``).
        self.refreshing = False
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        ctx.signals.changed.connect(self._on_changed)
        self.reload()
        self.load_labels()

    # --- what the tab and tests read ------------------------------------------------

    @property
    def entity(self) -> str:
        return self._service.module

    @property
    def columns(self) -> tuple[ColumnSpec, ...]:
        return self._columns

    @property
    def total(self) -> int | None:
        """Matching records in the database (None until counted)."""
        return self._total

    @property
    def sort_field(self) -> str:
        return self._sort

    @property
    def descending(self) -> bool:
        return self._descending

    @property
    def search_text(self) -> str:
        return self._text

    @property
    def view_key(self) -> str | None:
        """The view the rows are narrowed by ("all", "mine", "saved:12", …); None = no view."""
        return self._view

    @property
    def filter(self) -> Filter:
        """The advanced filter applied on top of the view (``Filter()`` matches everything)."""
        return self._filter

    @property
    def schema(self) -> EntitySchema | None:
        """The actor's schema of the entity, once read (None before, or for schema-less modules)."""
        return self._schema

    def is_loading(self) -> bool:
        """True while a page is being read or a refresh after a change is pending."""
        return self._loading or self._refresh_timer.isActive()

    def record(self, row: int) -> RecordDTO:
        return self._rows[row]

    def row_of(self, record_id: int) -> int | None:
        for row, record in enumerate(self._rows):
            if record.id == record_id:
                return row
        return None

    def column_of(self, field: str) -> int | None:
        for column, spec in enumerate(self._columns):
            if spec.field == field:
                return column
        return None

    def display_text(self, record: RecordDTO, field: str) -> str:
        """What a cell shows: select values by their label, everything else formatted."""
        return label_text(self._labels, field, record_value(record, field))

    # --- Qt model interface -----------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        record = self._rows[index.row()]
        spec = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            # One line per cell: the row height is fixed.
            return self.display_text(record, spec.field).replace("\n", " ")
        if role == Qt.ItemDataRole.ToolTipRole:
            text = self.display_text(record, spec.field)
            return text if len(text) > 30 or "\n" in text else None
        if role == RecordIdRole:
            return record.id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return self._columns[section].header
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Re-query sorted by ``column`` in SQL; a column the service cannot sort is ignored."""
        if not 0 <= column < len(self._columns) or not self._columns[column].sortable:
            return
        self.set_sort(self._columns[column].field, descending=order == Qt.SortOrder.DescendingOrder)

    # --- changing what is shown -------------------------------------------------------

    def set_sort(self, field: str, *, descending: bool) -> None:
        if (field, descending) == (self._sort, self._descending):
            return
        self._sort, self._descending = field, descending
        self.reload()

    def set_view(
        self, key: str | None, *, filter: Filter | None = None,  # noqa: A002 - the service's keyword
        sort: str | None = None, descending: bool | None = None,
    ) -> None:
        """Show view ``key`` with ``filter`` (default: none) and, when given, its sort; reloads
        unless the rows would be the same (no view and "all" narrow nothing)."""
        before = (self._view or "all", self._filter, self._sort, self._descending)
        self._view = key
        self._filter = filter or Filter()
        if sort is not None:
            self._sort = sort
        if descending is not None:
            self._descending = descending
        self.filterChanged.emit()
        if (self._view or "all", self._filter, self._sort, self._descending) != before:
            self.reload()

    def set_filter(self, flt: Filter) -> None:
        """Narrow the current view by ``flt`` (``Filter()`` clears it); reloads."""
        self._filter = flt
        self.filterChanged.emit()
        self.reload()

    def set_columns(self, columns: Sequence[ColumnSpec]) -> None:
        """Show other columns (same rows; nothing is re-read). Views reset their header."""
        self.beginResetModel()
        self._columns = tuple(columns)
        self.endResetModel()

    def set_search(self, text: str) -> None:
        text = text.strip()
        if text != self._text:
            self._text = text
            self.reload()

    def reload(self) -> None:
        """Start over at the first page (after a sort or search change)."""
        self.refreshing = False
        self._start(limit=self._page_size)

    def refresh(self) -> None:
        """Re-read what is on screen, keeping roughly as many rows (after a data change).
        ``refreshing`` is True until a reload: views keep their scroll position then."""
        self.refreshing = True
        self._start(limit=min(max(self._page_size, len(self._rows)), MAX_REFRESH_ROWS))

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if entity in (self._service.module, "*", "user"):
            self._refresh_timer.start()
        if entity in SCHEMA_ENTITIES:
            self.load_labels()

    def load_labels(self) -> None:
        """Read the schema and the dictionaries its select fields use; cells then show labels."""
        db, actor, entity = self._ctx.db, self._ctx.actor, self._service.module

        def load() -> tuple[EntitySchema, dict[str, dict[str, str]]]:
            return read_value_labels(db, actor, entity)

        def loaded(result: tuple[EntitySchema, dict[str, dict[str, str]]]) -> None:
            if not isValid(self):
                return
            self._schema, self._labels = result
            if self._rows and self._columns:
                last = self.index(len(self._rows) - 1, len(self._columns) - 1)
                self.dataChanged.emit(self.index(0, 0), last, [Qt.ItemDataRole.DisplayRole])

        # A module without a schema (or a failed read) simply shows raw values.
        op(None, load).success(loaded).failure(lambda _exc: None).run()

    # --- loading ----------------------------------------------------------------------

    def _start(self, *, limit: int) -> None:
        self._refresh_timer.stop()
        self._generation += 1
        # The old rows stay until the new first page arrives, so the view does not flicker.
        self._request(reset=True, limit=limit)
        self._count()

    def _page_reader(self, after: tuple[Any, int] | None, limit: int) -> Callable[[], Page]:
        db, actor, service = self._ctx.db, self._ctx.actor, self._service
        sort, descending, text = self._sort, self._descending, self._text or None
        view, flt = self._view, self._filter if self._filter.conditions else None
        return lambda: service.list_page(db, actor, sort=sort, descending=descending, after=after, limit=limit,
                                         text=text, filter=flt, view=view)

    def _count_reader(self) -> Callable[[], int]:
        db, actor, service, text = self._ctx.db, self._ctx.actor, self._service, self._text or None
        view, flt = self._view, self._filter if self._filter.conditions else None
        return lambda: service.count(db, actor, text=text, filter=flt, view=view)


def configure_view(view: QTableView, model: RecordTableModel) -> None:
    """Set up a table view for a record model: fixed row height, column widths, row-wise
    multi-selection, and header clicks that sort in SQL (non-sortable columns ignore them)."""
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    rows = view.verticalHeader()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(view.fontMetrics().height() + 12)
    rows.hide()
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setStretchLastSection(True)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    for column, spec in enumerate(model.columns):
        header.resizeSection(column, spec.width)

    def current_order() -> Qt.SortOrder:
        return Qt.SortOrder.DescendingOrder if model.descending else Qt.SortOrder.AscendingOrder

    def show_current() -> None:
        column = model.column_of(model.sort_field)
        header.setSortIndicatorShown(column is not None)
        if column is not None:
            header.setSortIndicator(column, current_order())

    def clicked(column: int, order: Qt.SortOrder) -> None:
        if model.columns[column].sortable:
            model.sort(column, order)
        else:
            show_current()  # put the arrow back where the data really is sorted

    show_current()
    header.setSectionsClickable(True)
    header.sortIndicatorChanged.connect(clicked)
