"""The advanced filter editor: all/any of conditions over the entity's schema fields.

Rows of field · operator · value are generated from the actor's schema (built-in and custom
fields; fields hidden from the actor's role are not in it, so they are never offered). The
value editor follows the field type and the operator: a text box, a number box, a date, a
choice among the field's options (built-in choices, dictionary items, users, departments),
a checked list for "is one of", two editors for "between", none for "is empty".
A contract's or an opportunity's derived "Product category" (``with_derived_fields``) is
offered too, picked from the category tree as "设备 / 数控机床" paths; the rule editor and the
flow designer's branch conditions offer it the same way.
Apply first asks the service to count the matching records, so any value the service refuses
is reported in the dialog and nothing typed is lost; only then does the list change.
Thread rule: GUI thread only (``load_filter_fields`` and ``with_derived_fields`` run off it);
service calls run through ``ui.ops.op``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.errors import PermissionDenied
from crm_desktop.services.org import departments, users
from crm_desktop.services.records import schema as schema_service
from crm_desktop.services.records.derived_fields import PRODUCT_CATEGORY
from crm_desktop.services.records.filters import (
    OP_LABELS,
    Condition,
    Filter,
    Op,
    ops_for,
)
from crm_desktop.services.records.schema import (
    DERIVED_FIELDS,
    NUMERIC_TYPES,
    EntitySchema,
    FieldSpec,
    FieldType,
)
from crm_desktop.services.sales import products as products_service
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import error_text, tr
from crm_desktop.ui.ops import op

#: Field types whose value is picked from a list of options.
OPTION_TYPES = frozenset({FieldType.SELECT, FieldType.MULTISELECT, FieldType.USER, FieldType.DEPARTMENT,
                          FieldType.BOOLEAN})
#: A datetime is filtered by whole days; "is" / "is not" an instant would never match.
DAY_OPS = frozenset({Op.GT, Op.GTE, Op.LT, Op.LTE, Op.BETWEEN, Op.EMPTY, Op.NOT_EMPTY})


@dataclass(frozen=True)
class FilterFields:
    """What the editor offers: the actor's schema and each option field's (value, label)s."""

    schema: EntitySchema
    options: dict[str, list[tuple[Any, str]]]


def field_text(spec: FieldSpec) -> str:
    """A field's label as the user reads it (built-in labels are translated, custom ones typed)."""
    return QCoreApplication.translate("fields", spec.label) if spec.builtin else spec.label


def load_filter_fields(ctx: AppContext, entity: str) -> FilterFields:
    """Read the schema and every option list the editor needs. Runs off the GUI thread."""
    db, actor = ctx.db, ctx.actor
    schema = schema_service.get_schema(db, actor, entity)
    options: dict[str, list[tuple[Any, str]]] = {}
    people: list[tuple[Any, str]] | None = None
    depts: list[tuple[Any, str]] | None = None
    for spec in schema.fields:
        if spec.type is FieldType.BOOLEAN:
            options[spec.name] = [(True, tr("Yes")), (False, tr("No"))]
        elif spec.type is FieldType.USER:
            if people is None:
                people = [(u.id, u.name) for u in users.list_users(db, actor)]
            options[spec.name] = people
        elif spec.type is FieldType.DEPARTMENT:
            if depts is None:
                depts = [(d.id, d.name) for d in departments.list_departments(db, actor)]
            options[spec.name] = depts
        elif spec.choices:
            options[spec.name] = [(v, QCoreApplication.translate("fields", label)) for v, label in spec.choices]
        elif spec.dictionary:
            items = schema_service.get_dictionary(db, actor, spec.dictionary)
            options[spec.name] = [(i.value, i.label) for i in items]
    return FilterFields(schema=schema, options=options)


