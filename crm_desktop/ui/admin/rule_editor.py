"""The rule editor dialog: name, event, condition and the ordered actions of one trigger rule.

The condition is edited with ``condition_editor.ConditionEditor`` (the list filter's own
condition rows, because a rule's condition is made of the same Filter JSON:
``{"match": "all"|"any", "groups": [Filter JSON, ...]}``). Every field also appears as
"… (before the change)" (``before:name``), which is how a rule compares old and new values.
Events come from the engine (``EVENTS``), action types from the actions module; what this
editor does not know is shown read-only and saved unchanged.

The dialog loads its field lists in the background and is usable once ``ready`` is True. A
save runs through ``FormDialog`` (a background write); the service's errors appear beside
the row they concern and the dialog stays open with everything typed.
Thread rule: GUI thread only.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.automation import engine
from crm_desktop.services.errors import CONTEXT, ValidationError
from crm_desktop.services.records.schema import EntitySchema, FieldType
from crm_desktop.services.workflow import automation
from crm_desktop.services.workflow.automation import RuleDTO, RuleInput
from crm_desktop.services.workflow.conditions import BEFORE
from crm_desktop.ui.admin.condition_editor import ConditionEditor
from crm_desktop.ui.admin.custom_fields import entity_label
from crm_desktop.ui.admin.editor_parts import (
    CardColumn,
    card_buttons,
    choose_data,
    scrolled,
)
from crm_desktop.ui.admin.rule_actions import (
    ActionEditor,
    addable_kinds,
    make_action_editor,
)
from crm_desktop.ui.admin.rule_data import (
    RuleEditorData,
    action_title,
    json_safe,
    load_editor_data,
)
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import FormDialog, alive
from crm_desktop.ui.i18n import error_text, service_text
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.shared.field_editors import FieldEditor, make_editor
from crm_desktop.ui.records.shared.filter_editor import FilterFields, field_text


def event_label(event: str) -> str:
    labels = automation.EVENT_LABELS
    return QCoreApplication.translate("automation", labels[event]) if event in labels else event


#: Whether this version's rules have a date event (date field and days offset).
DATE_RULES = any(f.name == "date_field" for f in dataclasses.fields(RuleInput))


def field_events() -> tuple[str, ...]:
    """Events that name a field and may give from / to values (read from the engine)."""
    return tuple(getattr(engine, "FIELD_EVENTS", ("field_changed",)))


def events_for(entity: str) -> list[str]:
    """The engine's events that can happen to ``entity``."""
    limits = getattr(automation, "EVENT_ENTITIES", {})
    return [e for e in engine.EVENTS if entity in limits.get(e, (entity,))]


def with_before_fields(fields: FilterFields, followup: FilterFields | None = None) -> FilterFields:
    """The fields plus a "(before the change)" twin of each (``before:name``) and, for
    entities with follow-ups, the new follow-up's fields (``followup.name``). A derived field
    (product category) has no twin: what it was before a change is not kept."""
    extra = []
    for spec in fields.schema.fields:
        if spec.type is FieldType.ATTACHMENT or spec.derived:
            continue
        label = QCoreApplication.translate("RuleEditorDialog", "{field} (before the change)").format(
            field=field_text(spec))
        extra.append(dataclasses.replace(spec, name=BEFORE + spec.name, label=label, builtin=False))
    options = dict(fields.options) | {BEFORE + k: v for k, v in fields.options.items()}
    prefix = getattr(engine, "FOLLOWUP_PREFIX", "followup.")
    for spec in followup.schema.fields if followup is not None else ():
        if spec.type is FieldType.ATTACHMENT:
            continue
        label = QCoreApplication.translate("RuleEditorDialog", "Follow-up: {field}").format(field=field_text(spec))
        extra.append(dataclasses.replace(spec, name=prefix + spec.name, label=label, builtin=False))
        if spec.name in followup.options:
            options[prefix + spec.name] = followup.options[spec.name]
    schema = EntitySchema(entity=fields.schema.entity, fields=fields.schema.fields + tuple(extra),
                          access=fields.schema.access)
    return FilterFields(schema=schema, options=options)


# --- the actions ---------------------------------------------------------------------------

