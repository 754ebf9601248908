"""Which record an action acts on: the rule's record itself, or its customer / a contract's
opportunity (``rule_format.RELATED_TARGETS``, the action's ``"on"``).

``RelatedChoice`` is the "Record:" row the set-field and message editors put first when the
rule's records have related ones; it says nothing (is not added) for the others. The value
copied and the ``{field}`` placeholders stay the rule's record's: only the field set and the
owner / superior / team told are the related record's. Thread rule: GUI thread only.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QWidget

from crm_desktop.automation import actions as rule_actions
from crm_desktop.services.records.schema import EntitySchema
from crm_desktop.ui.admin.rule_data import RELATED_NAMES, RuleEditorData


class RelatedChoice(QComboBox):
    """The record an action acts on: None (the record itself) or a related entity's key.
    Emits ``chosen(on)`` when the choice changes."""

    chosen = Signal(object)

    def __init__(self, data: RuleEditorData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data = data
        texts = {"customer": self.tr("Its customer"), "opportunity": self.tr("The contract's opportunity")}
        self.addItem(self.tr("This record"), None)
        for on in related_targets(data):
            self.addItem(texts.get(on, on), on)
        self.currentIndexChanged.connect(lambda _i: self.chosen.emit(self.value()))

    def value(self) -> str | None:
        data: Any = self.currentData()
        return str(data) if data else None

    def set_value(self, on: Any) -> None:
        index = self.findData(on) if on not in (None, "", "record") else 0
        if index < 0:  # a related record this editor cannot offer: shown as its key, kept
            self.addItem(str(on), on)
            index = self.count() - 1
        self.setCurrentIndex(index)

    def schema(self) -> EntitySchema:
        """The fields of the record acted on."""
        on = self.value()
        return self.data.related.get(on, self.data.schema) if on else self.data.schema


def related_targets(data: RuleEditorData) -> tuple[str, ...]:
    """The related records the rule's actions may act on (whose fields the editor could read)."""
    return tuple(on for on in getattr(rule_actions, "RELATED_TARGETS", {}).get(data.entity, ()) if on in data.related)


def related_name(on: str) -> str:
    """A related record's kind as the summaries name it ("Customer")."""
    return QCoreApplication.translate("RuleActions", RELATED_NAMES[on]) if on in RELATED_NAMES else on


def add_related_row(form: QFormLayout, data: RuleEditorData) -> RelatedChoice | None:
    """Put the "Record:" row first in ``form``; None (no row) when there is nothing to choose."""
    if not related_targets(data):
        return None
    choice = RelatedChoice(data)
    form.insertRow(0, QCoreApplication.translate("RelatedChoice", "Record:"), choice)
    return choice


def with_on(action: dict[str, Any], choice: RelatedChoice | None) -> dict[str, Any]:
    """``action`` with the chosen related record (nothing added for the record itself)."""
    on = choice.value() if choice is not None else None
    return {**action, "on": on} if on else action


__all__ = ["RelatedChoice", "add_related_row", "related_name", "related_targets", "with_on"]
