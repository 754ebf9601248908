"""Typed input is never lost to Esc or a click on Cancel: one dirty-tracking for every form.

``GuardedDialog`` is the base of every dialog that holds typed input (the record forms, the
administration editors, the follow-up dialog, …). It takes a snapshot of its input widgets when
it is first shown (``input_state``: line edits, text edits, combo boxes, check boxes, spin and
date boxes, list and table cells — the standard widgets every editor is built from) and counts
as *dirty* while the snapshot taken now differs. Esc, Cancel and the window's close button all
end in ``reject()``: a clean dialog closes, a dirty one asks first ("Keep editing" is the
default and the Esc answer; only "Discard" closes). Saving (``accept()``) never asks.

A form that fills itself after it is shown (a read in the background) calls ``mark_clean()``
once that read has arrived, so what it filled in does not count as typed. A widget that keeps
its state elsewhere offers ``dirty_state()`` and is compared by that instead of its children.
``set_enter_button`` makes one button the one Enter presses, whatever else the dialog holds:
the safe choice where a wrong Enter would save something (a duplicate) or do nothing (log in).

Thread rule: GUI thread only.
"""
from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTextEdit,
    QWidget,
)
from shiboken6 import isValid

_NOTHING = object()


def _value(widget: QWidget) -> Any:
    """What the user may have changed in one standard input widget (``_NOTHING`` for others)."""
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        return _NOTHING if widget.isReadOnly() else widget.toPlainText()
    if isinstance(widget, QComboBox):
        data = widget.currentData()
        return data if isinstance(data, Hashable) and data is not None else widget.currentText()
    if isinstance(widget, QAbstractSpinBox):
        return widget.text()
    if isinstance(widget, QAbstractButton):
        return widget.isChecked() if widget.isCheckable() else _NOTHING
    if isinstance(widget, QListWidget):
        return tuple((widget.item(i).text(), widget.item(i).checkState().value) for i in range(widget.count()))
    if isinstance(widget, QTableWidget):
        return tuple(
            item.text() if (item := widget.item(row, column)) is not None else ""
            for row in range(widget.rowCount()) for column in range(widget.columnCount()))
    return _NOTHING


def input_state(root: QWidget) -> dict[int, Any]:
    """A snapshot of every input widget inside ``root`` (not inside the windows it opened)."""
    state: dict[int, Any] = {}
    stack = [root]
    while stack:
        widget = stack.pop()
        own = getattr(widget, "dirty_state", None)
        if callable(own):
            state[id(widget)] = own()
            continue
        value = _value(widget)
        if value is not _NOTHING:
            state[id(widget)] = value
        if isinstance(widget, (QComboBox, QAbstractSpinBox)):
            continue  # their inner line edit says the same thing again
        for child in widget.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if not child.isWindow():
                stack.append(child)
    return state


def set_enter_button(button: QPushButton) -> None:
    """Make ``button`` the one Enter presses anywhere in its dialog (call once it is in the
    dialog's layout). No other push button takes Enter, not even while it has the focus (Space
    still presses a focused button): Qt would otherwise make the first "auto default" button
    in the tab order the default when the dialog is shown, a hidden one included."""
    window = button.window()
    for other in window.findChildren(QPushButton):
        if other is not button:
            other.setAutoDefault(False)
            other.setDefault(False)
    button.setAutoDefault(True)
    button.setDefault(True)


class GuardedDialog(QDialog):
    """A dialog that asks before throwing typed input away (see the module docstring).

    Public for tests: ``is_dirty()``, ``mark_clean()``, ``discard_question`` (the open
    question, if any).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._clean_state: dict[int, Any] | None = None
        self._discard_confirmed = False
        self.discard_question: QMessageBox | None = None

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._clean_state is None:
            self.mark_clean()

    def mark_clean(self, *parts: QWidget) -> None:
        """What the form shows now is what it started with: the whole form, or only ``parts``
        (the widgets a background read just filled, so that input typed meanwhile elsewhere
        still counts). Before the first show this waits for it: the whole form is taken then."""
        if not parts:
            self._clean_state = input_state(self)
        elif self._clean_state is not None:
            for part in parts:
                self._clean_state.update(input_state(part))

    def is_dirty(self) -> bool:
        return self._clean_state is not None and input_state(self) != self._clean_state

    def reject(self) -> None:
        if self._discard_confirmed or not self.is_dirty():
            super().reject()
            return
        if self.discard_question is not None and isValid(self.discard_question):
            self.discard_question.raise_()  # a second Esc while the question is open
            return
        self._ask_discard()

    def _ask_discard(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, self.windowTitle() or self.tr("Discard changes?"),
                          self.tr("Close without saving? What you typed in this form will be lost."),
                          QMessageBox.StandardButton.NoButton, self)
        discard = box.addButton(self.tr("Discard"), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(self.tr("Keep editing"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.discard_question = box

        def answered(_result: int) -> None:
            self.discard_question = None
            if box.clickedButton() is discard and isValid(self):
                self._discard_confirmed = True
                self.reject()

        box.finished.connect(answered)
        box.open()


__all__ = ["GuardedDialog", "input_state", "set_enter_button"]
