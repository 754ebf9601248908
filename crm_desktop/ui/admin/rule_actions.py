"""The action editors of the rule editor.

One editor per action type of ``crm_desktop.automation.actions`` (set a field, send a
message, assign the owner, add team members, create a related record, start an approval,
create a task).
A type this editor does not know yet (another version added it) is shown read-only as its
JSON and saved back unchanged, so a newer rule is never damaged by an older editor. Every
editor has ``action()`` (the JSON; raises ValueError with a translated message for
incomplete input) and ``set_action(json)``.

What the editors offer (``RuleEditorData``) and the texts that describe rules in lists live
in ``rule_data``. Thread rule: GUI thread only.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.automation import actions as rule_actions
from crm_desktop.services.activities.tasks import PRIORITIES, PRIORITY_LABELS
from crm_desktop.services.records.schema import EntitySchema, FieldSpec, FieldType
from crm_desktop.ui.admin.custom_fields import entity_label
from crm_desktop.ui.admin.rule_data import RuleEditorData, json_safe
from crm_desktop.ui.admin.rule_related import (
    add_related_row,
    related_name,
    related_targets,
    with_on,
)
from crm_desktop.ui.records.shared.field_editors import FieldEditor, make_editor
from crm_desktop.ui.records.shared.filter_editor import field_text

ID_ROLE = Qt.ItemDataRole.UserRole


# --- small widgets ------------------------------------------------------------------------------

def user_checklist(users: tuple[tuple[int, str], ...]) -> QListWidget:
    box = QListWidget()
    box.setFixedHeight(92)
    for user_id, name in users:
        item = QListWidgetItem(name)
        item.setData(ID_ROLE, user_id)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        box.addItem(item)
    return box


def checked_ids(box: QListWidget) -> list[int]:
    return [int(box.item(i).data(ID_ROLE)) for i in range(box.count())
            if box.item(i).checkState() == Qt.CheckState.Checked]


def check_ids(box: QListWidget, ids: Any) -> None:
    wanted = {str(i) for i in ids or ()}
    known = {str(box.item(i).data(ID_ROLE)) for i in range(box.count())}
    for missing in sorted(wanted - known):  # a disabled user stays chosen rather than silently dropped
        item = QListWidgetItem(f"#{missing}")
        item.setData(ID_ROLE, int(missing))
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        box.addItem(item)
    for i in range(box.count()):
        item = box.item(i)
        item.setCheckState(Qt.CheckState.Checked if str(item.data(ID_ROLE)) in wanted else Qt.CheckState.Unchecked)


def choose(combo: QComboBox, value: Any, *, text: str | None = None) -> None:
    """Select ``value``; a value the combo does not offer is added (shown as it is), not lost."""
    index = next((i for i in range(combo.count()) if str(combo.itemData(i)) == str(value)), -1)
    if index < 0 and value is not None:
        combo.addItem(text or f"#{value}", value)
        index = combo.count() - 1
    combo.setCurrentIndex(max(index, 0))


def field_combo(specs: tuple[FieldSpec, ...] | list[FieldSpec]) -> QComboBox:
    combo = QComboBox()
    for spec in specs:
        combo.addItem(field_text(spec), spec.name)
    return combo


def settable(schema: EntitySchema) -> list[FieldSpec]:
    """Fields a rule may set: what a user types in a form (system fields are the system's)."""
    return [s for s in schema.fields if not s.system and s.type is not FieldType.ATTACHMENT]


def readable(schema: EntitySchema) -> list[FieldSpec]:
    return [s for s in schema.fields if s.type is not FieldType.ATTACHMENT]


# --- the editors --------------------------------------------------------------------------------

class ActionEditor(QWidget):
    """Base: a form of one action's settings."""

    kind = ""

    def __init__(self, data: RuleEditorData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data = data
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

    def action(self) -> dict[str, Any]:
        raise NotImplementedError

    def set_action(self, action: Mapping[str, Any]) -> None:
        raise NotImplementedError


class SetFieldEditor(ActionEditor):
    """Field + fixed value (the field's own editor) or the value of another field."""

    kind = "set_field"

    def __init__(self, data: RuleEditorData, parent: QWidget | None = None) -> None:
        super().__init__(data, parent)
        self.field_combo = field_combo(settable(data.schema))
        self.mode_combo = QComboBox()
        self.mode_combo.addItem(self.tr("to the value"), "value")
        self.mode_combo.addItem(self.tr("to the value of the field"), "from_field")
        self.value_editor: FieldEditor | QLineEdit = QLineEdit()
        self.source_combo = field_combo(readable(data.schema))
        self._value_cell = QHBoxLayout()
        self._value_cell.setContentsMargins(0, 0, 0, 0)
        self._value_cell.addWidget(self.value_editor)
        self._value_cell.addWidget(self.source_combo)
        holder = QWidget()
        holder.setLayout(self._value_cell)
        self.form.addRow(self.tr("Field:"), self.field_combo)
        self.form.addRow(self.tr("Set it:"), self.mode_combo)
        self.form.addRow(self.tr("Value:"), holder)
        #: The record whose field is set (the record's customer …); None: no choice offered.
        self.on_choice = add_related_row(self.form, data)
        if self.on_choice is not None:
            self.on_choice.chosen.connect(lambda _on: self._record_changed())
        self.field_combo.currentIndexChanged.connect(self._field_changed)
        self.mode_combo.currentIndexChanged.connect(self._mode_changed)
        self._field_changed()

    def _record_changed(self) -> None:
        """Offer the chosen record's fields (the value copied stays one of the rule's record's)."""
        keep = self.field_combo.currentData()
        self.field_combo.blockSignals(True)
        self.field_combo.clear()
        for spec in settable(self.on_choice.schema() if self.on_choice is not None else self.data.schema):
            self.field_combo.addItem(field_text(spec), spec.name)
        self.field_combo.setCurrentIndex(max(0, self.field_combo.findData(keep)))
        self.field_combo.blockSignals(False)
        self._field_changed()

    def _field_changed(self) -> None:
        schema = self.on_choice.schema() if self.on_choice is not None else self.data.schema
        spec = schema.get(str(self.field_combo.currentData()))
        editor: FieldEditor | QLineEdit = make_editor(spec, self.data.options) if spec is not None else QLineEdit()
        self._value_cell.replaceWidget(self.value_editor, editor)
        self.value_editor.deleteLater()
        self.value_editor = editor
        self._mode_changed()

    def _mode_changed(self) -> None:
        fixed = self.mode_combo.currentData() == "value"
        self.value_editor.setVisible(fixed)
        self.source_combo.setVisible(not fixed)

    def action(self) -> dict[str, Any]:
        name = self.field_combo.currentData()
        if name is None:
            raise ValueError(self.tr("Choose the field to set."))
        if self.mode_combo.currentData() == "from_field":
            return with_on({"type": "set_field", "field": name, "from_field": self.source_combo.currentData()},
                           self.on_choice)
        editor = self.value_editor
        value = editor.text() if isinstance(editor, QLineEdit) else editor.value()
        return with_on({"type": "set_field", "field": name, "value": json_safe(value)}, self.on_choice)

    def set_action(self, action: Mapping[str, Any]) -> None:
        if self.on_choice is not None:
            self.on_choice.set_value(action.get("on"))
        choose(self.field_combo, action.get("field"))
        if action.get("from_field"):
            self.mode_combo.setCurrentIndex(self.mode_combo.findData("from_field"))
            choose(self.source_combo, action.get("from_field"))
        else:
            self.mode_combo.setCurrentIndex(self.mode_combo.findData("value"))
            editor, value = self.value_editor, action.get("value")
            if isinstance(editor, QLineEdit):
                editor.setText("" if value is None else str(value))
            else:
                editor.set_value(value)


class MessageEditor(ActionEditor):
    """Recipients (owner, superior, chosen users, a role), title and body with {field} placeholders."""

    kind = "message"

    def __init__(self, data: RuleEditorData, parent: QWidget | None = None) -> None:
        super().__init__(data, parent)
        self.to_combo = QComboBox()
        texts = {"owner": self.tr("The record's owner"), "superior": self.tr("The owner's superior"),
                 "team": self.tr("The record's team members"), "users": self.tr("Chosen users"),
                 "role": self.tr("Everyone with a role")}
        for value in getattr(rule_actions, "RECIPIENTS", ("owner", "superior", "users", "role")):
            self.to_combo.addItem(texts.get(value, value), value)
        self.users_list = user_checklist(data.users)
        self.role_combo = QComboBox()
        for role_id, name in data.roles:
            self.role_combo.addItem(name, role_id)
        self.title_edit = QLineEdit()
        self.title_edit.setMaxLength(200)
        self.body_edit = QPlainTextEdit()
        self.body_edit.setFixedHeight(64)
        self.insert_combo = QComboBox()
        self.insert_combo.addItem(self.tr("Insert a field into the text…"), None)
        for spec in readable(data.schema):
            self.insert_combo.addItem(field_text(spec), spec.name)
        for on in related_targets(data):  # the customer's name rather than its id: {customer.name}
            for spec in readable(data.related[on]):
                self.insert_combo.addItem(f"{related_name(on)}: {field_text(spec)}", f"{on}.{spec.name}")
        self.insert_combo.activated.connect(self._insert)
        self.form.addRow(self.tr("To:"), self.to_combo)
        self.form.addRow(self.tr("Users:"), self.users_list)
        self.form.addRow(self.tr("Role:"), self.role_combo)
        self.form.addRow(self.tr("Title:"), self.title_edit)
        self.form.addRow(self.tr("Text:"), self.body_edit)
        self.form.addRow("", self.insert_combo)
        #: Whose owner / superior / team is told (the record's customer …); the text stays the record's.
        self.on_choice = add_related_row(self.form, data)
        self.to_combo.currentIndexChanged.connect(self._to_changed)
        self._to_changed()

    def _to_changed(self) -> None:
        to = self.to_combo.currentData()
        self.form.setRowVisible(self.users_list, to == "users")
        self.form.setRowVisible(self.role_combo, to == "role")

    def _insert(self, index: int) -> None:
        name = self.insert_combo.itemData(index)
        if name:
            self.body_edit.insertPlainText("{%s}" % name)
        self.insert_combo.setCurrentIndex(0)

    def action(self) -> dict[str, Any]:
        to = str(self.to_combo.currentData())
        result: dict[str, Any] = {"type": "message", "to": to, "title": self.title_edit.text(),
                                  "body": self.body_edit.toPlainText()}
        if to == "users":
            result["user_ids"] = checked_ids(self.users_list)
            if not result["user_ids"]:
                raise ValueError(self.tr("Choose who receives the message."))
        elif to == "role":
            if self.role_combo.currentData() is None:
                raise ValueError(self.tr("Choose the role that receives the message."))
            result["role_id"] = int(self.role_combo.currentData())
        if not result["title"].strip():
            raise ValueError(self.tr("Enter the message's title."))
        return with_on(result, self.on_choice)

    def set_action(self, action: Mapping[str, Any]) -> None:
        if self.on_choice is not None:
            self.on_choice.set_value(action.get("on"))
        choose(self.to_combo, action.get("to", "owner"))
        check_ids(self.users_list, action.get("user_ids"))
        if action.get("role_id") is not None:
            choose(self.role_combo, action.get("role_id"))
        self.title_edit.setText(str(action.get("title") or ""))
        self.body_edit.setPlainText(str(action.get("body") or ""))


class AssignOwnerEditor(ActionEditor):
    """One user, or in turn among several (round robin: each record to the next of them)."""

    kind = "assign_owner"

    def __init__(self, data: RuleEditorData, parent: QWidget | None = None) -> None:
        super().__init__(data, parent)
        self.mode_combo = QComboBox()
        self.mode_combo.addItem(self.tr("One user"), "user")
        self.mode_combo.addItem(self.tr("In turn among these users"), "round_robin")
        self.user_combo = QComboBox()
        for user_id, name in data.users:
            self.user_combo.addItem(name, user_id)
        self.users_list = user_checklist(data.users)
        self.form.addRow(self.tr("Give to:"), self.mode_combo)
        self.form.addRow(self.tr("New owner:"), self.user_combo)
        self.form.addRow(self.tr("Users:"), self.users_list)
        self.mode_combo.currentIndexChanged.connect(self._mode_changed)
        self._mode_changed()

    def _mode_changed(self) -> None:
        turn = self.mode_combo.currentData() == "round_robin"
        self.form.setRowVisible(self.user_combo, not turn)
        self.form.setRowVisible(self.users_list, turn)

    def action(self) -> dict[str, Any]:
        if self.mode_combo.currentData() == "round_robin":
            ids = checked_ids(self.users_list)
            if not ids:
                raise ValueError(self.tr("Choose at least one user."))
            return {"type": "assign_owner", "round_robin": ids}
        if self.user_combo.currentData() is None:
            raise ValueError(self.tr("Choose the new owner."))
        return {"type": "assign_owner", "user_id": int(self.user_combo.currentData())}

    def set_action(self, action: Mapping[str, Any]) -> None:
        if action.get("round_robin") is not None:
            choose(self.mode_combo, "round_robin")
            check_ids(self.users_list, action.get("round_robin"))
        elif action.get("user_id") is not None:
            choose(self.user_combo, action.get("user_id"))


class AddTeamEditor(ActionEditor):
    kind = "add_team"

    def __init__(self, data: RuleEditorData, parent: QWidget | None = None) -> None:
        super().__init__(data, parent)
        self.users_list = user_checklist(data.users)
        self.access_combo = QComboBox()
        self.access_combo.addItem(self.tr("Read only"), "read")
        self.access_combo.addItem(self.tr("Read and write"), "write")
        self.form.addRow(self.tr("Users:"), self.users_list)
        self.form.addRow(self.tr("Access:"), self.access_combo)

    def action(self) -> dict[str, Any]:
        ids = checked_ids(self.users_list)
        if not ids:
            raise ValueError(self.tr("Choose at least one user."))
        return {"type": "add_team", "user_ids": ids, "access": self.access_combo.currentData()}

    def set_action(self, action: Mapping[str, Any]) -> None:
        check_ids(self.users_list, action.get("user_ids"))
        choose(self.access_combo, action.get("access", "read"))


class MappingRow(QWidget):
    """One field of the new record: target field ← a field of this record, or a fixed value."""

    def __init__(self, data: RuleEditorData, target: EntitySchema | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target_combo = field_combo(settable(target) if target is not None else [])
        self.kind_combo = QComboBox()
        self.kind_combo.addItem(self.tr("← field"), "field")
        self.kind_combo.addItem(self.tr("← fixed value"), "value")
        self.source_combo = field_combo(readable(data.schema))
        self.source_combo.insertItem(0, self.tr("Record id"), "id")
        self.source_combo.setCurrentIndex(1 if self.source_combo.count() > 1 else 0)
        self.value_edit = QLineEdit()
        self.remove_button = QPushButton(self.tr("Remove"))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget, stretch in ((self.target_combo, 3), (self.kind_combo, 2), (self.source_combo, 3),
                                (self.value_edit, 3), (self.remove_button, 0)):
            row.addWidget(widget, stretch)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def _kind_changed(self) -> None:
        by_field = self.kind_combo.currentData() == "field"
        self.source_combo.setVisible(by_field)
        self.value_edit.setVisible(not by_field)

    def entry(self) -> tuple[str, dict[str, Any]]:
        if self.kind_combo.currentData() == "field":
            return str(self.target_combo.currentData()), {"field": self.source_combo.currentData()}
        return str(self.target_combo.currentData()), {"value": self.value_edit.text()}

    def set_entry(self, target: str, source: Any) -> None:
        choose(self.target_combo, target)
        if isinstance(source, Mapping) and "field" not in source:
            self.kind_combo.setCurrentIndex(1)
            value = source.get("value")
            self.value_edit.setText("" if value is None else str(value))
        else:
            self.kind_combo.setCurrentIndex(0)
            choose(self.source_combo, source.get("field") if isinstance(source, Mapping) else source)


class CreateRecordEditor(ActionEditor):
    """Target record type and its field mapping rows."""

    kind = "create_record"

    def __init__(self, data: RuleEditorData, parent: QWidget | None = None) -> None:
        super().__init__(data, parent)
        self.entity_combo = QComboBox()
        for target in rule_actions.CREATE_TARGETS:
            if target in data.targets:
                self.entity_combo.addItem(entity_label(target), target)
        self.rows: list[MappingRow] = []
        self._rows_box = QVBoxLayout()
        self._rows_box.setContentsMargins(0, 0, 0, 0)
        holder = QWidget()
        holder.setLayout(self._rows_box)
        self.add_button = QPushButton(self.tr("Add a field"))
        self.add_button.clicked.connect(lambda: self.add_row())
        self.form.addRow(self.tr("Create:"), self.entity_combo)
        self.form.addRow(self.tr("Fields:"), holder)
        self.form.addRow("", self.add_button)
        self.entity_combo.currentIndexChanged.connect(self._entity_changed)

    def target(self) -> EntitySchema | None:
        return self.data.targets.get(str(self.entity_combo.currentData()))

    def _entity_changed(self) -> None:
        # The target's fields differ: keep the rows' sources, re-pick their targets by name.
        kept = [row.entry() for row in self.rows]
        for row in list(self.rows):
            self._remove(row)
        for target, source in kept:
            self.add_row().set_entry(target, source)

    def add_row(self) -> MappingRow:
        row = MappingRow(self.data, self.target())
        row.remove_button.clicked.connect(lambda: self._remove(row))
        self._rows_box.addWidget(row)
        self.rows.append(row)
        return row

    def _remove(self, row: MappingRow) -> None:
        if row in self.rows:
            self.rows.remove(row)
            row.setParent(None)
            row.deleteLater()

    def action(self) -> dict[str, Any]:
        if self.entity_combo.currentData() is None:
            raise ValueError(self.tr("Choose the record to create."))
        mapping = dict(row.entry() for row in self.rows)
        if not mapping:
            raise ValueError(self.tr("Fill at least one field of the new record."))
        return {"type": "create_record", "entity": self.entity_combo.currentData(), "mapping": mapping}

    def set_action(self, action: Mapping[str, Any]) -> None:
        choose(self.entity_combo, action.get("entity"), text=str(action.get("entity")))
        for row in list(self.rows):
            self._remove(row)
        for target, source in (action.get("mapping") or {}).items():
            self.add_row().set_entry(str(target), source)


class StartApprovalEditor(ActionEditor):
    """One approval flow of the rule's records; the record's owner is the submitter."""

    kind = "start_approval"

    def __init__(self, data: RuleEditorData, parent: QWidget | None = None) -> None:
        super().__init__(data, parent)
        self.flow_combo = QComboBox()
        for flow in data.flows:
            # A paused flow is offered too (it may be switched on later), but marked.
            name = flow.name if flow.enabled else self.tr("{name} (disabled)").format(name=flow.name)
            self.flow_combo.addItem(name, flow.id)
        self.note = QLabel(self.tr("The record is submitted in its owner's name.") if data.flows else self.tr(
            "This kind of record has no approval flow yet: add one under Approval flows."))
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #666;")
        self.form.addRow(self.tr("Approval flow:"), self.flow_combo)
        self.form.addRow("", self.note)

    def action(self) -> dict[str, Any]:
        if self.flow_combo.currentData() is None:
            raise ValueError(self.tr("Choose an approval flow."))
        return {"type": "start_approval", "flow_id": int(self.flow_combo.currentData())}

    def set_action(self, action: Mapping[str, Any]) -> None:
        if action.get("flow_id") is not None:  # a deleted flow stays chosen, shown as "#id"
            choose(self.flow_combo, action.get("flow_id"))


class CreateTaskEditor(ActionEditor):
    """A task about the record: title with {field} placeholders, due in N days (or no date:
    the assignee's inbox), priority, and the assignee (the record's owner or a chosen user)."""

    kind = "create_task"

    def __init__(self, data: RuleEditorData, parent: QWidget | None = None) -> None:
        super().__init__(data, parent)
        self.title_edit = QLineEdit()
        self.title_edit.setMaxLength(200)
        self.title_edit.setPlaceholderText(self.tr("e.g. Call {name}"))
        self.insert_combo = QComboBox()
        self.insert_combo.addItem(self.tr("Insert a field into the title…"), None)
        for spec in readable(data.schema):
            self.insert_combo.addItem(field_text(spec), spec.name)
        self.insert_combo.activated.connect(self._insert)
        self.due_combo = QComboBox()
        self.due_combo.addItem(self.tr("No due date (the inbox)"), "none")
        self.due_combo.addItem(self.tr("In a number of days"), "days")
        self.days_spin = QSpinBox()
        self.days_spin.setRange(0, 365)
        self.days_spin.setSuffix(self.tr(" day(s) after the rule runs"))
        self.priority_combo = QComboBox()
        for value in PRIORITIES:
            self.priority_combo.addItem(QCoreApplication.translate("tasks", PRIORITY_LABELS[value]), value)
        self.to_combo = QComboBox()
        self.to_combo.addItem(self.tr("The record's owner"), "owner")
        self.to_combo.addItem(self.tr("A chosen user"), "users")
        self.user_combo = QComboBox()
        for user_id, name in data.users:
            self.user_combo.addItem(name, user_id)
        self.form.addRow(self.tr("Title:"), self.title_edit)
        self.form.addRow("", self.insert_combo)
        self.form.addRow(self.tr("Due:"), self.due_combo)
        self.form.addRow(self.tr("Days:"), self.days_spin)
        self.form.addRow(self.tr("Priority:"), self.priority_combo)
        self.form.addRow(self.tr("Assign to:"), self.to_combo)
        self.form.addRow(self.tr("User:"), self.user_combo)
        self.due_combo.currentIndexChanged.connect(self._rows_changed)
        self.to_combo.currentIndexChanged.connect(self._rows_changed)
        self._rows_changed()

    def _rows_changed(self) -> None:
        self.form.setRowVisible(self.days_spin, self.due_combo.currentData() == "days")
        self.form.setRowVisible(self.user_combo, self.to_combo.currentData() == "users")

    def _insert(self, index: int) -> None:
        name = self.insert_combo.itemData(index)
        if name:
            self.title_edit.insert(f"{{{name}}}")
        self.insert_combo.setCurrentIndex(0)

    def action(self) -> dict[str, Any]:
        title = self.title_edit.text()
        if not title.strip():
            raise ValueError(self.tr("Enter the task's title."))
        result: dict[str, Any] = {"type": "create_task", "title": title,
                                  "priority": str(self.priority_combo.currentData()), "to": self.to_combo.currentData()}
        if self.due_combo.currentData() == "days":
            result["due_in_days"] = self.days_spin.value()
        if result["to"] == "users":
            if self.user_combo.currentData() is None:
                raise ValueError(self.tr("Choose who gets the task."))
            result["user_ids"] = [int(self.user_combo.currentData())]
        return result

    def set_action(self, action: Mapping[str, Any]) -> None:
        self.title_edit.setText(str(action.get("title") or ""))
        days = action.get("due_in_days")
        choose(self.due_combo, "none" if days in (None, "") else "days")
        self.days_spin.setValue(int(days) if days not in (None, "") else 0)
        choose(self.priority_combo, action.get("priority") or "none")
        ids = list(action.get("user_ids") or ())
        if action.get("to") == "users" and ids:
            choose(self.to_combo, "users")
            choose(self.user_combo, ids[0])
        else:  # "owner" (the default); another recipient kind is shown as the owner's
            choose(self.to_combo, "owner")
        self._rows_changed()


class UnknownActionEditor(ActionEditor):
    """An action type this editor does not know: shown as JSON, saved back exactly as it was."""

    def __init__(self, data: RuleEditorData, parent: QWidget | None = None) -> None:
        super().__init__(data, parent)
        self._action: dict[str, Any] = {}
        self.note = QLabel(self.tr("This editor cannot change this kind of action; it is kept as it is."))
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #666;")
        self.json_view = QPlainTextEdit()
        self.json_view.setReadOnly(True)
        self.json_view.setFixedHeight(72)
        self.form.addRow(self.note)
        self.form.addRow(self.json_view)

    def action(self) -> dict[str, Any]:
        return dict(self._action)

    def set_action(self, action: Mapping[str, Any]) -> None:
        self._action = dict(action)
        self.kind = str(action.get("type"))
        self.json_view.setPlainText(json.dumps(self._action, ensure_ascii=False, indent=1, default=str))


EDITORS: dict[str, type[ActionEditor]] = {
    cls.kind: cls for cls in (SetFieldEditor, MessageEditor, AssignOwnerEditor, AddTeamEditor, CreateRecordEditor,
                              StartApprovalEditor, CreateTaskEditor)
}


def addable_kinds() -> list[str]:
    """Action types the engine knows and this editor can edit, in the engine's order."""
    return [kind for kind in rule_actions.ACTIONS if kind in EDITORS]


def make_action_editor(data: RuleEditorData, action: Mapping[str, Any]) -> ActionEditor:
    kind = str(action.get("type"))
    editor = EDITORS[kind](data) if kind in EDITORS and kind in rule_actions.ACTIONS else UnknownActionEditor(data)
    editor.set_action(action)
    return editor


__all__ = ["EDITORS", "ActionEditor", "CreateTaskEditor", "StartApprovalEditor", "UnknownActionEditor",
           "addable_kinds", "make_action_editor"]
