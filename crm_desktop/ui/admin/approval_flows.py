"""Approval flows (审批流): the flows of every kind of record, and the designer to edit them.

A table (name, records, what the flow gates, its branches, enabled) with New, Edit, Delete
(asked first) and "Add the customer registration example". The enabled box of a row switches
the flow on or off at once; a switched-off flow gates nothing. Editing happens in
``FlowDesignerDialog``. GUI thread only; service calls run through ``ui.ops.op`` and successful
writes call ``ctx.signals.notify("approval")``.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from crm_desktop.services.workflow import approvals
from crm_desktop.services.workflow.approvals import FlowDTO
from crm_desktop.ui.admin.custom_fields import entity_label
from crm_desktop.ui.admin.flow_designer import FlowDesignerDialog, binding_label
from crm_desktop.ui.admin.switchable_list import SwitchableListPage
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import alive, page_layout
from crm_desktop.ui.records.shared.filter_editor import (
    FilterFields,
    field_text,
    load_filter_fields,
)

NAME, ENTITY, GATES, BRANCHES, ENABLED = range(5)


class ApprovalFlowsPage(SwitchableListPage[FlowDTO]):
    """Public for tests: ``table``, ``flows`` (as shown), the buttons, ``dialog`` (the last
    designer or question opened), ``message``."""

    topic = "approval"
    watched = frozenset({"approval", "schema", "dictionary", "*"})
    item_type = FlowDTO
    enabled_column = ENABLED

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._fields: dict[str, FilterFields] = {}

        self.example_button = QPushButton(self.tr("Add the customer registration example"))
        self.example_button.setToolTip(self.tr(
            "Customers wait for approval when created: those in 福建 go to the role 福建事业部负责人, "
            "the others to 销售总监 (both roles are created when missing)."))
        self.example_button.clicked.connect(self.install_example)
        tools = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.delete_button):
            tools.addWidget(button)
        tools.addStretch(1)
        tools.addWidget(self.example_button)
        hint = QLabel(self.tr("A flow can hold new records until they are approved, hold a status change until it "
                              "is approved, or be started by hand or by an automation rule. Untick a flow to pause it."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666;")

        headers = [self.tr("Name"), self.tr("Records"), self.tr("Approval needed for"), self.tr("Branches"),
                   self.tr("Enabled")]
        self.make_table(headers, stretch=BRANCHES, widths=((NAME, 180), (ENTITY, 90), (GATES, 260)))
        page_layout(self, self.tr("Approval flows"), self.message, tools, hint, body=self.table)
        self._sync_buttons()
        self.reload()

    @property
    def flows(self) -> list[FlowDTO]:
        return self.items

    # -- the list ----------------------------------------------------------------------------

    def fetch(self) -> Callable[[], tuple[list[FlowDTO], dict[str, FilterFields]]]:
        """The flows, and the field lists their status changes name."""
        ctx = self.ctx

        def work() -> tuple[list[FlowDTO], dict[str, FilterFields]]:
            flows = approvals.list_flows(ctx.db, ctx.actor)
            entities = {f.entity for f in flows if f.binding == "status"}
            return flows, {e: load_filter_fields(ctx, e) for e in entities}

        return work

    def take_extra(self, extra: dict[str, FilterFields]) -> None:
        self._fields = extra

    def cells(self, item: FlowDTO) -> list[str]:
        return [item.name, entity_label(item.entity), self.gates_text(item), self.branches_text(item), ""]

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

    def current_flow(self) -> FlowDTO | None:
        return self.current_item()

    def select_flow(self, flow_id: int) -> None:
        self.select_id(flow_id)

    # -- commands ----------------------------------------------------------------------------

    def new_flow(self) -> FlowDesignerDialog:
        return self.open_editor(FlowDesignerDialog(self.ctx, self))

    new_item = new_flow

    def edit_current(self) -> FlowDesignerDialog | None:
        flow = self.current_flow()
        if flow is None:
            return None
        return self.open_editor(FlowDesignerDialog(self.ctx, self, flow=flow))

    def saved_text(self, item: FlowDTO) -> str:
        return self.tr("Approval flow “{name}” saved.").format(name=item.name)

    def switch_call(self, item: FlowDTO, enabled: bool) -> Callable[[], FlowDTO]:
        db, actor = self.ctx.db, self.ctx.actor
        return lambda: approvals.set_flow_enabled(db, actor, item.id, enabled)

    def delete_call(self, item: FlowDTO) -> Callable[[], object]:
        db, actor = self.ctx.db, self.ctx.actor
        return lambda: approvals.delete_flow(db, actor, item.id)

    def delete_question(self, item: FlowDTO) -> tuple[str, str]:
        return self.tr("Delete approval flow"), self.tr(
            "Delete the approval flow “{name}”? The approvals started from it keep their history.").format(name=item.name)

    def install_example(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor

        def installed(flow: FlowDTO) -> None:
            if alive(self):
                self.message.show_info(self.tr("Added the approval flow “{name}”.").format(name=flow.name))
                self.after_write(flow.id)
                self.ctx.signals.notify("role")  # its two roles may be new

        self.write(lambda: approvals.install_registration_example(db, actor), installed)


__all__ = ["ApprovalFlowsPage"]
