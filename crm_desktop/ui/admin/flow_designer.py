"""The approval flow designer (审批流设计器): one dialog that creates or edits a flow.

On top, what the flow is: name, records, what it gates (record creation · a status change,
with the status field and the from / to values among the field's choices · started by hand
or by a rule), where a resubmission starts, what happens to a node without approvers (approve
automatically · the approval administrator), enabled. Below, two tabs: the branches (tried
in order; each with its condition, submitter test and nodes, see ``flow_branches``) and the
approval form (labels filled from record fields and shown to the approvers, see ``flow_form``).

The dialog loads its lists in the background and is usable once ``ready`` is True; choosing
other records reloads the field lists and keeps everything typed. A save runs through
``FormDialog`` (a background write); the service's errors appear beside their row or in the
tab they concern, the message bar names them all, and the dialog stays open.
Thread rule: GUI thread only.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.automation.engine import STATUS_FIELDS
from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.errors import CONTEXT, ValidationError
from crm_desktop.services.records.schema import FieldType
from crm_desktop.services.workflow import approvals
from crm_desktop.services.workflow.approvals import FlowDTO, FlowInput
from crm_desktop.ui.admin.custom_fields import entity_label
from crm_desktop.ui.admin.editor_parts import choose_data, muted, scrolled
from crm_desktop.ui.admin.flow_branches import (
    BranchEditor,
    DesignerData,
    load_designer_data,
)
from crm_desktop.ui.admin.flow_form import FlowFormEditor, FormFieldRow
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import ChooseUserDialog, FormDialog, alive
from crm_desktop.ui.i18n import error_text, service_text
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.shared.filter_editor import field_text

_ERROR_STYLE = "color: #c62828;"
#: Service error keys shown in the settings form (the rest belong to the tabs).
_FORM_KEYS = ("name", "entity", "binding", "status_field", "resubmit_from", "no_approver")


BINDING_LABELS = {
    "create": QT_TRANSLATE_NOOP("FlowDesigner", "Record creation"),
    "status": QT_TRANSLATE_NOOP("FlowDesigner", "A status change"),
    "manual": QT_TRANSLATE_NOOP("FlowDesigner", "Started by hand or by a rule"),
}


def binding_label(binding: str) -> str:
    return QCoreApplication.translate("FlowDesigner", BINDING_LABELS[binding]) if binding in BINDING_LABELS else binding


class FlowDesignerDialog(FormDialog):
    """New flow or edit ``flow``; emits ``saved(FlowDTO)``.

    Public for tests: ``name_edit``, ``entity_combo``, ``binding_combo``, ``status_field_combo``,
    ``from_combo``, ``to_combo``, ``resubmit_combo``, ``no_approver_combo``, ``admin_label``,
    ``choose_admin_button``, ``clear_admin_button``, ``admin_id``, ``enabled_box``, ``tabs``,
    ``branch_list``, ``branches`` (BranchEditors, in order), ``add_branch_button``, ``remove_branch_button``,
    ``up_branch_button``, ``down_branch_button``, ``branches_error``, ``form_rows``,
    ``add_form_field_button``, ``form_error``, ``ready``, ``chooser`` (the admin chooser when open).
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None, *, flow: FlowDTO | None = None) -> None:
        super().__init__(parent, title=self.tr("Edit approval flow") if flow else self.tr("New approval flow"))
        self.ctx, self.flow = ctx, flow
        self.ready = False
        self.data: DesignerData | None = None
        self.branches: list[BranchEditor] = []
        self.chooser: ChooseUserDialog | None = None
        self.admin_id: int | None = flow.admin_id if flow else None
        self._generation = 0

        self.name_edit = QLineEdit(flow.name if flow else "")
        self.name_edit.setMaxLength(200)
        self.name_edit.setPlaceholderText(self.tr("e.g. Customer registration"))
        self.entity_combo = QComboBox()
        for entity in approvals.ENTITIES:
            self.entity_combo.addItem(entity_label(entity), entity)
        self.entity_combo.setCurrentIndex(max(0, self.entity_combo.findData(flow.entity if flow else "customer")))
        self.binding_combo = QComboBox()
        for binding in BINDING_LABELS:
            self.binding_combo.addItem(binding_label(binding), binding)
        self.binding_combo.setCurrentIndex(max(0, self.binding_combo.findData(flow.binding if flow else "create")))
        self.status_field_combo = QComboBox()
        self.from_combo, self.to_combo = QComboBox(), QComboBox()
        status_cell = QWidget()
        status_row = QHBoxLayout(status_cell)
        status_row.setContentsMargins(0, 0, 0, 0)
        status_row.addWidget(self.status_field_combo, 1)
        status_row.addWidget(QLabel(self.tr("from")))
        status_row.addWidget(self.from_combo, 1)
        status_row.addWidget(QLabel(self.tr("to")))
        status_row.addWidget(self.to_combo, 1)
        self._status_cell = status_cell
        self.resubmit_combo = QComboBox()
        self.resubmit_combo.addItem(self.tr("From the first node"), "first")
        self.resubmit_combo.addItem(self.tr("From the node that rejected"), "rejected")
        self.resubmit_combo.setCurrentIndex(max(0, self.resubmit_combo.findData(flow.resubmit_from if flow else "first")))
        self.no_approver_combo = QComboBox()
        self.no_approver_combo.addItem(self.tr("Send to the approval administrator"), "admin")
        self.no_approver_combo.addItem(self.tr("Approve automatically"), "auto")
        self.no_approver_combo.setCurrentIndex(max(0, self.no_approver_combo.findData(flow.no_approver if flow else "admin")))
        self.admin_label = QLabel()
        self.choose_admin_button = QPushButton(self.tr("Choose…"))
        self.clear_admin_button = QToolButton()
        self.clear_admin_button.setText(self.tr("Reset"))
        self.clear_admin_button.setToolTip(self.tr("No single administrator: the super administrators get the task"))
        self.choose_admin_button.clicked.connect(self.choose_admin)
        self.clear_admin_button.clicked.connect(lambda: self.set_admin(None))
        no_approver_cell = QWidget()
        no_row = QHBoxLayout(no_approver_cell)
        no_row.setContentsMargins(0, 0, 0, 0)
        no_row.addWidget(self.no_approver_combo)
        self._admin_widgets = (self.admin_label, self.choose_admin_button, self.clear_admin_button)
        for widget in self._admin_widgets:
            no_row.addWidget(widget)
        no_row.addStretch(1)
        self.enabled_box = QCheckBox(self.tr("The flow is in use"))
        self.enabled_box.setChecked(flow.enabled if flow else True)
        self.loading_label = QLabel(self.tr("Loading…"))

        self.add_row("name", self.tr("Name:"), self.name_edit)
        self.add_row("entity", self.tr("Records:"), self.entity_combo)
        self.add_row("binding", self.tr("Approval needed for:"), self.binding_combo)
        self.add_row("status_field", self.tr("Status change:"), status_cell)
        self.add_row("resubmit_from", self.tr("After a rejection, resubmit:"), self.resubmit_combo)
        self.add_row("no_approver", self.tr("Node without approvers:"), no_approver_cell)
        self.add_row("enabled", self.tr("Enabled:"), self.enabled_box)
        self.form.addRow("", self.loading_label)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_branches_tab(), self.tr("Branches and nodes"))
        self.form_editor = FlowFormEditor()
        self.add_form_field_button, self.form_error = self.form_editor.add_button, self.form_editor.error
        self.tabs.addTab(self.form_editor, self.tr("Approval form"))
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        spacer = layout.takeAt(2)  # the form dialog's stretch: the tabs take the height instead
        assert spacer is not None and spacer.spacerItem() is not None
        layout.insertWidget(2, self.tabs, 1)

        self.binding_combo.currentIndexChanged.connect(self._sync_binding)
        self.status_field_combo.currentIndexChanged.connect(lambda *_: self._fill_status_values())
        self.no_approver_combo.currentIndexChanged.connect(self._sync_no_approver)
        self.entity_combo.currentIndexChanged.connect(lambda *_: self._load())
        self.buttons.setEnabled(False)
        self.tabs.setEnabled(False)
        self._sync_binding()
        self._sync_no_approver()
        self.resize(1040, 700)  # fits a 1366×768 screen (the layout check holds it to that)
        self._load()

    # -- building ----------------------------------------------------------------------------

    def _build_branches_tab(self) -> QWidget:
        self.branch_list = QListWidget()
        self.branch_list.currentRowChanged.connect(self._branch_chosen)
        self.add_branch_button = QPushButton(self.tr("Add branch"))
        self.remove_branch_button = QPushButton(self.tr("Remove"))
        self.up_branch_button, self.down_branch_button = QToolButton(), QToolButton()
        self.up_branch_button.setText("↑")
        self.up_branch_button.setToolTip(self.tr("Try earlier"))
        self.down_branch_button.setText("↓")
        self.down_branch_button.setToolTip(self.tr("Try later"))
        self.add_branch_button.clicked.connect(lambda: self.add_branch())
        self.remove_branch_button.clicked.connect(self.remove_current_branch)
        self.up_branch_button.clicked.connect(lambda: self.move_current_branch(-1))
        self.down_branch_button.clicked.connect(lambda: self.move_current_branch(1))
        buttons = QHBoxLayout()
        for button in (self.add_branch_button, self.remove_branch_button, self.up_branch_button,
                       self.down_branch_button):
            buttons.addWidget(button)
        hint = muted(self.tr("Branches are tried from the top: the first whose condition and submitter test "
                             "hold is taken."))
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addWidget(self.branch_list, 1)
        left_box.addLayout(buttons)
        left_box.addWidget(hint)
        self.branch_stack = QStackedWidget()
        self.no_branch_label = QLabel(self.tr("Add a branch: it says which records go to which approvers."))
        self.no_branch_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.branch_stack.addWidget(self.no_branch_label)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(scrolled(self.branch_stack))
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([220, 780])
        self.branches_error = QLabel()
        self.branches_error.setStyleSheet(_ERROR_STYLE)
        self.branches_error.setWordWrap(True)
        self.branches_error.hide()
        page = QWidget()
        box = QVBoxLayout(page)
        box.addWidget(self.branches_error)
        box.addWidget(splitter, 1)
        return page

    # -- loading -----------------------------------------------------------------------------

    def entity(self) -> str:
        return str(self.entity_combo.currentData())

    def _load(self) -> None:
        """(Re)read the lists for the chosen records; a newer load wins."""
        self._generation += 1
        generation, ctx, entity = self._generation, self.ctx, self.entity()
        self.buttons.setEnabled(False)
        self.loading_label.setText(self.tr("Loading…"))
        self.loading_label.show()
        op(self, lambda: load_designer_data(ctx, entity)).success(
            lambda data: self._loaded(generation, data)).failure(self._load_failed).run()

    def _loaded(self, generation: int, data: DesignerData) -> None:
        if not isValid(self) or generation != self._generation:
            return
        first = self.data is None
        self.data = data
        self.form_editor.set_data(data)  # the rows' field lists follow other records
        if first:
            flow = self.flow
            for item in flow.form if flow else ():
                self.add_form_field(item)
            for branch in flow.branches if flow else ():
                self.add_branch(branch)
            if flow is None:
                self.add_branch({"name": self.tr("All records"), "condition": {}, "nodes": []})
            if self.branches:
                self.branch_list.setCurrentRow(0)
        else:
            for editor in self.branches:
                editor.set_data(data)
        self._fill_status_fields()
        self.set_admin(self.admin_id)
        self.loading_label.hide()
        self.buttons.setEnabled(True)
        self.tabs.setEnabled(True)
        self.ready = True
        if first:  # what was read in is not typed input (the name typed meanwhile still counts)
            self.mark_clean(self.tabs, self._status_cell, self.no_approver_combo.parentWidget())

    def _load_failed(self, exc: BaseException) -> None:
        if isValid(self):
            self.loading_label.setText(error_text(exc))

    # -- the status change -------------------------------------------------------------------

    def _sync_binding(self) -> None:
        self.form.setRowVisible(self._status_cell.parentWidget(), self.binding_combo.currentData() == "status")

    def _fill_status_fields(self) -> None:
        """Fields whose values are a list of choices; the entity's status fields first."""
        assert self.data is not None
        keep = self.status_field_combo.currentData()
        if keep is None and self.flow is not None:
            keep = self.flow.status_field
        fields = self.data.fields
        first = STATUS_FIELDS.get(self.entity(), ())
        specs = sorted((s for s in fields.schema.fields if s.type is FieldType.SELECT and s.name in fields.options),
                       key=lambda s: s.name not in first)
        self.status_field_combo.blockSignals(True)
        self.status_field_combo.clear()
        for spec in specs:
            self.status_field_combo.addItem(field_text(spec), spec.name)
        if keep and self.status_field_combo.findData(keep) >= 0:
            self.status_field_combo.setCurrentIndex(self.status_field_combo.findData(keep))
        elif keep and self.flow is not None and keep == self.flow.status_field and self.entity() == self.flow.entity:
            choose_data(self.status_field_combo, keep)  # a field this editor does not offer is kept
        self.status_field_combo.blockSignals(False)
        self._fill_status_values(initial=self.flow if keep == getattr(self.flow, "status_field", None) else None)

    def _fill_status_values(self, initial: FlowDTO | None = None) -> None:
        if self.data is None:
            return
        options = self.data.fields.options.get(str(self.status_field_combo.currentData()), [])
        for combo, stored in ((self.from_combo, initial.from_status if initial else None),
                              (self.to_combo, initial.to_status if initial else None)):
            keep = stored if initial is not None else combo.currentData()
            combo.clear()
            combo.addItem(self.tr("Any value"), None)
            for value, label in options:
                combo.addItem(label, value)
            if keep is not None:
                choose_data(combo, keep)

    # -- the approval administrator -----------------------------------------------------------

    def _sync_no_approver(self) -> None:
        to_admin = self.no_approver_combo.currentData() == "admin"
        for widget in self._admin_widgets:
            widget.setVisible(to_admin)

    def set_admin(self, user_id: int | None) -> None:
        self.admin_id = user_id
        if user_id is None:
            self.admin_label.setText(self.tr("Administrator: the super administrators"))
        else:
            name = self.data.user_name(user_id) if self.data is not None else f"#{user_id}"
            self.admin_label.setText(self.tr("Administrator: {name}").format(name=name))
        self.clear_admin_button.setEnabled(user_id is not None)

    def choose_admin(self) -> ChooseUserDialog | None:
        if self.data is None:
            return None
        dialog = ChooseUserDialog(
            self.data.people, title=self.tr("Approval administrator"),
            intro=self.tr("Nodes that find no approver go to this person."),
            label=self.tr("Administrator:"), ok_text=self.tr("Choose"), parent=self)
        if self.admin_id is not None:
            dialog.select_user(self.admin_id)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def chosen() -> None:
            self.set_admin(dialog.selected_user_id())

        dialog.accepted.connect(chosen)
        self.chooser = dialog
        dialog.open()
        return dialog

    # -- branches ----------------------------------------------------------------------------

    def add_branch(self, branch: Mapping[str, Any] | None = None) -> BranchEditor:
        assert self.data is not None, "branches are added once the lists are loaded"
        if branch is None:
            branch = {"name": self.tr("Branch {n}").format(n=len(self.branches) + 1), "condition": {}, "nodes": []}
        editor = BranchEditor(self.data, branch)
        editor.changed.connect(self._refresh_branch_names)
        self.branches.append(editor)
        self.branch_stack.addWidget(editor)
        self.branch_list.addItem(QListWidgetItem())
        self._refresh_branch_names()
        self.branch_list.setCurrentRow(len(self.branches) - 1)
        return editor

    def current_branch(self) -> BranchEditor | None:
        row = self.branch_list.currentRow()
        return self.branches[row] if 0 <= row < len(self.branches) else None

    def remove_current_branch(self) -> None:
        row = self.branch_list.currentRow()
        if not 0 <= row < len(self.branches):
            return
        editor = self.branches.pop(row)
        self.branch_stack.removeWidget(editor)
        editor.deleteLater()
        self.branch_list.takeItem(row)
        self._refresh_branch_names()
        self._branch_chosen(self.branch_list.currentRow())

    def move_current_branch(self, step: int) -> None:
        row = self.branch_list.currentRow()
        to = row + step
        if 0 <= row < len(self.branches) and 0 <= to < len(self.branches):
            self.branches[row], self.branches[to] = self.branches[to], self.branches[row]
            self._refresh_branch_names()
            self.branch_list.setCurrentRow(to)

    def _refresh_branch_names(self) -> None:
        for row, editor in enumerate(self.branches):
            item = self.branch_list.item(row)
            if item is None:
                continue
            unnamed = self.tr("(no name)")  # outside the f-string: lupdate must see it
            item.setText(f"{row + 1}. {editor.name() or unnamed}")
            item.setToolTip(" → ".join(c.name_edit.text() for c in editor.nodes))
        self._sync_branch_buttons()

    def _branch_chosen(self, row: int) -> None:
        if 0 <= row < len(self.branches):
            self.branch_stack.setCurrentWidget(self.branches[row])
        else:
            self.branch_stack.setCurrentWidget(self.no_branch_label)
        self._sync_branch_buttons()

    def _sync_branch_buttons(self) -> None:
        row, count = self.branch_list.currentRow(), len(self.branches)
        self.remove_branch_button.setEnabled(0 <= row < count)
        self.up_branch_button.setEnabled(0 < row < count)
        self.down_branch_button.setEnabled(0 <= row < count - 1)

    # -- the form ----------------------------------------------------------------------------

    @property
    def form_rows(self) -> list[FormFieldRow]:
        return self.form_editor.rows

    def add_form_field(self, item: Mapping[str, Any] | None = None) -> FormFieldRow:
        return self.form_editor.add_field(item)

    def form_items(self) -> tuple[dict[str, Any], ...]:
        return self.form_editor.items()

    # -- saving ------------------------------------------------------------------------------

    def flow_input(self) -> FlowInput:
        """The flow as typed; raises ValueError (translated, naming the branch) for a bad condition."""
        branches = []
        for number, editor in enumerate(self.branches, start=1):
            try:
                branches.append(editor.branch())
            except ValueError as exc:
                self.branch_list.setCurrentRow(number - 1)
                raise ValueError(self.tr("Branch {n}: {message}").format(n=number, message=str(exc))) from None
        binding = str(self.binding_combo.currentData())
        status = binding == "status"
        return FlowInput(
            name=self.name_edit.text(), entity=self.entity(), binding=binding, enabled=self.enabled_box.isChecked(),
            status_field=self.status_field_combo.currentData() if status else None,
            from_status=self.from_combo.currentData() if status else None,
            to_status=self.to_combo.currentData() if status else None,
            form=self.form_items(), branches=tuple(branches),
            resubmit_from=str(self.resubmit_combo.currentData()), no_approver=str(self.no_approver_combo.currentData()),
            admin_id=self.admin_id,
        )

    def build_call(self) -> Callable[[], object] | None:
        if not self.ready:
            return None
        self._clear_tab_errors()
        try:
            data = self.flow_input()
        except ValueError as exc:
            self._tab_error(self.branches_error, str(exc))
            self.tabs.setCurrentIndex(0)
            self.message.show_error(str(exc))
            return None
        db, actor = self.ctx.db, self.ctx.actor
        if self.flow is not None:
            flow_id = self.flow.id
            return lambda: approvals.update_flow(db, actor, flow_id, data)
        return lambda: approvals.create_flow(db, actor, data)

    def _clear_tab_errors(self) -> None:
        for label in (self.branches_error, self.form_error):
            label.clear()
            label.hide()

    @staticmethod
    def _tab_error(label: QLabel, text: str) -> None:
        label.setText("\n".join(filter(None, (label.text(), text))))
        label.show()

    def _failed(self, exc: BaseException) -> None:
        """Settings errors beside their rows; form, branch and node errors in their tab; the
        message bar lists them all, so an error on a hidden tab is still seen."""
        if not alive(self):
            return
        if not isinstance(exc, ValidationError):
            super()._failed(exc)
            return
        self._set_busy(False)
        self.errors.clear()
        self._clear_tab_errors()
        # Branch conditions may name derived fields (product category): label those too.
        schema = (self.data.condition_fields or self.data.fields).schema if self.data is not None else None
        lines, first_tab = [], None
        for key, template in exc.field_errors.items():
            text = service_text(CONTEXT, template)
            if key in _FORM_KEYS:
                self.errors.set_field_error(key, text)
                lines.append(text if key != "name" else self.tr("Name") + f": {text}")
                continue
            spec = schema.get(key) if schema is not None else None
            if key == "form":
                self._tab_error(self.form_error, text)
                first_tab = 1 if first_tab is None else first_tab
                lines.append(self.tr("Approval form") + f": {text}")
                continue
            if spec is not None:  # a condition names the field it refuses
                text = f"{field_text(spec)}: {text}"
            self._tab_error(self.branches_error, text)
            first_tab = 0
            lines.append(self.tr("Branches and nodes") + f": {text}")
        if first_tab is not None:
            self.tabs.setCurrentIndex(first_tab)
        if first_tab == 0:
            self._select_faulty_branch()
        self.message.show_error("\n".join([self.tr("The flow was not saved:")] + lines))

    def _select_faulty_branch(self) -> None:
        """Show the first branch without nodes (the usual mistake)."""
        for row, editor in enumerate(self.branches):
            if not editor.nodes:
                self.branch_list.setCurrentRow(row)
                return


__all__ = ["BINDING_LABELS", "FlowDesignerDialog", "binding_label"]
