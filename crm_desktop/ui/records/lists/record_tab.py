"""The generic record tab every record module's list screen is made of.

``RecordTab`` is the list screen of any record module: search, a keyset-paged table sorted
in SQL, New / Edit / Delete / Transfer, the recycle bin and the operation log; above the
table, the view switcher (view_bar.py), the advanced filter (shared/filter_editor.py) and the
column chooser (column_chooser.py), all generated from the field schema. Its columns, form
and sentences come from the entity's view spec (``specs.registry.view_spec``); a module tab
adds its own buttons (see customers.py). New / Edit open the entity's one form
(``forms.open.open_form``); double-click opens the detail window.
Buttons follow ``ctx.actor.can(module, action)``; the service enforces the same rules.
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.customers.customers import transfer_records
from crm_desktop.services.org import users
from crm_desktop.services.org.users import UserDTO
from crm_desktop.services.records.filters import Filter
from crm_desktop.services.records.records import RecordDTO, RecordService
from crm_desktop.services.records.registry import record_service
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import ChooseUserDialog, ask
from crm_desktop.ui.i18n import error_text
from crm_desktop.ui.imports.list_button import add_import_button
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.details.window import RecordDetailWindow, open_detail
from crm_desktop.ui.records.forms.layout import FormField, form_fields
from crm_desktop.ui.records.forms.open import open_form
from crm_desktop.ui.records.forms.record_dialog import RecordDialog
from crm_desktop.ui.records.lists.column_chooser import ColumnControl
from crm_desktop.ui.records.lists.list_export import ListExporter, add_export
from crm_desktop.ui.records.lists.recycle_bin import RecycleBinDialog
from crm_desktop.ui.records.lists.view_bar import ViewBar
from crm_desktop.ui.records.shared.filter_editor import FilterEditor
from crm_desktop.ui.records.shared.list_model import (
    ColumnSpec,
    RecordTableModel,
    configure_view,
)
from crm_desktop.ui.records.shared.operation_log import OperationLogDialog
from crm_desktop.ui.records.specs.base import RecordTexts, ViewSpec
from crm_desktop.ui.records.specs.registry import DETAIL_ENTITIES, view_spec

SEARCH_DELAY_MS = 250


class TransferDialog(ChooseUserDialog):
    """Choose a new owner among enabled users; with ``keep_team``, also whether the previous
    owner stays on the record's team (转移后，原负责人可转换为团队成员: read, read-write, not kept).

    Public: ``owner_combo``, ``selected_user_id()``, ``options`` (the form of extra rows, for
    subclasses), ``team_combo`` (None without ``keep_team``), ``keep_old_owner()``,
    ``set_keep_old_owner(access)``.
    """

    def __init__(self, people: Sequence[UserDTO], *, count: int, keep_team: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(
            people, title=self.tr("Transfer"), label=self.tr("New owner"), ok_text=self.tr("Transfer"),
            intro=self.tr("Selected records: {n}. Choose their new owner.").format(n=count), parent=parent,
        )
        self.owner_combo = self.user_combo
        self.team_combo: QComboBox | None = None
        box = QWidget()
        self.options = QFormLayout(box)
        self.options.setContentsMargins(0, 0, 0, 0)
        if keep_team:
            self.team_combo = QComboBox()
            self.team_combo.addItem(self.tr("No"), None)
            self.team_combo.addItem(self.tr("Yes, read only"), "read")
            self.team_combo.addItem(self.tr("Yes, read and write"), "write")
            self.options.addRow(self.tr("Keep the previous owner in the team"), self.team_combo)
            self.setMinimumWidth(440)
        layout = self.layout()
        assert layout is not None
        layout.insertWidget(layout.count() - 1, box)  # above the buttons

    def keep_old_owner(self) -> str | None:
        data = self.team_combo.currentData() if self.team_combo is not None else None
        return str(data) if data else None

    def set_keep_old_owner(self, access: str | None) -> None:
        if self.team_combo is not None:
            self.team_combo.setCurrentIndex(self.team_combo.findData(access))


class RecordTab(QWidget):
    """The list screen of one record module, made from its view spec (``spec``).

    Public for tests: ``spec``, ``view``, ``model``, ``search_edit``, ``count_label``,
    ``message_label``, the buttons, ``view_bar``, ``column_control``, and the dialogs it
    opened last (``record_dialog``, ``detail_window``, ``transfer_dialog``, ``recycle_bin_dialog``,
    ``log_dialog``, ``filter_editor``, ``pending_question``). ``columns`` are the module's
    default columns; ``model.columns`` what is shown (the user's choice).
    Dialogs open non-modally to the app (``open()``), so nothing blocks the event loop.
    """

    def __init__(self, ctx: AppContext, service: RecordService[Any], *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.service = service
        self.spec: ViewSpec = view_spec(service.module)
        self.columns: tuple[ColumnSpec, ...] = self.spec.list_columns()
        self.fields: tuple[FormField, ...] = form_fields(self.spec)
        assert self.spec.texts is not None, f"{service.module} has no list texts"
        self.texts: RecordTexts = self.spec.texts.translated()
        self.record_dialog: RecordDialog | None = None
        self.detail_window: RecordDetailWindow | None = None
        self.transfer_dialog: TransferDialog | None = None
        self.recycle_bin_dialog: RecycleBinDialog | None = None
        self.log_dialog: OperationLogDialog | None = None
        self.filter_editor: FilterEditor | None = None
        self.pending_question: QMessageBox | None = None
        self._keep_selection: list[int] = []
        self._keep_scroll = 0

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(self.texts.search_placeholder)
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(240)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_search)
        self.search_edit.textChanged.connect(lambda _text: self._search_timer.start())
        self.search_edit.returnPressed.connect(self._apply_search)

        self.new_button = QPushButton(self.tr("New"))
        self.edit_button = QPushButton(self.tr("Edit"))
        self.delete_button = QPushButton(self.tr("Delete"))
        self.delete_button.setToolTip(self.tr("Move the selected records to the recycle bin."))
        self.transfer_button = QPushButton(self.tr("Transfer"))
        self.transfer_button.setToolTip(self.tr("Give the selected records to another owner."))
        self.log_button = QPushButton(self.tr("Operation log"))
        self.bin_button = QPushButton(self.tr("Recycle bin"))
        self.new_button.clicked.connect(self.new_record)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.transfer_button.clicked.connect(self.transfer_selected)
        self.log_button.clicked.connect(self.show_log)
        self.bin_button.clicked.connect(self.show_recycle_bin)
        can = lambda action: ctx.actor.can(service.module, action)  # noqa: E731
        # What the actor may never do is not offered at all.
        self.new_button.setVisible(can("create"))
        self.edit_button.setVisible(can("edit"))
        self.delete_button.setVisible(can("delete"))
        self.transfer_button.setVisible(can("transfer"))
        self.bin_button.setVisible(can("delete"))  # the service's recycle bin needs "delete"

        self.model = RecordTableModel(ctx, service, self.columns, parent=self)
        self.view = QTableView()
        configure_view(self.view, self.model)
        self.view.doubleClicked.connect(lambda _index: self.open_selected())
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        # A refresh in place (live refresh keeps the selection) changes the selected records'
        # values without a selection change: the buttons follow the values too.
        self.model.dataChanged.connect(lambda *_args: self._update_buttons())
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.modelReset.connect(self._restore_selection)
        self.model.totalChanged.connect(self._show_total)
        self.model.loadFailed.connect(self._show_message)

        self.view_bar = ViewBar(ctx, service, self.model, parent=self)
        self.view_bar.failed.connect(self._show_message)
        self.filter_button = QPushButton(self.tr("Filter"))
        self.filter_button.setToolTip(self.tr("Show only the records that match conditions on their fields."))
        self.filter_button.clicked.connect(self.open_filter_editor)
        self.clear_filter_button = QPushButton(self.tr("Clear filter"))
        self.clear_filter_button.clicked.connect(self.clear_filter)
        self.model.filterChanged.connect(self._update_filter_button)
        self.column_control = ColumnControl(self)
        bar = self.view_bar.row
        bar.addSpacing(12)
        bar.addWidget(self.filter_button)
        bar.addWidget(self.clear_filter_button)
        bar.addStretch(1)
        bar.addWidget(self.column_control.button)
        self._update_filter_button()

        self.count_label = QLabel(self.tr("Loading…"))
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)

        tools = QHBoxLayout()
        #: The row of buttons above the list; module tabs and add-ons insert their buttons here.
        self.tool_row = tools
        tools.addWidget(self.search_edit)
        for button in (self.new_button, self.edit_button, self.delete_button, self.transfer_button):
            tools.addWidget(button)
        tools.addStretch(1)
        tools.addWidget(self.log_button)
        tools.addWidget(self.bin_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addSpacing(16)
        bottom.addWidget(self.message_label, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(self.view_bar)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)

        QShortcut(QKeySequence.StandardKey.Find, self, self.search_edit.setFocus)
        QShortcut(QKeySequence.StandardKey.Refresh, self, self.model.refresh)
        if can("create"):
            QShortcut(QKeySequence.StandardKey.New, self, self.new_record)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            enter = QShortcut(QKeySequence(key), self.view, self.open_selected)
            enter.setContext(Qt.ShortcutContext.WidgetShortcut)
        if can("delete"):
            delete = QShortcut(QKeySequence.StandardKey.Delete, self.view, self.delete_selected)
            delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        #: The Export button (list_export.py) where the spec offers it; hidden without the permission.
        self.exporter: ListExporter | None = (
            add_export(self, **self.export_options()) if self.spec.offers("export") else None)
        #: The Import… button (ui/imports) for the modules the import engine knows.
        self.import_button = add_import_button(self)
        self._update_buttons()
        self.view_bar.load()

    # --- what the list shows ---------------------------------------------------------

    def export_options(self) -> dict[str, Any]:
        """Keywords for ``add_export`` (a module's own field map or service for the export)."""
        return {}

    def bin_columns(self) -> Sequence[ColumnSpec]:
        """What identifies a recycled record: the first two list columns and the owner."""
        owner = [c for c in self.columns if c.field == "owner_name"]
        return (*self.columns[:2], *owner)

    def title_of(self, record: RecordDTO) -> str:
        return str(record.values.get(self.fields[0].name) or record.id)

    def display_text(self, row: int, field: str) -> str:
        """What the list shows in a cell (tabs with delegates say what those draw)."""
        column = self.model.column_of(field)
        assert column is not None
        return str(self.model.data(self.model.index(row, column)))

    # --- selection --------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        return [self.model.record(row).id for row in rows if row < self.model.rowCount()]

    def selected_record(self) -> RecordDTO | None:
        """The one selected record (None when none or several are selected)."""
        ids = self.selected_ids()
        row = self.model.row_of(ids[0]) if len(ids) == 1 else None
        return self.model.record(row) if row is not None else None

    def select_ids(self, ids: Sequence[int]) -> None:
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        for record_id in ids:
            row = self.model.row_of(record_id)
            if row is not None:
                selection.select(self.model.index(row, 0), self.model.index(row, last))
        self.view.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _remember_selection(self) -> None:
        self._keep_selection = self.selected_ids()
        self._keep_scroll = self.view.verticalScrollBar().value()

    def _restore_selection(self) -> None:
        self.select_ids(self._keep_selection)
        if self.model.refreshing:  # someone's save added or removed rows: stay where the user was
            self.view.verticalScrollBar().setValue(self._keep_scroll)
        self._update_buttons()

    def _update_buttons(self) -> None:
        count = len(self.view.selectionModel().selectedRows())
        self.edit_button.setEnabled(count == 1)
        self.log_button.setEnabled(count == 1)
        self.delete_button.setEnabled(count > 0)
        self.transfer_button.setEnabled(count > 0)

    # --- list state -------------------------------------------------------------------

    def _apply_search(self) -> None:
        self._search_timer.stop()
        self.model.set_search(self.search_edit.text())

    def open_filter_editor(self) -> FilterEditor:
        """The advanced filter, non-modal, showing the conditions now in force."""
        if self.filter_editor is not None and isValid(self.filter_editor) and self.filter_editor.isVisible():
            self.filter_editor.raise_()
            self.filter_editor.activateWindow()
            return self.filter_editor
        db, actor, service = self.ctx.db, self.ctx.actor, self.service
        dialog = FilterEditor(self.ctx, service.module, self.model.filter,
                              check=lambda flt: service.count(db, actor, filter=flt), parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.applied.connect(self.view_bar.apply_filter)
        self.filter_editor = dialog
        # Non-modal on purpose: the user may scroll the list while composing conditions.
        dialog.setModal(False)
        dialog.show()
        return dialog

    def clear_filter(self) -> None:
        self.view_bar.apply_filter(Filter())

    def _update_filter_button(self) -> None:
        n = len(self.model.filter.conditions)
        self.filter_button.setText(self.tr("Filter ({n})").format(n=n) if n else self.tr("Filter"))
        self.clear_filter_button.setVisible(n > 0)

    def _show_total(self, total: int) -> None:
        template = self.texts.count_one if total == 1 else self.texts.count_many
        self.count_label.setText(template.format(n=total))

    def _show_message(self, text: str) -> None:
        self.message_label.setText(text)

    def _failed(self, exc: BaseException) -> None:
        if isValid(self):
            self._show_message(error_text(exc))

    # --- actions ----------------------------------------------------------------------

    def _open_form(self, record_id: int | None) -> None:
        """Open the entity's form for a new record or a fresh read of an existing one
        (``record_dialog`` once it is open)."""
        title = self.texts.edit_title if record_id is not None else self.texts.new_title
        open_form(
            self.ctx, self.spec, self, record_id=record_id, title=title, on_failed=self._failed,
            on_saved=lambda saved: self._show_message(self.tr("Saved “{name}”.").format(name=self.title_of(saved))),
            on_opened=self._form_opened,
        )

    def _form_opened(self, dialog: RecordDialog) -> None:
        self.record_dialog = dialog
        self.prepare_form(dialog)

    def prepare_form(self, dialog: RecordDialog) -> None:
        """A module presets a form here when it opens (the products tab: the chosen category)."""

    def new_record(self) -> None:
        self._open_form(None)

    def edit_selected(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            self._open_form(ids[0])

    def open_selected(self) -> None:
        """Double-click / Enter: the record's detail window (modules without one: edit or log)."""
        ids = self.selected_ids()
        if len(ids) != 1:
            return
        if self.service.module in DETAIL_ENTITIES:
            self.detail_window = open_detail(self.ctx, self.service.module, ids[0], parent=self.window())
        elif self.ctx.actor.can(self.service.module, "edit"):
            self.edit_selected()
        else:
            self.show_log()

    def _ask(self, text: str, on_yes: Callable[[], None]) -> QMessageBox:
        title = self.window().windowTitle() or self.tr("Confirm")
        self.pending_question = ask(self, title, text, on_yes, lambda: setattr(self, "pending_question", None))
        return self.pending_question

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self._ask(self.texts.confirm_delete.format(n=len(ids)), lambda: self._delete(ids))

    def _delete(self, ids: list[int]) -> None:
        db, actor, service = self.ctx.db, self.ctx.actor, self.service

        def delete_all() -> Generator[tuple[int, int, str], None, int]:
            for done, record_id in enumerate(ids):
                yield done, len(ids), ""
                service.delete(db, actor, record_id)
            return len(ids)

        (
            op(self, delete_all, write=True)
            .with_progress(self.tr("Moving to the recycle bin…"))
            .success(lambda n: self._show_message(self.tr("Moved to the recycle bin: {n}").format(n=n)))
            .failure(self._failed)
            .run()
        )

    def transfer_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        db, actor = self.ctx.db, self.ctx.actor
        op(self, lambda: users.list_users(db, actor, include_disabled=False)).success(
            lambda people: self._choose_owner(ids, people) if isValid(self) else None
        ).failure(self._failed).run()

    def _choose_owner(self, ids: list[int], people: list[UserDTO]) -> None:
        # "transfer_team": the spec offers keeping the previous owner on the team (seed 004).
        keep_team = self.spec.offers("transfer_team")
        dialog = TransferDialog(people, count=len(ids), keep_team=keep_team, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        row = self.model.row_of(ids[0])
        if row is not None:
            dialog.select_user(self.model.record(row).owner_id)
        dialog.accepted.connect(lambda: self._transfer(ids, dialog.selected_user_id(),
                                                       keep_old_owner=dialog.keep_old_owner() if keep_team else None))
        self.transfer_dialog = dialog
        dialog.open()

    def _transfer(self, ids: list[int], new_owner_id: int | None, *, keep_old_owner: str | None = None) -> None:
        self.transfer_dialog = None
        if new_owner_id is None:
            return
        db, actor, service = self.ctx.db, self.ctx.actor, self.service
        if self.spec.offers("transfer_team"):
            records = record_service(service.module)  # the plain service (the tab's may wrap it)

            def work() -> int:
                return transfer_records(db, actor, records, ids, new_owner_id=new_owner_id,
                                        keep_old_owner=keep_old_owner)
        else:
            def work() -> int:
                return service.transfer(db, actor, ids, new_owner_id=new_owner_id)
        op(self, work, write=True).success(
            lambda n: self._show_message(self.tr("Transferred: {n}").format(n=n))
        ).failure(self._failed).run()

    def show_recycle_bin(self) -> RecycleBinDialog:
        dialog = RecycleBinDialog(
            self.ctx, self.service, self.bin_columns(), title=self.texts.recycle_bin_title, parent=self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.recycle_bin_dialog = dialog
        dialog.open()
        return dialog

    def show_log(self) -> None:
        record = self.selected_record()
        if record is None:
            return
        labels = {f.name: f.label for f in self.fields}
        dialog = OperationLogDialog(
            self.ctx, self.service, record.id, labels,
            title=self.texts.log_title.format(name=self.title_of(record)), parent=self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.log_dialog = dialog
        dialog.open()
