"""Guard for the Qt binding itself: PySide6 6.12.0 lost a reference to None on every
built-in signal delivered to a Python slot and to True on every Python signal emit, which
aborts the interpreter within minutes of use. pyproject.toml pins around it; this test fails
if a release with that bug is installed."""
from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLineEdit


class _Emitter(QObject):
    fired = Signal(object)


def test_signals_do_not_leak_references_to_singletons(qtbot: object) -> None:
    edit = QLineEdit()
    edit.textChanged.connect(lambda _text: None)
    before_none = sys.getrefcount(None)
    for i in range(500):
        edit.setText(str(i))
    assert sys.getrefcount(None) - before_none > -50

    emitter = _Emitter()
    emitter.fired.connect(lambda _value: None)
    before_true = sys.getrefcount(True)
    for _ in range(200):
        emitter.fired.emit(1)
    assert sys.getrefcount(True) - before_true > -50
