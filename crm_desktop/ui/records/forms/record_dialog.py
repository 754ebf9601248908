"""The form of one record, generated from the field schema (without one: from its form fields).

With an ``EntitySchema`` the form shows every visible field a user fills in: built-ins in the
order of the given ``fields`` (``layout.form_fields`` of the entity's view spec), then the
other built-ins, then custom fields in schema order; one editor per field type
(``shared.field_editors``), required fields marked "*", help text under the field, read-only
fields disabled, defaults filled on new records. ``open_record_form`` opens it after one
background read; ``open.open_form`` is what list tabs and detail windows call. Leads and customers pass the duplicate-claim
check (撞单, ``duplicate_dialog``) before a new record or a changed name/phone/e-mail is saved.

New records are saved with ``service.create``; existing ones with ``service.update`` giving
the version the form was loaded at and only the fields the user changed. Field errors from
the service appear under their fields. When someone else saved the record meanwhile, the
conflict dialog lets the user merge; cancelling it leaves every typed value in the form.
Thread rule: GUI thread only; service calls run through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.errors import CONTEXT as ERRORS_CONTEXT
from crm_desktop.services.errors import ConflictError, ValidationError
from crm_desktop.services.records import duplicates
from crm_desktop.services.records.records import RecordDTO, RecordService
from crm_desktop.services.records.schema import (
    BUILTIN_FIELDS,
    EntitySchema,
    FieldSpec,
    get_schema,
)
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.dirty import GuardedDialog
from crm_desktop.ui.i18n import error_text, field_label, service_text
from crm_desktop.ui.live import FormWatch
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.forms.conflict_dialog import ConflictDialog
from crm_desktop.ui.records.forms.duplicate_dialog import DuplicateDialog, checked_save
from crm_desktop.ui.records.forms.layout import FormField
from crm_desktop.ui.records.forms.pickers import read_first
from crm_desktop.ui.records.shared.field_editors import (
    EditorOptions,
    FieldEditor,
    load_editor_options,
    make_editor,
)
from crm_desktop.ui.records.shared.list_model import format_value

ERROR_STYLE = "color: #c0392b;"
HELP_STYLE = "color: #777;"


def _make_editor(spec: FormField) -> QWidget:
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


def _note(text: str, style: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(style)
    label.setWordWrap(True)
    return label


@dataclass(frozen=True)
class _Row:
    """One row of the form as built: what the label, editor and save logic need."""

    name: str
    label: str
    required: bool
    help_text: str
    read_only: bool
    #: The caller's form field when it decides the editor (a form without a schema, a reference picker).
    legacy: FormField | None
    schema: FieldSpec | None
    default: Any = None


def _schema_rows(
    fields: Sequence[FormField], schema: EntitySchema, *, editing: bool, create_only: Collection[str]
) -> list[_Row]:
    """The schema's fields a user fills in, in form order (see the module docstring)."""
    given = {f.name: f for f in fields}
    fillable = [s for s in schema.fields if not s.system]
    by_name = {s.name: s for s in fillable}
    builtins = [by_name[f.name] for f in fields if f.name in by_name and by_name[f.name].builtin]
    # A reference to another record (customer_id) needs a picker only the caller can fill:
    # without one in ``fields`` it stays out of the form.
    builtins += [s for s in fillable if s.builtin and s.name not in given and not s.name.endswith("_id")]
    rows: list[_Row] = []
    for spec in builtins + [s for s in fillable if not s.builtin]:
        legacy = given.get(spec.name)
        # The caller's own picker wins only where the schema has no options (customer_id).
        picker = legacy if legacy and legacy.kind == "choice" and legacy.options and not (
            spec.choices or spec.dictionary) else None
        label = legacy.label if legacy else (
            QCoreApplication.translate("fields", spec.label) if spec.builtin else spec.label)
        read_only = not schema.can_edit(spec.name) or (editing and spec.name in create_only)
        rows.append(_Row(spec.name, label, spec.required or bool(legacy and legacy.required),
                         spec.help_text, read_only, picker, spec, spec.default))
    return rows


