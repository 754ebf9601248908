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
import itertools
import threading
import logging
import traceback
from collections.abc import Callable, Generator
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Qt, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from crm_desktop.ui.i18n import error_text, tr

log = logging.getLogger(__name__)
T = TypeVar("T")

_write_pool: QThreadPool | None = None

# Thread affinity: the worker must never drop the last reference to anything that belongs to
# the GUI thread (a widget captured by ``fn`` or a callback, a QObject). So the worker holds
# only an op id; the Op, its callbacks and ``fn`` stay in this registry, owned by the GUI
# thread, until the worker has said it let go *and* the callbacks have run.
_registry: dict[int, Op[Any]] = {}
_worker_done: set[int] = set()
_ids = itertools.count(1)
_relay: _Relay | None = None


class Cancelled(Exception):
    """Raised inside a generator op when the user pressed Cancel."""


def _writes() -> QThreadPool:
    global _write_pool
    if _write_pool is None:
        _write_pool = QThreadPool()
        _write_pool.setMaxThreadCount(1)
    return _write_pool


class _Relay(QObject):
    """One per process, created and kept on the GUI thread: carries results back."""

    done = Signal(int, object)
    failed = Signal(int, object)
    progress = Signal(int, int, int, str)

    def __init__(self) -> None:
        super().__init__()
        self.done.connect(self._done, Qt.ConnectionType.QueuedConnection)
        self.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        self.progress.connect(self._progress, Qt.ConnectionType.QueuedConnection)

    def _done(self, op_id: int, result: object) -> None:
        operation = _registry.get(op_id)
        try:
            if operation is not None:
                operation._finish(result)
        finally:  # a callback that raised must not leave the op "running" for ever (wait_idle, settle)
            _release(op_id)

    def _failed(self, op_id: int, exc: object) -> None:
        operation = _registry.get(op_id)
        try:
            if operation is not None:
                operation._fail(exc)  # type: ignore[arg-type]
        finally:
            _release(op_id)

    def _progress(self, op_id: int, done: int, total: int, text: str) -> None:
        operation = _registry.get(op_id)
        if operation is not None:
            operation._progress(done, total, text)


def _get_relay() -> _Relay:
    global _relay
    if _relay is None:
        _relay = _Relay()
    return _relay


def _release(op_id: int) -> None:
    """Forget an op on the GUI thread once its worker has dropped every reference."""
    if op_id in _worker_done:
        _worker_done.discard(op_id)
        _registry.pop(op_id, None)
    else:
        QTimer.singleShot(5, lambda: _release(op_id))


class _Task(QRunnable):
    def __init__(self, op_id: int, relay: _Relay, cancel: threading.Event) -> None:
        super().__init__()
        self.op_id = op_id
        self.relay = relay  # lives for the whole process: safe to hold here
        self.cancel = cancel

    def run(self) -> None:  # worker thread
        try:
            fn = _registry[self.op_id].fn
            try:
                result = fn()
                if inspect.isgenerator(result):
                    result = self._drive(result)
            except BaseException as exc:  # noqa: BLE001 - reported to the GUI thread
                exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
                self.relay.failed.emit(self.op_id, exc)
            else:
                self.relay.done.emit(self.op_id, result)
            finally:
                fn = result = None  # type: ignore[assignment]
        finally:
            _worker_done.add(self.op_id)  # the last thing the worker does

    def _drive(self, gen: Generator[tuple[int, int, str], None, Any]) -> Any:
        try:
            while True:
                if self.cancel.is_set():
                    gen.close()
                    raise Cancelled()
                done, total, text = next(gen)
                self.relay.progress.emit(self.op_id, done, total, text)
        except StopIteration as stop:
            return stop.value


class Op(Generic[T]):
    def __init__(self, parent: QWidget | None, fn: Callable[[], T], *, write: bool = False) -> None:
        self.parent = parent
        self.fn = fn
        self.write = write
        self._cancel = threading.Event()
        self._on_success: Callable[[T], None] | None = None
        self._on_failure: Callable[[BaseException], None] | None = None
        self._progress_label: str | None = None
        self._dialog: QProgressDialog | None = None

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

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
        """Start the work; returns at once. Call on the GUI thread."""
        if self._progress_label is not None:
            dialog = QProgressDialog(self._progress_label, tr("Cancel"), 0, 0, self.parent)
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.setMinimumDuration(300)
            dialog.canceled.connect(self._cancel.set)
            self._dialog = dialog
        op_id = next(_ids)
        _registry[op_id] = self
        pool = _writes() if self.write else QThreadPool.globalInstance()
        pool.start(_Task(op_id, _get_relay(), self._cancel))

    def _parent_gone(self) -> bool:
        # The window that asked may have been closed meanwhile: then nobody is waiting.
        return self.parent is not None and not shiboken6.isValid(self.parent)

    def _progress(self, done: int, total: int, text: str) -> None:
        if self._dialog is not None and shiboken6.isValid(self._dialog):
            self._dialog.setMaximum(total)
            self._dialog.setValue(done)
            if text:
                self._dialog.setLabelText(text)

    def _close(self) -> None:
        if self._dialog is not None and shiboken6.isValid(self._dialog):
            self._dialog.reset()
            self._dialog.deleteLater()
        self._dialog = None

    def _finish(self, result: T) -> None:
        self._close()
        if self._on_success is not None and not self._parent_gone():
            self._on_success(result)

    def _fail(self, exc: BaseException) -> None:
        self._close()
        if isinstance(exc, Cancelled):
            return
        if self._parent_gone():
            log.info("op failed after its window closed: %r", exc)
        elif self._on_failure is not None:
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
    return len(_registry)
