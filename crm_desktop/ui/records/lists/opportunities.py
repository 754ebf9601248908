"""The Opportunities tab (商机): the generic record tab with each opportunity's customer and
stage names (read with the page, ``NamedOpportunities``). The form is the opportunity form
(forms/opportunity_form.py: product lines and the customer's contacts); double-click opens the
detail page with the stage bar (details/opportunity.py). "List" / "Board" switch between the
table and the board by stage (opportunity_board.py), made the first time it is shown.
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

from typing import Any, cast

from PySide6.QtWidgets import QButtonGroup, QPushButton, QWidget

from crm_desktop.services.records.records import RecordService
from crm_desktop.services.sales.opportunities import opportunities
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.lists.named_services import (
    CustomerNamedExport,
    NamedOpportunities,
)
from crm_desktop.ui.records.lists.opportunity_board import OpportunityBoard
from crm_desktop.ui.records.lists.record_tab import RecordTab


class OpportunitiesTab(RecordTab):
    """商机: the opportunity list with create/edit (lines, contacts), recycle bin, transfer, log,
    export; double-click opens the detail page. Public for tests besides RecordTab's:
    ``exporter``, ``display_text(row, field)``, ``list_button``, ``board_button``, ``board``
    (None until first shown), ``show_board()``, ``show_list()``."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, cast(RecordService[Any], NamedOpportunities(opportunities)), parent=parent)
        self.board: OpportunityBoard | None = None
        self.list_button = QPushButton(self.tr("List"))
        self.board_button = QPushButton(self.tr("Board"))
        self.board_button.setToolTip(self.tr("The opportunities as cards by stage: drag a card to move it."))
        switch = QButtonGroup(self)
        for n, button in enumerate((self.list_button, self.board_button)):
            button.setCheckable(True)
            switch.addButton(button)
            self.tool_row.insertWidget(n, button)
        self.tool_row.insertSpacing(2, 8)
        self.list_button.setChecked(True)
        self.list_button.clicked.connect(self.show_list)
        self.board_button.clicked.connect(self.show_board)
        offered = self.spec.offers("board")
        self.list_button.setVisible(offered)
        self.board_button.setVisible(offered)

    def export_options(self) -> dict[str, Any]:
        # The export's "Customer" column carries the customer's name, as the list shows it.
        return {"field_map": {"customer_name": "customer_id", "owner_name": "owner_id"},
                "service": cast(RecordService[Any], CustomerNamedExport(opportunities))}

    def _list_parts(self) -> tuple[QWidget, ...]:
        return (self.view_bar, self.view)

    def show_board(self) -> OpportunityBoard:
        """Show the board instead of the table (making it the first time)."""
        if self.board is None:
            self.board = OpportunityBoard(self.ctx, self)
            layout = self.layout()
            at = layout.indexOf(self.view)
            layout.insertWidget(at + 1 if at >= 0 else layout.count(), self.board, 1)  # type: ignore[call-arg]
        self.view.clearSelection()  # Edit / Delete / Transfer act on the table's selection
        for part in self._list_parts():
            part.hide()
        self.search_edit.setEnabled(False)  # the board shows the whole group, not a search
        self.board.show()
        self.board_button.setChecked(True)
        return self.board

    def show_list(self) -> None:
        if self.board is not None:
            self.board.hide()
        for part in self._list_parts():
            part.show()
        self.search_edit.setEnabled(True)
        self.list_button.setChecked(True)


__all__ = ["OpportunitiesTab"]