class RecordDialog(GuardedDialog):
    """Create (``record=None``) or edit one record of ``service``.

    With ``schema`` the form is generated from it (``options`` holds the users, departments
    and dictionary items the editors list; ``create_only`` names fields that are read-only
    once the record exists); without it, from ``fields`` alone as before.
    Emits ``saved(RecordDTO)`` and closes after a successful save; closing it with typed input
    asks first (``GuardedDialog``). Public for tests:
    ``editors``, ``error_labels``, ``help_labels``, ``field_labels``, ``message_label``,
    ``save_button``, ``conflict_dialog`` and ``duplicate_dialog`` (the open one, if any),
    ``set_value``/``value``/``field_error``, ``save()``.
    """

    saved = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        service: RecordService[Any],
        fields: Sequence[FormField],
        *,
        record: RecordDTO | None = None,
        title: str = "",
        parent: QWidget | None = None,
        schema: EntitySchema | None = None,
        options: EditorOptions | None = None,
        create_only: Collection[str] = (),
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._service = service
        self._fields = tuple(fields)
        self._schema = schema
        self._record = record
        self._version = record.version if record else 0
        if schema is not None:
            self._rows = _schema_rows(self._fields, schema, editing=record is not None, create_only=create_only)
        else:
            self._rows = [_Row(f.name, f.label, f.required, "", False, f, None) for f in self._fields]
        #: What the form started from (as its editors read it); only fields that differ are saved.
        self._baseline: dict[str, Any] = {}
        self._saving = False
        self._skip_duplicate_check = False
        self.conflict_dialog: ConflictDialog | None = None
        self.duplicate_dialog: DuplicateDialog | None = None
        self.setWindowTitle(title)
        self.editors: dict[str, QWidget] = {}
        self.error_labels: dict[str, QLabel] = {}
        self.help_labels: dict[str, QLabel] = {}
        self.field_labels: dict[str, QLabel] = {}

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        for row in self._rows:
            editor: QWidget = (_make_editor(row.legacy) if row.legacy is not None or row.schema is None
                               else make_editor(row.schema, options))
            error = _note("", ERROR_STYLE)
            error.hide()
            cell = QWidget()
            box = QVBoxLayout(cell)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(2)
            box.addWidget(editor)
            if row.help_text:
                help_label = _note(row.help_text, HELP_STYLE)
                box.addWidget(help_label)
                editor.setToolTip(row.help_text)
                self.help_labels[row.name] = help_label
            box.addWidget(error)
            label = QLabel(f"{row.label} *" if row.required else row.label)
            label.setBuddy(editor)
            form.addRow(label, cell)
            if row.read_only:
                if isinstance(editor, FieldEditor):
                    editor.set_read_only(True)
                else:
                    editor.setEnabled(False)
                label.setToolTip(self.tr("You may view this field but not change it."))
            self.editors[row.name] = editor
            self.error_labels[row.name] = error
            self.field_labels[row.name] = label
            stored = row.default if record is None else (
                record.values[row.name] if row.name in record.values else record.custom.get(row.name))
            self.set_value(row.name, stored)
            self._baseline[row.name] = self.value(row.name)

        self.info_label = QLabel()
        self.info_label.setStyleSheet("color: #666;")
        if record is not None:
            self.info_label.setText(self.tr("Owner: {owner} · Last saved {time}").format(
                owner=record.owner_name, time=format_value(record.updated_at)))
        else:
            self.info_label.hide()
        self.message_label = _note("", ERROR_STYLE)
        self.message_label.hide()

        buttons = QDialogButtonBox()
        self.save_button: QPushButton = buttons.addButton(QDialogButtonBox.StandardButton.Save)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        body = QWidget()
        column = QVBoxLayout(body)  # the stretch keeps spare height below the rows, not inside them
        column.addLayout(form)
        column.addStretch(1)
        scroll = QScrollArea()  # a module with many custom fields must still fit the screen
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        #: Other people's saves and editing windows of this record (issue 17; edits only).
        self.live_watch = FormWatch(self, ctx, service, record.id) if record is not None else None
        if self.live_watch is not None:
            layout.addWidget(self.live_watch.presence)
            layout.addWidget(self.live_watch.banner)
        layout.addWidget(self.info_label)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message_label)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self.resize(560, min(140 + 48 * len(self._rows), 700))  # fits a 1366×768 screen

    @property
    def record(self) -> RecordDTO | None:
        return self._record

    @property
    def version(self) -> int:
        """The version of the record the form's values are based on (sent with the save)."""
        return self._version

    def has_changes(self) -> bool:
        """The user typed something that differs from what the form was loaded with."""
        return bool(self._changes())

    def is_saving(self) -> bool:
        return self._saving

    def load_record(self, record: RecordDTO) -> None:
        """Show ``record`` (a newer version of the same record) as if the form had opened on
        it: what was typed is replaced, so callers ask the user first (``FormWatch``)."""
        self._record = record
        self._version = record.version
        for row in self._rows:
            stored = record.values[row.name] if row.name in record.values else record.custom.get(row.name)
            self.set_value(row.name, stored)
            self._baseline[row.name] = self.value(row.name)
        self.info_label.setText(self.tr("Owner: {owner} · Last saved {time}").format(
            owner=record.owner_name, time=format_value(record.updated_at)))
        self.mark_clean()

    # --- field access -----------------------------------------------------------------

    def value(self, name: str) -> Any:
        editor = self.editors[name]
        if isinstance(editor, FieldEditor):
            return editor.value()
        if isinstance(editor, QLineEdit):
            return editor.text()
        if isinstance(editor, QPlainTextEdit):
            return editor.toPlainText()
        if isinstance(editor, QComboBox):
            return editor.currentData()
        raise TypeError(type(editor))

    def set_value(self, name: str, value: Any) -> None:
        editor = self.editors[name]
        if isinstance(editor, FieldEditor):
            editor.set_value(value)
            return
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

    def _clean(self, row: _Row, value: Any) -> Any:
        # Stray spaces around a typed line are never meant; keep inner ones.
        single_line = (row.legacy is not None and row.legacy.kind == "text") or (
            row.legacy is None and row.schema is not None and isinstance(value, str)
            and row.schema.type.value in ("text", "phone", "email", "url", "region"))
        return value.strip() if single_line and isinstance(value, str) else value

    def _changes(self) -> dict[str, Any]:
        return {
            row.name: self._clean(row, current) for row in self._rows
            if not row.read_only and (current := self.value(row.name)) != self._baseline[row.name]
        }

    def _all_values(self) -> dict[str, Any]:
        return {row.name: self._clean(row, self.value(row.name)) for row in self._rows if not row.read_only}

    # --- saving -----------------------------------------------------------------------

    def save(self) -> None:
        """Validate and save through the service; the dialog closes when it succeeded.

        Leads and customers are checked for duplicates first (unless the user just chose
        "Save anyway"): the check and the save run in one background write.
        """
        if self._saving:
            return
        self._clear_errors()
        db, actor, service = self._ctx.db, self._ctx.actor, self._service
        if self._record is None:
            values, exclude = self._all_values(), None
            save: Callable[[], Any] = lambda: service.create(db, actor, values)  # noqa: E731
        else:
            values = self._changes()
            if not values:
                self.accept()
                return
            record_id, version = self._record.id, self._version
            exclude = record_id
            save = lambda: service.update(  # noqa: E731
                db, actor, record_id, expected_version=version, changes=values
            )
        if not self._skip_duplicate_check:
            save = checked_save(db, actor, entity=getattr(service, "module", ""), values=values,
                                exclude_id=exclude, save=save)
        self._skip_duplicate_check = False
        self._set_saving(True)
        op(self, save, write=True).success(self._saved).failure(self._failed).run()

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.save_button.setEnabled(not saving)

    def _saved(self, result: RecordDTO | list[duplicates.DuplicateCandidate]) -> None:
        if not isValid(self):
            return
        self._set_saving(False)
        if isinstance(result, list):
            self._show_duplicates(result, blocked=False)
            return
        self._record = result
        self.saved.emit(result)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self._set_saving(False)
        if isinstance(exc, duplicates.DuplicateFound):
            self._show_duplicates(exc.candidates, blocked=True)
        elif isinstance(exc, ConflictError):
            self._show_conflict(exc)
        elif isinstance(exc, ValidationError):
            self._show_field_errors(exc.field_errors)
        else:
            self._show_message(error_text(exc))

    # --- duplicate claims -------------------------------------------------------------

    def _show_duplicates(self, candidates: Sequence[duplicates.DuplicateCandidate], *, blocked: bool) -> None:
        self.duplicate_dialog = DuplicateDialog.open_for(
            self, candidates, blocked=blocked, labels={row.name: row.label for row in self._rows},
            on_save_anyway=self._save_anyway, on_back=lambda: self._duplicate_back(blocked))

    def _save_anyway(self) -> None:
        self.duplicate_dialog = None
        self._skip_duplicate_check = True
        self.save()

    def _duplicate_back(self, blocked: bool) -> None:
        self.duplicate_dialog = None
        if blocked:
            self._show_message(self.tr("Not saved: this may be a duplicate. Your entries are still here."))
        else:
            self._show_message(self.tr("Not saved yet. Your entries are still here; save again when you are sure."))

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
        return next((row.label for row in self._rows if row.name == name), None) or field_label(name)

    # --- conflicts --------------------------------------------------------------------

    def _show_conflict(self, exc: ConflictError) -> None:
        self.conflict_dialog = ConflictDialog.open_for(
            self, exc, {row.name: row.label for row in self._rows},
            on_merge=lambda merged: self._merge(merged, exc), on_cancel=self._conflict_cancelled)

    def _merge(self, merged: Mapping[str, Any], exc: ConflictError) -> None:
        """Rebase the form on the other person's save, with the chosen values, and save."""
        self.conflict_dialog = None
        for conflict in exc.conflicts:
            if conflict.field in self._baseline:
                # The baseline is "theirs" as this form's editor reads it, so an unchanged
                # choice of theirs is not sent again.
                self.set_value(conflict.field, conflict.theirs)
                self._baseline[conflict.field] = self.value(conflict.field)
                self.set_value(conflict.field, merged[conflict.field])
        self._version = exc.their_version
        self.save()

    def _conflict_cancelled(self) -> None:
        self.conflict_dialog = None
        self._show_message(self.tr("Not saved: someone else changed this record. Your entries are still here; "
                                   "save again to compare them with the other person's."))


