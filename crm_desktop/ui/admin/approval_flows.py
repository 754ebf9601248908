"""Approval flows (审批流): the flows of every kind of record, and the designer to edit them.

A table (name, records, what the flow gates, its branches, enabled) with New, Edit, Delete
(asked first) and "Add the customer registration example". The enabled box of a row switches
the flow on or off at once; a switched-off flow gates nothing. Editing happens in
``FlowDesignerDialog``. GUI thread only; service calls run through ``ui.ops.op`` and successful
writes call ``ctx.signals.notify("approval")``.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from crm_desktop.services import approvals
from crm_desktop.services.approvals import FlowDTO
from crm_desktop.ui.admin.custom_fields import entity_label, show_error
from crm_desktop.ui.admin.flow_designer import FlowDesignerDialog, binding_label
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import MessageBar, alive, ask, page_layout
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.filter_editor import FilterFields, field_text, load_filter_fields

_WATCHED = {"approval", "schema", "dictionary", "*"}
_ROW_HEIGHT = 28
NAME, ENTITY, GATES, BRANCHES, ENABLED = range(5)


class ApprovalFlowsPage(QWidget):
    """Public for tests: ``table``, ``flows`` (as shown), the buttons, ``dialog`` (the last
    designer or question opened), ``message``."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.flows: list[FlowDTO] = []
        self.dialog: QWidget | None = None
        self._fields: dict[str, FilterFields] = {}
        self._generation = 0
        self._filling = False
        self._select_after_load: int | None = None

        self.new_button = QPushButton(self.tr("New"))
        self.edit_button = QPushButton(self.tr("Edit"))
        self.delete_button = QPushButton(self.tr("Delete"))
        self.example_button = QPushButton(self.tr("Add the customer registration example"))
        self.example_button.setToolTip(self.tr(
            "Customers wait for approval when created: those in 福建 go to the role 福建事业部负责人, "
            "the others to 销售总监 (both roles are created when missing)."))
        self.new_button.clicked.connect(self.new_flow)
        self.edit_button.clicked.connect(self.edit_current)
        self.delete_button.clicked.connect(self.delete_current)
        self.example_button.clicked.connect(self.install_example)
        tools = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.delete_button):
            tools.addWidget(button)
        tools.addStretch(1)
        tools.addWidget(self.example_button)
        self.message = MessageBar()
        hint = QLabel(self.tr("A flow can hold new records until they are approved, hold a status change until it "
                              "is approved, or be started by hand or by an automation rule. Untick a flow to pause it."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666;")

        headers = [self.tr("Name"), self.tr("Records"), self.tr("Approval needed for"), self.tr("Branches"),
                   self.tr("Enabled")]
        self.table = QTableWidget(0, len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(_ROW_HEIGHT)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(BRANCHES, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ENABLED, QHeaderView.ResizeMode.ResizeToContents)
        for column, width in ((NAME, 180), (ENTITY, 90), (GATES, 260)):
            self.table.setColumnWidth(column, width)
        self.table.itemSelectionChanged.connect(self._sync_buttons)
        self.table.itemDoubleClicked.connect(lambda *_: self.edit_current())
        self.table.itemChanged.connect(self._item_changed)
        page_layout(self, self.tr("Approval flows"), self.message, tools, hint, body=self.table)
        ctx.signals.changed.connect(self._on_changed)
        self._sync_buttons()
        self.reload()

    # -- loading -----------------------------------------------------------------------------

    def reload(self) -> None:
        """Fetch the flows (and the field lists their status changes name); a newer reload wins."""
        self._generation += 1
        generation, ctx = self._generation, self.ctx

        def work() -> tuple[list[FlowDTO], dict[str, FilterFields]]:
            flows = approvals.list_flows(ctx.db, ctx.actor)
            entities = {f.entity for f in flows if f.binding == "status"}
            return flows, {e: load_filter_fields(ctx, e) for e in entities}

        op(self, work).success(lambda result: self._loaded(generation, *result)).failure(
            self.message.show_exception).run()

    def _loaded(self, generation: int, flows: list[FlowDTO], fields: dict[str, FilterFields]) -> None:
        if generation != self._generation or not alive(self):
            return
        keep = self._select_after_load if self._select_after_load is not None else self.current_id()
        self._select_after_load = None
        self.flows, self._fields = flows, fields
        self._filling = True
        self.table.setRowCount(len(flows))
        for row, flow in enumerate(flows):
            cells = [flow.name, entity_label(flow.entity), self.gates_text(flow), self.branches_text(flow), ""]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if column == ENABLED:
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                                  | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(Qt.CheckState.Checked if flow.enabled else Qt.CheckState.Unchecked)
                self.table.setItem(row, column, item)
        self._filling = False
        row = next((i for i, f in enumerate(flows) if f.id == keep), -1)
        if row >= 0:
            self.table.selectRow(row)
        self._sync_buttons()

    def gates_text(self, flow: FlowDTO) -> str:
        """"Record creation" · "A status change: Deal status Not won → Won" · "Started by hand or by a rule"."""
        text = binding_label(flow.binding)
        if flow.binding != "status":
            return text
        fields = self._fields.get(flow.entity)
        spec = fields.schema.get(flow.status_field or "") if fields else None
        options: Mapping[Any, str] = dict(fields.options.get(spec.name, [])) if fields and spec else {}

        def value(v: Any) -> str:
            return self.tr("any") if v in (None, "") else str(options.get(v, v))

        name = field_text(spec) if spec else str(flow.status_field)
        return f"{text}: {name} {value(flow.from_status)} → {value(flow.to_status)}"

    def branches_text(self, flow: FlowDTO) -> str:
        parts = []
        for branch in flow.branches:
            nodes = branch.get("nodes") or []
            chain = " → ".join(str(n.get("name") or "?") for n in nodes)
            parts.append(f"{branch.get('name') or '?'}: {chain}")
        return " · ".join(parts)

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if entity in _WATCHED:
            self.reload()

    # -- selection ---------------------------------------------------------------------------

    def current_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def current_flow(self) -> FlowDTO | None:
        row = self.current_row()
        return self.flows[row] if 0 <= row < len(self.flows) else None

    def current_id(self) -> int | None:
        flow = self.current_flow()
        return flow.id if flow else None

    def select_flow(self, flow_id: int) -> None:
        row = next((i for i, f in enumerate(self.flows) if f.id == flow_id), -1)
        if row >= 0:
            self.table.selectRow(row)

    def _sync_buttons(self) -> None:
        chosen = self.current_flow() is not None
        self.edit_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    # -- commands ----------------------------------------------------------------------------

    def new_flow(self) -> FlowDesignerDialog:
        return self._open_designer(FlowDesignerDialog(self.ctx, self))

    def edit_current(self) -> FlowDesignerDialog | None:
        flow = self.current_flow()
        if flow is None:
            return None
        return self._open_designer(FlowDesignerDialog(self.ctx, self, flow=flow))

    def _open_designer(self, dialog: FlowDesignerDialog) -> FlowDesignerDialog:
        self.message.clear()
        dialog.saved.connect(self._saved)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _saved(self, flow: object) -> None:
        if not alive(self) or not isinstance(flow, FlowDTO):
            return
        self.message.show_info(self.tr("Approval flow “{name}” saved.").format(name=flow.name))
        self._after_write(flow.id)

    def _after_write(self, flow_id: int | None) -> None:
        self._select_after_load = flow_id
        self.ctx.signals.notify("approval")

    def _item_changed(self, item: QTableWidgetItem) -> None:
        """The enabled box of a row was clicked: switch the flow on or off."""
        if self._filling or item.column() != ENABLED or not 0 <= item.row() < len(self.flows):
            return
        flow = self.flows[item.row()]
        enabled = item.checkState() == Qt.CheckState.Checked
        if enabled == flow.enabled:
            return
        db, actor = self.ctx.db, self.ctx.actor
        op(self, lambda: approvals.set_flow_enabled(db, actor, flow.id, enabled), write=True).success(
            lambda saved: self._after_write(saved.id)).failure(self._write_failed).run()

    def _write_failed(self, exc: BaseException) -> None:
        if alive(self):
            show_error(self.message, exc)
            self.reload()  # the table shows what is stored again

    def delete_current(self) -> None:
        flow = self.current_flow()
        if flow is None:
            return
        db, actor = self.ctx.db, self.ctx.actor

        def delete() -> None:
            op(self, lambda: approvals.delete_flow(db, actor, flow.id), write=True).success(
                lambda _r: self._after_write(None)).failure(self._write_failed).run()

        self.dialog = ask(self, self.tr("Delete approval flow"), self.tr(
            "Delete the approval flow “{name}”? The approvals started from it keep their history.").format(name=flow.name), delete)

    def install_example(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor

        def installed(flow: FlowDTO) -> None:
            if alive(self):
                self.message.show_info(self.tr("Added the approval flow “{name}”.").format(name=flow.name))
                self._after_write(flow.id)
                self.ctx.signals.notify("role")  # its two roles may be new

        op(self, lambda: approvals.install_registration_example(db, actor), write=True).success(installed).failure(
            self._write_failed).run()


__all__ = ["ApprovalFlowsPage"]
