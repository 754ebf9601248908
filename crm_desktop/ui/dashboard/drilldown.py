"""The list behind a dashboard figure: the entity's generic list, showing every record the
actor may see ("All" view) narrowed by exactly the figure's filter.

Thread rule: GUI thread only.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from crm_desktop.services.records.filters import Filter
from crm_desktop.services.records.registry import record_service
from crm_desktop.services.records.views import BuiltinView
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.lists.record_tab import RecordTab
from crm_desktop.ui.records.specs.registry import VIEW_SPECS


def can_drill(entity: str) -> bool:
    """Whether a figure of ``entity`` has a list to open (follow-ups live on their records)."""
    return entity in VIEW_SPECS


class DrillDownWindow(QDialog):
    """Non-modal window with the records a figure counted. Public: ``tab`` (its RecordTab)."""

    def __init__(self, ctx: AppContext, entity: str, flt: Filter, title: str, *,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(1100, 620)
        self.filter = flt
        self.tab = RecordTab(ctx, record_service(entity), parent=self)
        bar = self.tab.view_bar
        shown = bar.show_views

        # The saved default view (e.g. "Mine") must not narrow the figure's records further:
        # once the views arrive, "All" is selected without being applied over our filter.
        def all_view(found: Sequence[Any], *, select_key: str | None = None, apply: bool = True) -> None:
            shown(found, select_key=BuiltinView.ALL.value, apply=False)

        bar.show_views = all_view  # type: ignore[method-assign]
        self.tab.model.set_view(BuiltinView.ALL.value, filter=flt)
        layout = QVBoxLayout(self)
        caption = QLabel(title)
        caption.setStyleSheet("font-size: 15px; font-weight: 600;")
        layout.addWidget(caption)
        layout.addWidget(self.tab, 1)
