"""The one way UI code runs database or long work off the GUI thread.

    op(parent, lambda: service_call(db, actor, ...)).success(show).run()
    op(parent, import_rows, write=True).with_progress(tr("Importing…")).success(done).run()

Reads run on Qt's global thread pool; writes are serialized on one worker thread, so two
saves from the same PC never race each other. ``fn`` runs on the worker and must not touch
widgets; callbacks run on the GUI thread. A generator ``fn`` yields ``(done, total, text)``
progress tuples and returns its result; the progress dialog can cancel it between yields.
"""
from __future__ import annotations

import inspect
import logging
import traceback
from collections.abc import Callable, Generator
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from crm_desktop.ui.i18n import error_text, tr

log = logging.getLogger(__name__)
T = TypeVar("T")

_write_pool: QThreadPool | None = None
_running: set[Op[Any]] = set()  # keeps ops alive until their callbacks have run


class Cancelled(Exception):
    """Raised inside a generator op when the user pressed Cancel."""


def _writes() -> QThreadPool:
    global _write_pool
    if _write_pool is None:
        _write_pool = QThreadPool()
        _write_pool.setMaxThreadCount(1)
    return _write_pool


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object)
    progress = Signal(int, int, str)


class _Task(QRunnable):
    def __init__(self, operation: Op[Any]) -> None:
        super().__init__()
        self.operation = operation

    def run(self) -> None:  # worker thread
        op_ = self.operation
        try:
            result = op_.fn()
            if inspect.isgenerator(result):
                result = self._drive(result)
        except BaseException as exc:  # noqa: BLE001 - reported to the GUI thread
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            op_.relay.failed.emit(exc)
        else:
            op_.relay.done.emit(result)

    def _drive(self, gen: Generator[tuple[int, int, str], None, Any]) -> Any:
        try:
            while True:
                if self.operation.cancelled:
                    gen.close()
                    raise Cancelled()
                done, total, text = next(gen)
                self.operation.relay.progress.emit(done, total, text)
        except StopIteration as stop:
            return stop.value


class Op(Generic[T]):
    def __init__(self, parent: QWidget | None, fn: Callable[[], T], *, write: bool = False) -> None:
        self.parent = parent
        self.fn = fn
        self.write = write
        self.cancelled = False
        self._on_success: Callable[[T], None] | None = None
        self._on_failure: Callable[[BaseException], None] | None = None
        self._progress_label: str | None = None
        self._dialog: QProgressDialog | None = None
        self.relay = _Relay()
        self.relay.done.connect(self._finish, Qt.ConnectionType.QueuedConnection)
        self.relay.failed.connect(self._fail, Qt.ConnectionType.QueuedConnection)
        self.relay.progress.connect(self._progress, Qt.ConnectionType.QueuedConnection)

    def success(self, callback: Callable[[T], None]) -> Op[T]:
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> Op[T]:
        self._on_failure = callback
        return self

    def with_progress(self, label: str) -> Op[T]:
        self._progress_label = label
        return self

    def run(self) -> None:
        """Start the work; returns at once."""
        if self._progress_label is not None:
            dialog = QProgressDialog(self._progress_label, tr("Cancel"), 0, 0, self.parent)
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.setMinimumDuration(300)
            dialog.canceled.connect(self._cancel)
            self._dialog = dialog
        _running.add(self)
        pool = _writes() if self.write else QThreadPool.globalInstance()
        pool.start(_Task(self))

    def _cancel(self) -> None:
        self.cancelled = True

    def _progress(self, done: int, total: int, text: str) -> None:
        if self._dialog is not None:
            self._dialog.setMaximum(total)
            self._dialog.setValue(done)
            if text:
                self._dialog.setLabelText(text)

    def _close(self) -> None:
        _running.discard(self)
        if self._dialog is not None:
            self._dialog.reset()
            self._dialog.deleteLater()
            self._dialog = None

    def _finish(self, result: T) -> None:
        self._close()
        if self._on_success is not None:
            self._on_success(result)

    def _fail(self, exc: BaseException) -> None:
        self._close()
        if isinstance(exc, Cancelled):
            return
        if self._on_failure is not None:
            self._on_failure(exc)
        else:
            show_error(self.parent, exc)


def op(parent: QWidget | None, fn: Callable[[], T], *, write: bool = False) -> Op[T]:
    """Describe background work; chain ``.success()``/``.failure()``/``.with_progress()``, then ``.run()``."""
    return Op(parent, fn, write=write)


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """Tell the user what went wrong in their language; log details of unexpected errors."""
    from crm_desktop.services.errors import ServiceError

    if not isinstance(exc, ServiceError):
        log.error("unexpected error: %s", getattr(exc, "__traceback_text__", repr(exc)))
    QMessageBox.warning(parent, tr("CRM Desktop"), error_text(exc))


def wait_idle(timeout_ms: int = 30_000) -> bool:
    """Block until the worker pools are empty (tests and shutdown)."""
    ok = QThreadPool.globalInstance().waitForDone(timeout_ms)
    return _writes().waitForDone(timeout_ms) and ok


def running_count() -> int:
    return len(_running)
