"""The view switcher (场景) above a record list: built-in and saved views.

The combo lists ``services.views.list_views``: built-in views (all, mine, my subordinates',
my team's, starred) translated in context "views", then the user's own. The default view is
selected when the list opens. Choosing a view applies its key, filter and sort to the model.
"Save view…" saves the current filter and sort (optionally as the default); "Delete view"
removes one of the user's own views.

A saved view's filter is applied by the service from its key; if the user then edits the
filter, the list switches to the "all" key with the edited filter (so the edit may widen
the saved one) and the bar marks the view as modified.
Thread rule: GUI thread only; service calls run through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.records import views
from crm_desktop.services.records.filters import Filter
from crm_desktop.services.records.records import RecordService
from crm_desktop.services.records.views import ViewDTO, ViewInput
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.dirty import GuardedDialog
from crm_desktop.ui.i18n import error_text
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.shared.list_model import RecordTableModel


def view_name(view: ViewDTO) -> str:
    return QCoreApplication.translate("views", view.name) if view.builtin else view.name


class SaveViewDialog(GuardedDialog):
    """Name and "open by default" for a new view. Stays open and shows why when saving fails.

    Public for tests: ``name_edit``, ``default_check``, ``ok_button``, ``message_label``.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Save view"))
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(100)
        self.default_check = QCheckBox(self.tr("Open this view by default"))
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        intro = QLabel(self.tr("Saves the current filter and sort order."))
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name_edit)
        form.addRow("", self.default_check)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(self.tr("Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message_label)
        layout.addWidget(buttons)
        self.setMinimumWidth(360)


class ViewBar(QWidget):
    """The view combo and its Save / Delete buttons, for one list model.

    Public for tests: ``combo``, ``save_button``, ``delete_button``, ``modified_label``,
    ``views``, ``save_dialog`` and ``pending_question`` (opened last), ``ready``.
    ``row`` is the bar's layout; the tab adds its Filter and Columns buttons to it.
    Signal ``failed(message)`` reports a failed read or write to the tab.
    """

    failed = Signal(str)

    def __init__(
        self, ctx: AppContext, service: RecordService[Any], model: RecordTableModel, *,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.service, self.model = ctx, service, model
        self.views: list[ViewDTO] = []
        self.ready = False
        self.save_dialog: SaveViewDialog | None = None
        self.pending_question: QMessageBox | None = None
        self.combo = QComboBox()
        self.combo.setMinimumContentsLength(12)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setMaximumWidth(260)  # a long view name must not push the buttons off a 1280 px screen
        self.combo.setToolTip(self.tr("Saved view"))
        self.combo.activated.connect(lambda index: self.select_view(self.views[index].key))
        self.modified_label = QLabel(self.tr("(modified)"))
        self.modified_label.setVisible(False)
        self.save_button = QPushButton(self.tr("Save view…"))
        self.save_button.setToolTip(self.tr("Save the current filter and sort as a view."))
        self.delete_button = QPushButton(self.tr("Delete view"))
        self.save_button.clicked.connect(self.open_save_dialog)
        self.delete_button.clicked.connect(self.ask_delete)
        self.delete_button.setEnabled(False)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.addWidget(QLabel(self.tr("View")))
        self.row.addWidget(self.combo)
        self.row.addWidget(self.modified_label)
        self.row.addWidget(self.save_button)
        self.row.addWidget(self.delete_button)
        self._selected: ViewDTO | None = None
        model.filterChanged.connect(self._update_state)

    # --- reading --------------------------------------------------------------------------

    def load(self, *, select_key: str | None = None, apply: bool = True) -> None:
        """Read the views; select ``select_key`` (default: the default view) and apply it."""
        db, actor, entity = self.ctx.db, self.ctx.actor, self.service.module
        op(self, lambda: views.list_views(db, actor, entity)).success(
            lambda found: self.show_views(found, select_key=select_key, apply=apply)
        ).failure(self._failed).run()

    def show_views(self, found: Sequence[ViewDTO], *, select_key: str | None = None, apply: bool = True) -> None:
        if not isValid(self):
            return
        self.views = list(found)
        self.combo.clear()
        for view in self.views:
            self.combo.addItem(view_name(view), view.key)
        key = select_key or next((v.key for v in self.views if v.is_default), None)
        if key is not None:
            if apply:
                self.select_view(key)
            else:
                self._show_selected(key)
        self.ready = True

    def current_view(self) -> ViewDTO | None:
        return self._selected

    def view_of(self, key: str) -> ViewDTO | None:
        return next((v for v in self.views if v.key == key), None)

    # --- choosing -------------------------------------------------------------------------

    def select_view(self, key: str) -> None:
        """Show view ``key``: its built-in narrowing or saved filter, and its sort."""
        view = self.view_of(key)
        if view is None:
            return
        self._show_selected(key)
        self.model.set_view(view.key, filter=view.filter, sort=view.sort, descending=view.descending)

    def _show_selected(self, key: str) -> None:
        self._selected = self.view_of(key)
        self.combo.setCurrentIndex(self.combo.findData(key))
        self._update_state()

    def apply_filter(self, flt: Filter) -> None:
        """Apply an edited filter on top of the selected view (see the module docstring)."""
        view = self._selected
        if view is not None and not view.builtin:
            self.model.set_view(views.BuiltinView.ALL.value, filter=flt)
        else:
            self.model.set_filter(flt)

    def _update_state(self) -> None:
        view = self._selected
        self.delete_button.setEnabled(view is not None and not view.builtin)
        modified = view is not None and not view.builtin and (
            self.model.view_key != view.key or self.model.filter != view.filter)
        self.modified_label.setVisible(modified)

    # --- saving and deleting --------------------------------------------------------------

    def open_save_dialog(self) -> SaveViewDialog:
        dialog = SaveViewDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.ok_button.clicked.connect(lambda: self._save(dialog))
        self.save_dialog = dialog
        dialog.open()
        return dialog

    def _save(self, dialog: SaveViewDialog) -> None:
        name = dialog.name_edit.text().strip()
        if not name:
            dialog.message_label.setText(self.tr("Enter a name for the view."))
            return
        data = ViewInput(name=name, filter=self.model.filter, sort=self.model.sort_field,
                         descending=self.model.descending, is_default=dialog.default_check.isChecked())
        db, actor, entity, orm = self.ctx.db, self.ctx.actor, self.service.module, self.service.model
        dialog.ok_button.setEnabled(False)

        def saved(view: ViewDTO) -> None:
            if isValid(dialog):
                dialog.accept()
            self.save_dialog = None
            if isValid(self):
                self.load(select_key=view.key)

        def refused(exc: BaseException) -> None:
            if isValid(dialog):
                dialog.ok_button.setEnabled(True)
                dialog.message_label.setText(error_text(exc))

        op(self, lambda: views.save_view(db, actor, entity, data, model=orm), write=True).success(
            saved).failure(refused).run()

    def ask_delete(self) -> QMessageBox | None:
        view = self._selected
        if view is None or view.builtin or view.id is None:
            return None
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Delete view"),
                          self.tr("Delete the view “{name}”?").format(name=view.name),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        view_id = view.id

        def answered(result: int) -> None:
            self.pending_question = None
            if result == QMessageBox.StandardButton.Yes:
                self.delete_view(view_id)

        box.finished.connect(answered)
        self.pending_question = box
        box.open()
        return box

    def delete_view(self, view_id: int) -> None:
        db, actor = self.ctx.db, self.ctx.actor
        op(self, lambda: views.delete_view(db, actor, view_id), write=True).success(
            lambda _none: self.load() if isValid(self) else None
        ).failure(self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        if isValid(self):
            self.failed.emit(error_text(exc))
