"""The op runner: results on the GUI thread, serialized writes, progress, cancel, and no
callback into a window that has been closed."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QWidget

from crm_desktop.services.errors import RuleViolation
from crm_desktop.ui import ops


def test_success_runs_off_and_returns_on_the_gui_thread(qtbot: Any) -> None:
    seen: dict[str, Any] = {}

    def work() -> int:
        seen["worker"] = QThread.currentThread() is not QApplication.instance().thread()
        return 42

    ops.op(None, work).success(lambda r: seen.update(result=r, gui=QThread.currentThread() is QApplication.instance().thread())).run()
    qtbot.waitUntil(lambda: "result" in seen)
    assert seen == {"worker": True, "result": 42, "gui": True}
    qtbot.waitUntil(lambda: ops.running_count() == 0)


def test_failure_goes_to_the_failure_callback(qtbot: Any) -> None:
    errors: list[BaseException] = []

    def boom() -> None:
        raise RuleViolation("nope")

    ops.op(None, boom).failure(errors.append).run()
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], RuleViolation) and str(errors[0]) == "nope"


def test_writes_never_overlap(qtbot: Any) -> None:
    active = 0
    peak = 0
    lock = threading.Lock()
    finished: list[int] = []

    def write(i: int) -> int:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.02)
        with lock:
            active -= 1
        return i

    for i in range(5):
        ops.op(None, lambda i=i: write(i), write=True).success(finished.append).run()
    qtbot.waitUntil(lambda: len(finished) == 5, timeout=5000)
    assert peak == 1 and finished == [0, 1, 2, 3, 4]  # one at a time, in order


def test_generator_reports_progress_and_returns_its_value(qtbot: Any) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    result: list[str] = []

    def job() -> Iterator[tuple[int, int, str]]:
        for i in range(3):
            yield i, 3, f"step {i}"
        return "done"

    ops.op(parent, job).with_progress("Working…").success(result.append).run()
    qtbot.waitUntil(lambda: result == ["done"])


def test_cancel_stops_a_generator_between_steps(qtbot: Any) -> None:
    steps: list[int] = []
    outcome: list[Any] = []

    def job() -> Iterator[tuple[int, int, str]]:
        for i in range(1000):
            steps.append(i)
            time.sleep(0.005)
            yield i, 1000, ""
        return "finished"

    operation = ops.op(None, job).success(outcome.append).failure(outcome.append)
    operation.run()
    qtbot.waitUntil(lambda: len(steps) > 3)
    operation._cancel.set()
    qtbot.waitUntil(lambda: ops.running_count() == 0, timeout=5000)
    assert outcome == [] and len(steps) < 1000  # cancelled silently, no callback


def test_no_callback_into_a_closed_window(qtbot: Any) -> None:
    widget = QWidget()
    called: list[Any] = []
    release = threading.Event()

    def slow() -> int:
        release.wait(5)
        return 1

    ops.op(widget, slow).success(called.append).failure(called.append).run()
    widget.deleteLater()
    qtbot.waitUntil(lambda: not __import__("shiboken6").isValid(widget))
    release.set()
    qtbot.waitUntil(lambda: ops.running_count() == 0, timeout=5000)
    assert called == []