class ActionCard(QFrame):
    """One action: its number and type, move/remove buttons, and its editor."""

    def __init__(self, editor: ActionEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.editor = editor
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: 600;")
        self.up_button, self.down_button, self.remove_button = card_buttons(
            self.tr("Move up"), self.tr("Move down"), self.tr("Remove"))
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        for button in (self.up_button, self.down_button, self.remove_button):
            top.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.addLayout(top)
        layout.addWidget(editor)

    def set_number(self, number: int, count: int) -> None:
        kind = self.editor.kind or str(self.editor.action().get("type"))
        self.title.setText(f"{number}. {action_title(kind)}")
        self.up_button.setEnabled(number > 1)
        self.down_button.setEnabled(number < count)


class ActionList(QWidget):
    """The ordered actions: add (by type), remove, move up/down."""

    def __init__(self, data: RuleEditorData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data = data
        self.kind_combo = QComboBox()
        for kind in addable_kinds():
            self.kind_combo.addItem(action_title(kind), kind)
        self.add_button = QPushButton(self.tr("Add action"))
        self.add_button.clicked.connect(lambda: self.add_action({"type": self.kind_combo.currentData()}))
        cards_box = QVBoxLayout()
        cards_box.setContentsMargins(0, 0, 0, 0)
        self._cards: CardColumn[ActionCard] = CardColumn(cards_box)
        add_row = QHBoxLayout()
        add_row.addWidget(self.kind_combo)
        add_row.addWidget(self.add_button)
        add_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(cards_box)
        layout.addLayout(add_row)
        layout.addStretch(1)

    @property
    def cards(self) -> list[ActionCard]:
        return self._cards.items

    def add_action(self, action: Mapping[str, Any]) -> ActionCard:
        return self._cards.add(ActionCard(make_action_editor(self._data, action)))

    def remove(self, card: ActionCard) -> None:
        self._cards.remove(card)

    def move(self, card: ActionCard, step: int) -> None:
        self._cards.move(card, step)

    def actions(self) -> tuple[dict[str, Any], ...]:
        """Raises ValueError (translated, naming the action) for incomplete input."""
        result = []
        for number, card in enumerate(self.cards, start=1):
            try:
                result.append(card.editor.action())
            except ValueError as exc:
                raise ValueError(self.tr("Action {n}: {message}").format(n=number, message=str(exc))) from None
        return tuple(result)


# --- the dialog ---------------------------------------------------------------------------

class RuleEditorDialog(FormDialog):
    """New rule (of ``entity``) or edit ``rule``; emits ``saved(RuleDTO)``.

    Public for tests: ``name_edit``, ``event_combo``, ``field_combo``, ``from_any``/``to_any``
    and ``from_editor``/``to_editor``, ``enabled_box``, ``conditions`` (ConditionEditor),
    ``action_list`` (ActionList), ``ready``.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None, *, entity: str, rule: RuleDTO | None = None) -> None:
        super().__init__(parent, title=self.tr("Edit rule") if rule else self.tr("New rule"))
        self.ctx, self.entity, self.rule = ctx, rule.entity if rule else entity, rule
        self.ready = False
        self.data: RuleEditorData | None = None
        #: What the condition may name: the entity's fields and its derived ones (product category).
        self.condition_fields: FilterFields | None = None
        self.conditions: ConditionEditor | None = None
        self.action_list: ActionList | None = None
        self.name_edit = QLineEdit(rule.name if rule else "")
        self.name_edit.setMaxLength(100)
        self.entity_label = QLabel(entity_label(self.entity))
        self.event_combo = QComboBox()
        for event in events_for(self.entity):
            self.event_combo.addItem(event_label(event), event)
        if rule is not None:
            choose_data(self.event_combo, rule.event)
        self.field_combo = QComboBox()
        self.from_any, self.to_any = QCheckBox(self.tr("Any value")), QCheckBox(self.tr("Any value"))
        self.from_editor: FieldEditor | None = None
        self.to_editor: FieldEditor | None = None
        self._from_holder, self._from_cell = self._value_cell(self.from_any)
        self._to_holder, self._to_cell = self._value_cell(self.to_any)
        self.date_combo = QComboBox()
        self.offset_box = QSpinBox()
        self.offset_box.setRange(-3650, 3650)
        self.offset_box.setSuffix(self.tr(" days"))
        self.offset_box.setToolTip(self.tr("Days after the date; a negative number means before it."))
        if rule is not None:
            self.offset_box.setValue(int(getattr(rule, "offset_days", 0) or 0))
        self.enabled_box = QCheckBox(self.tr("The rule runs"))
        self.enabled_box.setChecked(rule.enabled if rule else True)
        self._condition_widget, self._condition_holder = self._holder()
        self._actions_widget, self._actions_holder = self._holder()
        self.loading_label = QLabel(self.tr("Loading…"))

        self.add_row("name", self.tr("Name:"), self.name_edit)
        self.add_row("entity", self.tr("Records:"), self.entity_label)
        self.add_row("event", self.tr("When:"), self.event_combo)
        self.add_row("field", self.tr("Field:"), self.field_combo)
        self.add_row("from_value", self.tr("Changed from:"), self._from_holder)
        self.add_row("to_value", self.tr("Changed to:"), self._to_holder)
        self.add_row("date_field", self.tr("Date field:"), self.date_combo)
        self.add_row("offset_days", self.tr("Runs at:"), self.offset_box)
        self.add_row("condition", self.tr("If:"), self._condition_widget)
        self.add_row("actions", self.tr("Then:"), self._actions_widget)
        self.add_row("enabled", self.tr("Enabled:"), self.enabled_box)
        self.form.addRow("", self.loading_label)
        self.event_combo.currentIndexChanged.connect(self._event_changed)
        self.field_combo.currentIndexChanged.connect(self._field_changed)
        self.from_any.toggled.connect(self._sync_any)
        self.to_any.toggled.connect(self._sync_any)
        self.buttons.setEnabled(False)
        self._sync_event_rows()
        self.resize(940, 700)  # fits a 1366×768 screen (the layout check holds it to that)
        entity = self.entity
        op(self, lambda: load_editor_data(ctx, entity)).success(self._loaded).failure(self._load_failed).run()

    @staticmethod
    def _value_cell(any_box: QCheckBox) -> tuple[QWidget, QHBoxLayout]:
        holder = QWidget()
        cell = QHBoxLayout(holder)
        cell.setContentsMargins(0, 0, 0, 0)
        cell.addWidget(any_box)
        any_box.setChecked(True)
        return holder, cell

    @staticmethod
    def _holder() -> tuple[QWidget, QVBoxLayout]:
        holder = QWidget()
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 0, 0, 0)
        return holder, box

    # -- loading -----------------------------------------------------------------------------

    def _loaded(self, data: RuleEditorData) -> None:
        if not isValid(self):
            return
        self.condition_fields = data.named_fields
        self.data = data
        rule = self.rule
        self._fill_field_combo(rule.field if rule else None)
        for spec in data.schema.fields:
            if spec.type in (FieldType.DATE, FieldType.DATETIME):
                self.date_combo.addItem(field_text(spec), spec.name)
        date_field = getattr(rule, "date_field", None)
        if date_field:
            choose_data(self.date_combo, date_field)
        if rule is not None and rule.event in field_events():
            self._set_change_value(self.from_any, self.from_editor, rule.from_value)
            self._set_change_value(self.to_any, self.to_editor, rule.to_value)

        self.conditions = ConditionEditor(with_before_fields(self.condition_fields, data.followup))
        self.conditions.set_condition(rule.condition if rule else None)
        self._condition_holder.addWidget(scrolled(self.conditions, min_height=130))
        self.action_list = ActionList(data)
        for action in rule.actions if rule else ():
            self.action_list.add_action(action)
        self._actions_holder.addWidget(scrolled(self.action_list, min_height=400))
        self.loading_label.hide()
        self.buttons.setEnabled(True)
        self.ready = True
        # What was read in is not typed input (the name typed meanwhile still counts).
        self.mark_clean(self.field_combo, self.date_combo, self._from_holder, self._to_holder,
                        self._condition_widget, self._actions_widget)

    def _load_failed(self, exc: BaseException) -> None:
        if isValid(self):
            self.loading_label.setText(error_text(exc))

    # -- the event rows ----------------------------------------------------------------------

    def _event_changed(self) -> None:
        self._sync_event_rows()
        if self.data is not None:
            self._fill_field_combo(self.field_combo.currentData())

    def _sync_event_rows(self) -> None:
        event = self.event_combo.currentData()
        changed = event in field_events()
        for cell in (self.field_combo, self._from_holder, self._to_holder):
            self.form.setRowVisible(cell.parentWidget(), changed)
        for widget in (self.date_combo, self.offset_box):
            self.form.setRowVisible(widget.parentWidget(), event == "date_reached" and DATE_RULES)

    def _fill_field_combo(self, keep: Any) -> None:
        """The fields a field event may watch: a status event only the entity's status fields."""
        assert self.data is not None
        statuses = getattr(engine, "STATUS_FIELDS", {}).get(self.entity, ())
        only = statuses if self.event_combo.currentData() == "status_changed" and statuses else None
        self.field_combo.blockSignals(True)
        self.field_combo.clear()
        for spec in self.data.schema.fields:
            if spec.type is not FieldType.ATTACHMENT and not spec.derived and (only is None or spec.name in only):
                self.field_combo.addItem(field_text(spec), spec.name)
        if keep:
            choose_data(self.field_combo, keep)
        self.field_combo.blockSignals(False)
        self._field_changed()

    def _field_changed(self) -> None:
        """The from/to editors follow the chosen field's type."""
        if self.data is None:
            return
        spec = self.data.schema.get(str(self.field_combo.currentData()))
        for attr, cell in (("from_editor", self._from_cell), ("to_editor", self._to_cell)):
            old: FieldEditor | None = getattr(self, attr)
            if old is not None:
                cell.removeWidget(old)
                old.deleteLater()
            editor = make_editor(spec, self.data.options) if spec is not None else None
            if editor is not None:
                cell.insertWidget(0, editor, 1)
            setattr(self, attr, editor)
        self._sync_any()

    def _sync_any(self) -> None:
        for box, editor in ((self.from_any, self.from_editor), (self.to_any, self.to_editor)):
            if editor is not None:
                editor.setEnabled(not box.isChecked())

    @staticmethod
    def _set_change_value(any_box: QCheckBox, editor: FieldEditor | None, value: Any) -> None:
        any_box.setChecked(value is None)
        if value is not None and editor is not None:
            editor.set_value(value)

    @staticmethod
    def _change_value(any_box: QCheckBox, editor: FieldEditor | None) -> Any:
        if any_box.isChecked() or editor is None:
            return None
        return json_safe(editor.value())

    # -- saving ------------------------------------------------------------------------------

    def rule_input(self) -> RuleInput:
        """The rule as typed; raises ValueError (translated) for incomplete rows."""
        assert self.conditions is not None and self.action_list is not None
        event = str(self.event_combo.currentData())
        changed = event in field_events()
        extra: dict[str, Any] = {}
        if DATE_RULES:
            dated = event == "date_reached"
            extra = {"date_field": self.date_combo.currentData() if dated else None,
                     "offset_days": self.offset_box.value() if dated else 0}
        return RuleInput(
            name=self.name_edit.text(), entity=self.entity, event=event,
            field=str(self.field_combo.currentData()) if changed and self.field_combo.currentData() else None,
            from_value=self._change_value(self.from_any, self.from_editor) if changed else None,
            to_value=self._change_value(self.to_any, self.to_editor) if changed else None,
            enabled=self.enabled_box.isChecked(), condition=self.conditions.condition(),
            actions=self.action_list.actions(), **extra)

    def build_call(self) -> Callable[[], object] | None:
        if not self.ready:
            return None
        try:
            self.conditions.condition()  # type: ignore[union-attr]
        except ValueError as exc:
            self.errors.set_field_error("condition", str(exc))
            return None
        try:
            data = self.rule_input()
        except ValueError as exc:
            self.errors.set_field_error("actions", str(exc))
            return None
        db, actor = self.ctx.db, self.ctx.actor
        if self.rule is not None:
            rule_id = self.rule.id
            return lambda: automation.update_rule(db, actor, rule_id, data)
        return lambda: automation.create_rule(db, actor, data)

    def _failed(self, exc: BaseException) -> None:
        """Condition errors are keyed by the field they name: they belong under "If:"."""
        if not alive(self):
            return
        if isinstance(exc, ValidationError) and self.data is not None:
            fields = with_before_fields(self.condition_fields or self.data.fields).schema
            moved: dict[str, str] = {}
            for key, template in exc.field_errors.items():
                spec = fields.get(key)
                if spec is not None:
                    moved["condition"] = f"{field_text(spec)}: {service_text(CONTEXT, template)}"
            if moved:
                rest = {k: v for k, v in exc.field_errors.items() if fields.get(k) is None}
                self._set_busy(False)
                if rest:
                    self.errors.show(ValidationError(rest))
                else:
                    self.errors.clear()
                self.errors.set_field_error("condition", moved["condition"])
                return
        super()._failed(exc)


__all__ = ["ActionList", "RuleEditorDialog", "event_label", "with_before_fields"]
