"""Showing service errors where the user is looking: beside the field, or in the dialog.

``FormErrors`` wraps a QFormLayout: every row added through it gets a red error line under
its widget, keyed by the service's field name ("mobile", "superior_id", …). A failed save
is shown with ``errors.show(exc)``: field errors go beside their fields, everything else
(RuleViolation, PermissionDenied, unknown fields) into the form's ``MessageBar``. Editing a
field clears its error. Nothing the user typed is touched, so a failed save loses nothing.

``FormDialog`` is the usual OK/Cancel dialog on top of it: the subclass builds the service
call, the dialog runs it through ``ui.ops.op(write=True)``, keeps itself open on failure and
emits ``saved(result)`` then closes on success.

Threading: everything here lives on the GUI thread; the service call runs on the op worker.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services import errors as service_errors
from crm_desktop.ui.dirty import GuardedDialog
from crm_desktop.ui.i18n import error_text, field_label, service_text
from crm_desktop.ui.ops import op

if TYPE_CHECKING:  # the login window uses this module and shows before any service is loaded
    from crm_desktop.services.org.users import UserDTO

log = logging.getLogger(__name__)


def alive(widget: QWidget) -> bool:
    """False once Qt has deleted the widget: an op's callback may arrive after its page closed."""
    return isValid(widget)

_ERROR_STYLE = "color: #c62828;"
_BAR_STYLES = {
    "error": "QLabel { background: #fdecea; color: #8e1c1c; border: 1px solid #f5c2c0;"
             " border-radius: 4px; padding: 6px 8px; }",
    "info": "QLabel { background: #e8f1fb; color: #17406d; border: 1px solid #c3d8f0;"
            " border-radius: 4px; padding: 6px 8px; }",
}


class MessageBar(QLabel):
    """A wrapped message line, hidden while empty; red for errors, blue for information."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_error(self, text: str) -> None:
        self._show(text, "error")

    def show_info(self, text: str) -> None:
        self._show(text, "info")

    def show_exception(self, exc: BaseException) -> None:
        """Any error in the user's language; unexpected ones are also logged with their traceback."""
        if not alive(self):
            return
        if not isinstance(exc, service_errors.ServiceError):
            log.error("unexpected error: %s", getattr(exc, "__traceback_text__", repr(exc)))
        self.show_error(error_text(exc))

    def clear(self) -> None:  # type: ignore[override]
        super().clear()
        self.hide()

    def _show(self, text: str, tone: str) -> None:
        self.setStyleSheet(_BAR_STYLES[tone])
        self.setProperty("tone", tone)
        self.setText(text)
        self.setVisible(bool(text))


def _changed_signal(widget: QWidget) -> Any | None:
    """The signal that means "the user edited this", for the widget kinds forms use."""
    if isinstance(widget, QLineEdit):
        return widget.textEdited
    if isinstance(widget, QComboBox):
        return widget.activated
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        return widget.textChanged
    if isinstance(widget, QListWidget):
        return widget.itemChanged
    if isinstance(widget, QAbstractButton):
        return widget.toggled
    return None


