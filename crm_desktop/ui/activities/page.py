"""The "Activities" module tab (任务日程): the task workbench, the calendar and the work logs
as pages of one tab (a module tab each would not fit the main window's width in English)."""
from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from crm_desktop.ui.activities.calendar_page import CalendarPage
from crm_desktop.ui.activities.common import Clock, system_clock
from crm_desktop.ui.activities.task_workbench import TaskWorkbench
from crm_desktop.ui.activities.worklog_page import WorkLogPage
from crm_desktop.ui.context import AppContext


class ActivitiesTab(QWidget):
    """Public for tests: ``pages``, ``workbench`` and ``calendar`` (None without the permission),
    ``worklogs`` (everyone writes their own)."""

    def __init__(self, ctx: AppContext, *, clock: Clock = system_clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pages = QTabWidget()
        self.workbench: TaskWorkbench | None = None
        self.calendar: CalendarPage | None = None
        if ctx.actor.can("task", "view"):
            self.workbench = TaskWorkbench(ctx, clock=clock)
            self.pages.addTab(self.workbench, self.tr("Tasks"))
        if ctx.actor.can("event", "view"):
            self.calendar = CalendarPage(ctx, clock=clock)
            self.pages.addTab(self.calendar, self.tr("Calendar"))
        self.worklogs = WorkLogPage(ctx, clock=clock)
        self.pages.addTab(self.worklogs, self.tr("Work logs"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.pages)

    def show_calendar(self) -> CalendarPage | None:
        if self.calendar is not None:
            self.pages.setCurrentWidget(self.calendar)
        return self.calendar


__all__ = ["ActivitiesTab"]
