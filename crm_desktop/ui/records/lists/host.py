"""What the add-ons of a record list (column chooser, export, the customer actions) need of
the list tab they sit on. ``RecordTab`` is such a host; the add-ons name this protocol rather
than the tab class, so the tab may build them without an import going both ways.
"""
from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTableView, QWidget

from crm_desktop.services.records.records import RecordService
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.shared.list_model import ColumnSpec, RecordTableModel


class ListHost(Protocol):
    """A record list tab (a QWidget): its context, service, default and shown columns, view,
    the row of buttons above it, and how it reports."""

    ctx: AppContext
    service: RecordService[Any]
    columns: tuple[ColumnSpec, ...]
    model: RecordTableModel
    view: QTableView
    tool_row: QHBoxLayout
    log_button: QPushButton
    transfer_button: QPushButton

    def selected_ids(self) -> list[int]: ...

    def _failed(self, exc: BaseException) -> None: ...

    def _show_message(self, text: str) -> None: ...

    def window(self) -> QWidget: ...


__all__ = ["ListHost"]
