"""Runs the scheduled jobs (pool recycling, reminders) while the app is open: once shortly
after log-in, then every hour, on the serialized write worker.

The jobs are idempotent and serialize themselves in the database, so several PCs of one
team running them at once do the work once.
"""
from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QObject, QTimer, Signal

from crm_desktop.services.activities.tasks import note_overdue
from crm_desktop.services.customers.jobs import JobsReport, run_jobs
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.ops import op

log = logging.getLogger(__name__)
HOUR_MS = 60 * 60 * 1000


class JobScheduler(QObject):
    """Owns the timer; ``finished`` carries each run's report (the message centre will use it)."""

    finished = Signal(object)

    def __init__(self, ctx: AppContext, *, first_delay_ms: int = 3000, interval_ms: int = HOUR_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.running = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.run_now)
        if ctx.db.user_role:  # secure server mode: the server runs them (crm-admin run-jobs from cron)
            log.info("scheduled jobs left to the server: this PC works as a user's own database role")
            return
        self.timer.start()
        QTimer.singleShot(first_delay_ms, self.run_now)

    def run_now(self) -> None:
        if self.running:  # a slow run is not stacked with the next one
            return
        self.running = True
        db = self.ctx.db
        # The scheduler as parent: if the window (and so the scheduler) is gone, no callback.
        op(self, lambda: run_jobs(db), write=True).success(self._done).failure(self._failed).run()  # type: ignore[arg-type]

    def _done(self, report: JobsReport) -> None:
        self.running = False
        # Tasks whose due day passed: their "overdue" event, once each (rules may act on it).
        db, today = self.ctx.db, dt.date.today()
        op(self, lambda: note_overdue(db, today=today), write=True).failure(  # type: ignore[arg-type]
            lambda exc: log.warning("overdue tasks job failed: %r", exc)).run()
        log.info("scheduled jobs: %s", report.summary())
        if report.recycle.recycled:
            self.ctx.signals.notify("customer")  # lists drop the recycled customers
        self.finished.emit(report)

    def _failed(self, exc: BaseException) -> None:
        # Never a dialog: the user did not ask for this run; the next one retries.
        self.running = False
        log.warning("scheduled jobs failed: %r", exc)