def with_derived_fields(ctx: AppContext, fields: FilterFields) -> FilterFields:
    """``fields`` plus the entity's derived fields with their options: "Product category" of
    contracts and opportunities, offered as the category tree (paths, parents first).

    Only conditions and list filters may name a derived field, so this is kept apart from
    ``load_filter_fields`` (which also feeds form fields). Runs off the GUI thread (it reads
    the categories). Someone who may not see products is not offered the field.
    """
    entity = fields.schema.entity
    specs = tuple(s for s in DERIVED_FIELDS.get(entity, ()) if fields.schema.get(s.name) is None)
    if not specs:
        return fields
    options = dict(fields.options)
    offered = []
    for spec in specs:
        if spec.name != PRODUCT_CATEGORY:
            continue  # a derived field no editor has a picker for is not offered
        try:
            choices = products_service.category_choices(ctx.db, ctx.actor)
        except PermissionDenied:
            continue
        options[spec.name] = [(c.id, c.path) for c in choices]
        offered.append(spec)
    if not offered:
        return fields
    schema = EntitySchema(entity=entity, fields=fields.schema.fields + tuple(offered), access=fields.schema.access)
    return FilterFields(schema=schema, options=options)


def ops_offered(spec: FieldSpec) -> tuple[Op, ...]:
    ops = ops_for(spec)
    return tuple(o for o in ops if o in DAY_OPS) if spec.type is FieldType.DATETIME else ops


class ConditionRow(QWidget):
    """One condition: field, operator and the value editor(s) that fit them.

    Public for tests: ``field_combo``, ``op_combo``, ``editors`` (the current value widgets),
    ``remove_button``; ``condition()`` raises ValueError with a translated message.
    """

    removed = Signal(QWidget)

    def __init__(self, fields: FilterFields, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fields = fields
        self.field_combo = QComboBox()
        for spec in fields.schema.fields:
            if spec.type is not FieldType.ATTACHMENT:
                self.field_combo.addItem(field_text(spec), spec.name)
        self.op_combo = QComboBox()
        self.value_box = QHBoxLayout()
        self.value_box.setContentsMargins(0, 0, 0, 0)
        self.editors: list[QWidget] = []
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.clicked.connect(lambda: self.removed.emit(self))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.field_combo, 2)
        layout.addWidget(self.op_combo, 2)
        layout.addLayout(self.value_box, 4)
        layout.addWidget(self.remove_button)
        self.field_combo.currentIndexChanged.connect(self._field_changed)
        self.op_combo.currentIndexChanged.connect(self._op_changed)
        self._field_changed()

    @property
    def spec(self) -> FieldSpec:
        found = self._fields.schema.get(str(self.field_combo.currentData()))
        assert found is not None
        return found

    @property
    def op(self) -> Op:
        return Op(self.op_combo.currentData())

    def set_field(self, name: str) -> None:
        self.field_combo.setCurrentIndex(max(0, self.field_combo.findData(name)))

    def set_op(self, value: Op) -> None:
        index = self.op_combo.findData(value.value)
        if index >= 0:
            self.op_combo.setCurrentIndex(index)

    def _field_changed(self) -> None:
        self.op_combo.blockSignals(True)
        self.op_combo.clear()
        for o in ops_offered(self.spec):
            self.op_combo.addItem(QCoreApplication.translate("filters", OP_LABELS[o]), o.value)
        self.op_combo.blockSignals(False)
        self._op_changed()

    def _op_changed(self) -> None:
        for editor in self.editors:
            editor.deleteLater()
        self.editors = []
        if self.op_combo.currentData() is None or self.op in (Op.EMPTY, Op.NOT_EMPTY):
            return
        count = 2 if self.op is Op.BETWEEN else 1
        self.editors = [self._make_editor() for _ in range(count)]
        for editor in self.editors:
            self.value_box.addWidget(editor, 1)

    def _make_editor(self) -> QWidget:
        spec, options = self.spec, self._fields.options.get(self.spec.name)
        if options is not None and self.op is Op.IN:
            box = QListWidget()
            box.setFixedHeight(96)
            for value, label in options:
                item = QListWidgetItem(label)
                item.setData(Qt.ItemDataRole.UserRole, value)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                box.addItem(item)
            return box
        if options is not None:
            combo = QComboBox()
            for value, label in options:
                combo.addItem(label, value)
            return combo
        if spec.type in (FieldType.DATE, FieldType.DATETIME):
            date = QDateEdit(QDate.currentDate())
            date.setCalendarPopup(True)
            date.setDisplayFormat("yyyy-MM-dd")
            return date
        line = QLineEdit()
        if self.op is Op.IN:
            line.setPlaceholderText(self.tr("Values separated by commas"))
        elif spec.type in NUMERIC_TYPES:
            line.setPlaceholderText(self.tr("Number"))
        return line

    # --- reading and writing the condition --------------------------------------------

    def condition(self) -> Condition:
        """The condition as typed; raises ValueError (translated message) for a bad value."""
        spec, o = self.spec, self.op
        values = [self._read(editor) for editor in self.editors]
        if o in (Op.EMPTY, Op.NOT_EMPTY):
            return Condition(spec.name, o)
        if o is Op.IN:
            chosen = values[0]
            if not chosen:
                raise ValueError(self.tr("Choose or type at least one value."))
            return Condition(spec.name, o, chosen)
        if any(v in (None, "") for v in values):
            raise ValueError(self.tr("Enter a value."))
        if spec.type is FieldType.DATETIME:
            return _day_condition(spec.name, o, values)
        return Condition(spec.name, o, values if o is Op.BETWEEN else values[0])

    def _read(self, editor: QWidget) -> Any:
        spec = self.spec
        if isinstance(editor, QListWidget):
            return [editor.item(i).data(Qt.ItemDataRole.UserRole) for i in range(editor.count())
                    if editor.item(i).checkState() == Qt.CheckState.Checked]
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, QDateEdit):
            return editor.date().toPython()
        assert isinstance(editor, QLineEdit)
        text = editor.text().strip()
        if self.op is Op.IN:
            parts = [p.strip() for p in text.replace("，", ",").split(",") if p.strip()]
            return [self._checked(spec, p) for p in parts]
        return self._checked(spec, text) if text else ""

    @staticmethod
    def _checked(spec: FieldSpec, text: str) -> Any:
        if spec.type not in NUMERIC_TYPES:
            return text
        try:
            return schema_service.coerce(spec, text)
        except ValueError:
            raise ValueError(QCoreApplication.translate(
                "ConditionRow", "“{value}” is not a number.").format(value=text)) from None

    def set_condition(self, cond: Condition) -> None:
        self.set_field(cond.field)
        self.set_op(cond.op)
        values = cond.value if cond.op is Op.BETWEEN and isinstance(cond.value, (list, tuple)) else [cond.value]
        if self.spec.type is FieldType.DATETIME:
            values = [_as_day(v) for v in values]
        for editor, value in zip(self.editors, values, strict=False):
            _write(editor, value)