class FormErrors:
    """Field-error lines for the rows of one QFormLayout plus one message bar for the rest."""

    def __init__(self, form: QFormLayout, message: MessageBar) -> None:
        self.form = form
        self.message = message
        self._labels: dict[str, QLabel] = {}

    def add_row(self, key: str, label: str, widget: QWidget, *, aliases: tuple[str, ...] = ()) -> QLabel:
        """Add ``widget`` as a form row with an error line under it; returns the error label.

        ``aliases`` are other service field names that belong to the same widget (e.g. a
        password row that one service calls "password" and another "new_password").
        """
        cell = QWidget()
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        error = QLabel()
        error.setObjectName(f"error_{key}")
        error.setStyleSheet(_ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        box.addWidget(error)
        self.form.addRow(label, cell)
        for name in (key, *aliases):
            self._labels[name] = error
        signal = _changed_signal(widget)
        if signal is not None:
            signal.connect(lambda *_: self.clear_field(key))
        return error

    def set_field_error(self, key: str, text: str) -> None:
        """Show ``text`` under the field; a key without a row goes to the message bar."""
        label = self._labels.get(key)
        if label is None:
            self.message.show_error(f"{field_label(key)}: {text}")
            return
        label.setText(text)
        label.setVisible(bool(text))

    def field_error(self, key: str) -> str:
        """The error currently shown for ``key`` ("" when none)."""
        label = self._labels.get(key)
        return label.text() if label is not None else ""

    def clear_field(self, key: str) -> None:
        label = self._labels.get(key)
        if label is not None:
            label.clear()
            label.hide()

    def clear(self) -> None:
        for label in set(self._labels.values()):
            label.clear()
            label.hide()
        self.message.clear()

    def show(self, exc: BaseException) -> None:
        """Put a failed call's error where it belongs (see module docstring)."""
        if not alive(self.message):
            return
        self.clear()
        if isinstance(exc, service_errors.ValidationError):
            stray: list[str] = []
            for key, template in exc.field_errors.items():
                text = service_text(service_errors.CONTEXT, template)
                if key in self._labels:
                    self.set_field_error(key, text)
                else:
                    stray.append(f"{field_label(key)}: {text}")
            if stray:
                self.message.show_error("\n".join(stray))
            return
        self.message.show_exception(exc)


class FormDialog(GuardedDialog):
    """OK/Cancel dialog around a QFormLayout whose save runs as a background write.

    Subclasses add rows with ``add_row`` and implement ``build_call``; the dialog never
    closes on a failed save, and cannot be cancelled half-way through one. Cancelling it with
    typed input asks first (``GuardedDialog``).
    """

    saved = Signal(object)

    def __init__(self, parent: QWidget | None, *, title: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message = MessageBar()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.errors = FormErrors(self.form, self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.busy = False

    def add_row(self, key: str, label: str, widget: QWidget, *, aliases: tuple[str, ...] = ()) -> QLabel:
        return self.errors.add_row(key, label, widget, aliases=aliases)

    def build_call(self) -> Callable[[], object] | None:
        """The service call to run for the current input, or None after showing a local error."""
        raise NotImplementedError

    def submit(self) -> None:
        """Run the save off the GUI thread; on failure show why and stay open."""
        if self.busy:
            return
        self.errors.clear()
        call = self.build_call()
        if call is None:
            return
        self._set_busy(True)
        op(self, call, write=True).success(self._saved).failure(self._failed).run()

    def reject(self) -> None:
        if not self.busy:  # the save's result must find the dialog still there
            super().reject()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.buttons.setEnabled(not busy)

    def _saved(self, result: object) -> None:
        if not alive(self):
            return
        self._set_busy(False)
        self.saved.emit(result)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if not alive(self):
            return
        self._set_busy(False)
        self.errors.show(exc)


def page_layout(
    page: QWidget, title: str, *rows: QWidget | QLayout, body: QWidget
) -> QVBoxLayout:
    """The layout every administration page shares: a bold title, then ``rows`` (message
    bar, tool row …) in order, then ``body`` taking the remaining height."""
    layout = QVBoxLayout(page)
    heading = QLabel(title)
    heading.setStyleSheet("font-size: 16px; font-weight: 600;")
    layout.addWidget(heading)
    for row in rows:
        if isinstance(row, QLayout):
            layout.addLayout(row)
        else:
            layout.addWidget(row)
    layout.addWidget(body, 1)
    return layout


class ChooseUserDialog(QDialog):
    """Choose one enabled user (new owner, assignee): an intro line, a labelled combo, an OK
    button named for the action. Callers pass translated texts.

    Public: ``user_combo``, ``ok_button``, ``selected_user_id()``, ``select_user(id)``.
    """

    def __init__(self, people: Sequence[UserDTO], *, title: str, intro: str, label: str, ok_text: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.user_combo = QComboBox()
        for person in people:
            if person.enabled:
                text = f"{person.name} · {person.department_name}" if person.department_name else person.name
                self.user_combo.addItem(text, person.id)
        intro_label = QLabel(intro)
        intro_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow(label, self.user_combo)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setEnabled(self.user_combo.count() > 0)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro_label)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(400)

    def selected_user_id(self) -> int | None:
        data = self.user_combo.currentData()
        return int(data) if data is not None else None

    def select_user(self, user_id: int) -> None:
        self.user_combo.setCurrentIndex(self.user_combo.findData(user_id))


def ask(parent: QWidget, title: str, text: str, on_yes: Callable[[], None],
        on_closed: Callable[[], None] | None = None) -> QMessageBox:
    """A Yes/No question (No is the default), non-modal (``open()``): ``on_yes`` runs on Yes,
    ``on_closed`` after any answer (callers forget the box they keep for tests there)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def answered(result: int) -> None:
        if on_closed is not None:
            on_closed()
        if result == QMessageBox.StandardButton.Yes:
            on_yes()

    box.finished.connect(answered)
    box.open()
    return box
