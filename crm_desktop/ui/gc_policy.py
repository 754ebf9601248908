"""Garbage is collected on the GUI thread only.

Python's cyclic collector runs on whichever thread happens to cross its allocation
threshold — a background op's worker included. A widget or pyqtgraph item that had become
cyclic garbage is then freed on that worker, off the thread that owns it, and the process
crashes at some later, unrelated point (seen as rare segfaults inside pyqtgraph's paint and
teardown in full test runs). Anki, for the same reason, turns automatic collection off and
collects on the main thread; so does this module: young objects every second, the middle
generation every ten, everything every minute — close to what the automatic policy would do
for an idle desktop app, but always here.

Reference counting still frees everything that is not in a cycle at once, on any thread; only
cycles wait for the timer. Thread rule: GUI thread only.
"""
from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer

TICK_MS = 1_000
MIDDLE_EVERY = 10  # ticks
FULL_EVERY = 60  # ticks


class GuiThreadCollector(QObject):
    """Collects on a timer of the GUI thread; ``collect_now()`` for a window that just closed."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._ticks = 0
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def _tick(self) -> None:
        self._ticks += 1
        if self._ticks % FULL_EVERY == 0:
            gc.collect(2)
        elif self._ticks % MIDDLE_EVERY == 0:
            gc.collect(1)
        else:
            gc.collect(0)


def collect_now() -> int:
    """Delete what waits for ``deleteLater`` and collect every generation, here and now.

    For test teardown and after a window closed: the widgets die on this thread, at a known
    point, instead of inside some later event loop."""
    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return gc.collect()


def install(app: QCoreApplication) -> GuiThreadCollector:
    """Switch automatic collection off and collect on ``app``'s thread from now on."""
    gc.collect()
    gc.disable()
    return GuiThreadCollector(app)