def _write(editor: QWidget, value: Any) -> None:
    if isinstance(editor, QListWidget):
        chosen = {str(v) for v in (value if isinstance(value, (list, tuple)) else [value])}
        for i in range(editor.count()):
            item = editor.item(i)
            checked = str(item.data(Qt.ItemDataRole.UserRole)) in chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
    elif isinstance(editor, QComboBox):
        index = next((i for i in range(editor.count()) if str(editor.itemData(i)) == str(value)), -1)
        editor.setCurrentIndex(max(index, 0))
    elif isinstance(editor, QDateEdit):
        day = value if isinstance(value, dt.date) else _as_day(value)
        if day is not None:
            editor.setDate(QDate(day.year, day.month, day.day))
    elif isinstance(editor, QLineEdit):
        editor.setText(", ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value or ""))


def _as_day(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return (parsed.astimezone() if parsed.tzinfo else parsed).date()


def _day_condition(name: str, o: Op, days: list[Any]) -> Condition:
    """Whole local days as instants: "after 5 May" starts when 5 May ends."""
    def start(day: dt.date) -> str:
        return dt.datetime.combine(day, dt.time()).astimezone().isoformat()

    def end(day: dt.date) -> str:
        return dt.datetime.combine(day, dt.time(23, 59, 59)).astimezone().isoformat()

    if o is Op.BETWEEN:
        return Condition(name, o, [start(days[0]), end(days[1])])
    return Condition(name, o, end(days[0]) if o in (Op.GT, Op.LTE) else start(days[0]))


class FilterEditor(QDialog):
    """The non-modal advanced filter dialog of one list.

    ``check(filter)`` runs off the GUI thread and raises what the service refuses; after it
    passes, ``applied(filter)`` is emitted and the dialog closes. Public for tests:
    ``match_combo``, ``rows``, ``add_button``, ``apply_button``, ``message_label``, ``ready``.
    """

    applied = Signal(object)

    def __init__(
        self, ctx: AppContext, entity: str, current: Filter, *, check: Callable[[Filter], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Filter"))
        self._ctx, self._check, self._current = ctx, check, current
        self._fields: FilterFields | None = None
        self.rows: list[ConditionRow] = []
        self.ready = False
        self.match_combo = QComboBox()
        self.match_combo.addItem(self.tr("Match all conditions"), "all")
        self.match_combo.addItem(self.tr("Match any condition"), "any")
        self.match_combo.setCurrentIndex(1 if current.match == "any" else 0)
        self._rows_box = QVBoxLayout()
        self._rows_box.addStretch(1)
        holder = QWidget()
        holder.setLayout(self._rows_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        self.add_button = QPushButton(self.tr("Add condition"))
        self.add_button.setEnabled(False)
        self.add_button.clicked.connect(lambda: self.add_row())
        self.message_label = QLabel(self.tr("Loading…"))
        self.message_label.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.apply_button = buttons.addButton(self.tr("Apply"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setEnabled(False)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.match_combo)
        top.addStretch(1)
        top.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message_label)
        layout.addWidget(buttons)
        self.resize(760, 360)
        op(self, lambda: with_derived_fields(ctx, load_filter_fields(ctx, entity))).success(
            self._loaded).failure(self._failed).run()

    def _loaded(self, fields: FilterFields) -> None:
        if not isValid(self):
            return
        self._fields = fields
        for cond in self._current.conditions:
            if fields.schema.get(cond.field) is not None:
                self.add_row().set_condition(cond)
        if not self.rows:
            self.add_row()
        self.message_label.clear()
        self.add_button.setEnabled(True)
        self.apply_button.setEnabled(True)
        self.ready = True

    def _failed(self, exc: BaseException) -> None:
        if isValid(self):
            self.message_label.setText(error_text(exc))
            self.apply_button.setEnabled(bool(self.rows))

    def add_row(self) -> ConditionRow:
        assert self._fields is not None, "rows are added once the fields are loaded"
        row = ConditionRow(self._fields)
        row.removed.connect(self._remove_row)
        self._rows_box.insertWidget(len(self.rows), row)
        self.rows.append(row)
        return row

    def _remove_row(self, row: QWidget) -> None:
        if row in self.rows:
            self.rows.remove(row)  # type: ignore[arg-type]
            row.deleteLater()

    def current_filter(self) -> Filter:
        """The filter as typed; raises ValueError naming the row with a bad value."""
        conditions = []
        for number, row in enumerate(self.rows, start=1):
            try:
                conditions.append(row.condition())
            except ValueError as exc:
                raise ValueError(self.tr("Condition {n}: {message}").format(n=number, message=str(exc))) from None
        return Filter(conditions=tuple(conditions), match=str(self.match_combo.currentData()))

    def apply(self) -> None:
        try:
            flt = self.current_filter()
        except ValueError as exc:
            self.message_label.setText(str(exc))
            return
        self.message_label.setText(self.tr("Checking…"))
        self.apply_button.setEnabled(False)

        def passed(_result: object) -> None:
            if isValid(self):
                self.apply_button.setEnabled(True)
                self.message_label.clear()
                self.applied.emit(flt)
                self.accept()

        def refused(exc: BaseException) -> None:
            if isValid(self):
                self.apply_button.setEnabled(True)
                self.message_label.setText(error_text(exc))

        check = self._check
        op(self, lambda: check(flt)).success(passed).failure(refused).run()
