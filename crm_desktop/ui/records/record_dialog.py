"""The form of one record, built from a list of field specs.

New records are saved with ``service.create``; existing ones with ``service.update`` giving
the version the form was loaded at and only the fields the user changed. Field errors from
the service appear under their fields. When someone else saved the record meanwhile, the
conflict dialog lets the user merge; cancelling it leaves every typed value in the form.
Thread rule: GUI thread only; service calls run through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.errors import CONTEXT as ERRORS_CONTEXT
from crm_desktop.services.errors import ConflictError, ValidationError
from crm_desktop.services.records import RecordDTO, RecordService
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import error_text, field_label, service_text
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.conflict_dialog import ConflictDialog
from crm_desktop.ui.records.list_model import format_value

ERROR_STYLE = "color: #c0392b;"


@dataclass(frozen=True)
class FieldSpec:
    """One form field: name, translated label and kind ("text", "multiline" or "choice").

    ``options`` are (stored value, translated label) pairs of a choice; ``required`` only
    marks the label — the service decides what is required.
    """

    name: str
    label: str
    kind: str = "text"
    options: tuple[tuple[str, str], ...] = ()
    required: bool = False


def _make_editor(spec: FieldSpec) -> QWidget:
    if spec.kind == "multiline":
        editor = QPlainTextEdit()
        editor.setTabChangesFocus(True)
        editor.setFixedHeight(editor.fontMetrics().lineSpacing() * 4 + 14)
        return editor
    if spec.kind == "choice":
        combo = QComboBox()
        for value, label in spec.options:
            combo.addItem(label, value)
        return combo
    if spec.kind != "text":
        raise ValueError(f"unknown field kind {spec.kind!r}")
    return QLineEdit()


class RecordDialog(QDialog):
    """Create (``record=None``) or edit one record of ``service``.

    Emits ``saved(RecordDTO)`` and closes after a successful save. Public for tests:
    ``editors``, ``error_labels``, ``message_label``, ``save_button``, ``conflict_dialog``
    (the open conflict dialog, if any), ``set_value``/``value``/``field_error``, ``save()``.
    """

    saved = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        service: RecordService[Any],
        fields: Sequence[FieldSpec],
        *,
        record: RecordDTO | None = None,
        title: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._service = service
        self._fields = tuple(fields)
        self._record = record
        self._version = record.version if record else 0
        #: What the form started from; only fields that differ from it are saved.
        self._baseline: dict[str, Any] = {
            f.name: self._initial(f, record.values.get(f.name) if record else None) for f in self._fields
        }
        self._saving = False
        self.conflict_dialog: ConflictDialog | None = None
        self.setWindowTitle(title)
        self.editors: dict[str, QWidget] = {}
        self.error_labels: dict[str, QLabel] = {}

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        for spec in self._fields:
            editor = _make_editor(spec)
            error = QLabel()
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
            cell = QWidget()
            box = QVBoxLayout(cell)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(2)
            box.addWidget(editor)
            box.addWidget(error)
            label = QLabel(f"{spec.label} *" if spec.required else spec.label)
            label.setBuddy(editor)
            form.addRow(label, cell)
            self.editors[spec.name] = editor
            self.error_labels[spec.name] = error
            self.set_value(spec.name, self._baseline[spec.name])

        self.info_label = QLabel()
        self.info_label.setStyleSheet("color: #666;")
        if record is not None:
            self.info_label.setText(
                self.tr("Owner: {owner} · Last saved {time}").format(
                    owner=record.owner_name, time=format_value(record.updated_at)
                )
            )
        else:
            self.info_label.hide()
        self.message_label = QLabel()
        self.message_label.setStyleSheet(ERROR_STYLE)
        self.message_label.setWordWrap(True)
        self.message_label.hide()

        buttons = QDialogButtonBox()
        self.save_button: QPushButton = buttons.addButton(QDialogButtonBox.StandardButton.Save)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.info_label)
        layout.addLayout(form)
        layout.addWidget(self.message_label)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(480)

    @staticmethod
    def _initial(spec: FieldSpec, value: Any) -> Any:
        if value is None:
            return "" if spec.kind in ("text", "multiline", "choice") else None
        return value

    @property
    def record(self) -> RecordDTO | None:
        return self._record

    # --- field access -----------------------------------------------------------------

    def value(self, name: str) -> Any:
        editor = self.editors[name]
        if isinstance(editor, QLineEdit):
            return editor.text()
        if isinstance(editor, QPlainTextEdit):
            return editor.toPlainText()
        if isinstance(editor, QComboBox):
            return editor.currentData()
        raise TypeError(type(editor))

    def set_value(self, name: str, value: Any) -> None:
        editor = self.editors[name]
        text = "" if value is None else str(value)
        if isinstance(editor, QLineEdit):
            editor.setText(text)
            editor.setCursorPosition(0)
        elif isinstance(editor, QPlainTextEdit):
            editor.setPlainText(text)
        elif isinstance(editor, QComboBox):
            at = editor.findData(text)
            if at < 0:
                # A value outside the options (older data): show it rather than lose it.
                editor.addItem(text, text)
                at = editor.count() - 1
            editor.setCurrentIndex(at)

    def field_error(self, name: str) -> str:
        label = self.error_labels[name]
        return label.text() if not label.isHidden() else ""

    def _changes(self) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for spec in self._fields:
            current = self.value(spec.name)
            if current != self._baseline[spec.name]:
                # Stray spaces around a typed line are never meant; keep inner ones.
                changes[spec.name] = current.strip() if isinstance(current, str) and spec.kind == "text" else current
        return changes

    # --- saving -----------------------------------------------------------------------

    def save(self) -> None:
        """Validate and save through the service; the dialog closes when it succeeded."""
        if self._saving:
            return
        self._clear_errors()
        db, actor, service = self._ctx.db, self._ctx.actor, self._service
        if self._record is None:
            changes = self._changes()
            values = {f.name: changes.get(f.name, self.value(f.name)) for f in self._fields}
            work = lambda: service.create(db, actor, values)  # noqa: E731
        else:
            changes = self._changes()
            if not changes:
                self.accept()
                return
            record_id, version = self._record.id, self._version
            work = lambda: service.update(  # noqa: E731
                db, actor, record_id, expected_version=version, changes=changes
            )
        self._set_saving(True)
        op(self, work, write=True).success(self._saved).failure(self._failed).run()

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.save_button.setEnabled(not saving)

    def _saved(self, record: RecordDTO) -> None:
        if not isValid(self):
            return
        self._set_saving(False)
        self._record = record
        self.saved.emit(record)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self._set_saving(False)
        if isinstance(exc, ConflictError):
            self._show_conflict(exc)
        elif isinstance(exc, ValidationError):
            self._show_field_errors(exc.field_errors)
        else:
            self._show_message(error_text(exc))

    def _clear_errors(self) -> None:
        for label in self.error_labels.values():
            label.clear()
            label.hide()
        self.message_label.clear()
        self.message_label.hide()

    def _show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.show()

    def _show_field_errors(self, errors: Mapping[str, str]) -> None:
        others: list[str] = []
        first: QWidget | None = None
        for name, template in errors.items():
            message = service_text(ERRORS_CONTEXT, template)
            if name in self.error_labels:
                self.error_labels[name].setText(message)
                self.error_labels[name].show()
                first = first or self.editors[name]
            else:
                others.append(f"{self._label(name)}: {message}")
        if others:
            self._show_message("\n".join(others))
        if first is not None:
            first.setFocus()

    def _label(self, name: str) -> str:
        for spec in self._fields:
            if spec.name == name:
                return spec.label
        return field_label(name)

    # --- conflicts --------------------------------------------------------------------

    def _show_conflict(self, exc: ConflictError) -> None:
        labels = {spec.name: spec.label for spec in self._fields}
        dialog = ConflictDialog(exc, labels, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._merge(dialog, exc))
        dialog.rejected.connect(self._conflict_cancelled)
        self.conflict_dialog = dialog
        dialog.open()

    def _merge(self, dialog: ConflictDialog, exc: ConflictError) -> None:
        """Rebase the form on the other person's save, with the chosen values, and save."""
        merged = dialog.merged_values()
        self.conflict_dialog = None
        for conflict in exc.conflicts:
            if conflict.field in self._baseline:
                self._baseline[conflict.field] = conflict.theirs
                self.set_value(conflict.field, merged[conflict.field])
        self._version = exc.their_version
        self.save()

    def _conflict_cancelled(self) -> None:
        self.conflict_dialog = None
        self._show_message(self.tr(
            "Not saved: someone else changed this record. Your entries are still here; "
            "save again to compare them with the other person's."
        ))
