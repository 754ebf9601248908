"""Cyclic garbage is collected on the GUI thread (crm_desktop.ui.gc_policy), never on a worker's."""
from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from crm_desktop.ui import gc_policy


class Node:
    """Something that only the cyclic collector frees (it refers to itself)."""

    def __init__(self) -> None:
        self.me = self


def test_install_turns_automatic_collection_off_and_collects_on_the_gui_thread(qtbot: QtBot, qapp: QApplication) -> None:
    gc.enable()
    collector = gc_policy.install(qapp)
    try:
        assert not gc.isenabled()
        freed_on: list[str] = []
        node = Node()
        weakref.finalize(node, lambda: freed_on.append(threading.current_thread().name))
        del node

        def allocate_on_a_worker() -> None:  # would have crossed the automatic threshold many times
            for _ in range(50_000):
                Node()

        worker = threading.Thread(target=allocate_on_a_worker, name="worker")
        worker.start()
        worker.join()
        assert freed_on == []  # the worker's allocations collected nothing
        qtbot.waitUntil(lambda: bool(freed_on), timeout=3 * gc_policy.TICK_MS)
        assert freed_on == [threading.main_thread().name]
    finally:
        collector.deleteLater()
        gc.disable()


def test_collect_now_deletes_what_waits_for_delete_later(qapp: QApplication) -> None:
    destroyed: list[bool] = []
    window = QWidget()
    window.destroyed.connect(lambda: destroyed.append(True))
    window.deleteLater()
    del window
    gc_policy.collect_now()
    assert destroyed == [True]
