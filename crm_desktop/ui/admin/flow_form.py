"""The approval form tab of the flow designer: the fields the approvers read, each a label
filled from a record field when the record is submitted, in an order the user sets.

Keys of a form item this editor does not know are kept and saved back unchanged; a field used
twice gets a unique key ("field_2"). Thread rule: GUI thread only.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.records.schema import FieldType
from crm_desktop.ui.admin.editor_parts import (
    CardColumn,
    card_buttons,
    choose_data,
    muted,
    scrolled,
)
from crm_desktop.ui.admin.flow_branches import DesignerData
from crm_desktop.ui.records.shared.filter_editor import field_text

_ERROR_STYLE = "color: #c62828;"


class FormFieldRow(QWidget):
    """One field of the approval form: label ← record field."""

    def __init__(self, data: DesignerData, item: Mapping[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._original = dict(item)
        self.label_edit = QLineEdit(str(item.get("label") or ""))
        self.label_edit.setMaxLength(100)
        self.label_edit.setPlaceholderText(self.tr("Label the approvers read"))
        self.field_combo = QComboBox()
        self.up_button, self.down_button, self.remove_button = card_buttons(
            self.tr("Move up"), self.tr("Move down"), self.tr("Remove"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label_edit, 2)
        layout.addWidget(QLabel("←"))
        layout.addWidget(self.field_combo, 2)
        for button in (self.up_button, self.down_button, self.remove_button):
            layout.addWidget(button)
        self.set_data(data, item.get("field"))
        # A new row's label follows the field until the user types one.
        self._label_typed = bool(self.label_edit.text())
        self.label_edit.textEdited.connect(lambda *_: setattr(self, "_label_typed", True))
        self.field_combo.activated.connect(self._field_chosen)
        if not self._label_typed:
            self._field_chosen()

    def set_data(self, data: DesignerData, keep: Any) -> None:
        self.field_combo.clear()
        for spec in data.fields.schema.fields:
            if spec.type is not FieldType.ATTACHMENT:
                self.field_combo.addItem(field_text(spec), spec.name)
        if keep:
            choose_data(self.field_combo, keep)

    def set_number(self, number: int, count: int) -> None:
        self.up_button.setEnabled(number > 1)
        self.down_button.setEnabled(number < count)

    def _field_chosen(self, *_: object) -> None:
        if not self._label_typed:
            self.label_edit.setText(self.field_combo.currentText())

    def field(self) -> str:
        return str(self.field_combo.currentData() or "")

    def item(self) -> dict[str, Any]:
        return {**self._original, "key": str(self._original.get("key") or self.field()),
                "label": self.label_edit.text().strip(), "field": self.field()}


class FlowFormEditor(QWidget):
    """The form's rows. Public: ``rows`` (FormFieldRows, in order), ``add_button``, ``error``
    (the label the designer writes the service's form errors into). Rows are added once
    ``set_data`` gave the fields."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data: DesignerData | None = None
        intro = muted(self.tr("The approvers see these fields, filled from the record when it is submitted."))
        self.error = QLabel()
        self.error.setStyleSheet(_ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        rows_box = QVBoxLayout()
        rows_box.setContentsMargins(0, 0, 0, 0)
        self._rows: CardColumn[FormFieldRow] = CardColumn(rows_box)
        self.add_button = QPushButton(self.tr("Add field"))
        self.add_button.clicked.connect(lambda: self.add_field())
        holder = QWidget()
        inner = QVBoxLayout(holder)
        inner.addLayout(rows_box)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_button)
        add_row.addStretch(1)
        inner.addLayout(add_row)
        inner.addStretch(1)
        box = QVBoxLayout(self)
        box.addWidget(intro)
        box.addWidget(self.error)
        box.addWidget(scrolled(holder), 1)

    @property
    def rows(self) -> list[FormFieldRow]:
        return self._rows.items

    def set_data(self, data: DesignerData) -> None:
        """The fields of (other) records: every row keeps its field where the records have it."""
        self._data = data
        for row in self.rows:
            row.set_data(data, row.field())

    def add_field(self, item: Mapping[str, Any] | None = None) -> FormFieldRow:
        assert self._data is not None, "fields are added once the lists are loaded"
        return self._rows.add(FormFieldRow(self._data, item or {}))

    def items(self) -> tuple[dict[str, Any], ...]:
        """The form's fields; keys stay unique (a field used twice gets "field_2")."""
        items, seen = [], set()
        for row in self.rows:
            item = row.item()
            key, n = item["key"], 2
            while item["key"] in seen:
                item["key"] = f"{key}_{n}"
                n += 1
            seen.add(item["key"])
            items.append(item)
        return tuple(items)


__all__ = ["FlowFormEditor", "FormFieldRow"]