# --- the one entry point --------------------------------------------------------------------

def open_record_form(
    ctx: AppContext,
    service: RecordService[Any],
    fields: Sequence[FormField],
    *,
    record_id: int | None,
    title: str,
    parent: QWidget,
    on_saved: Callable[[RecordDTO], None] | None = None,
    on_opened: Callable[[RecordDialog], None] | None = None,
    on_failed: Callable[[BaseException], None] | None = None,
    dialog_class: type[RecordDialog] = RecordDialog,
    create_only: Collection[str] = (),
) -> None:
    """Open the schema-generated form for a new record (``record_id=None``) or an existing one.

    One background read loads the actor's schema of ``service.module``, a fresh copy of the record
    (a list may be stale) and the editors' option lists; then ``dialog_class`` (RecordDialog or a
    subclass such as ContactDialog) is built with ``fields`` giving order and labels of built-ins,
    set to delete itself on close and ``.open()``-ed. The dialog is stored in
    ``parent.record_dialog`` when the parent has that attribute, and passed to ``on_opened``.
    ``on_saved(record)`` runs after each successful save; a failed read goes to ``on_failed``
    (default: the op runner's message box). Returns at once. GUI thread only.
    """
    db, actor = ctx.db, ctx.actor
    module = getattr(service, "module", "")

    def load() -> tuple[EntitySchema | None, RecordDTO | None, EditorOptions]:
        schema = get_schema(db, actor, module) if module in BUILTIN_FIELDS else None
        record = service.get(db, actor, record_id) if record_id is not None else None
        options = load_editor_options(db, actor, schema) if schema is not None else EditorOptions()
        return schema, record, options

    def build(loaded: tuple[EntitySchema | None, RecordDTO | None, EditorOptions]) -> None:
        if not isValid(parent):
            return
        schema, record, options = loaded
        dialog = dialog_class(ctx, service, fields, record=record, title=title, parent=parent,
                              schema=schema, options=options, create_only=create_only)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if on_saved is not None:
            dialog.saved.connect(on_saved)
        if hasattr(parent, "record_dialog"):
            parent.record_dialog = dialog  # type: ignore[attr-defined]
        if on_opened is not None:
            on_opened(dialog)
        dialog.open()

    read_first(parent, load, build, on_failed)
