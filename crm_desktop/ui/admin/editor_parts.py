"""Small parts the rule editor and the approval flow designer share.

``CardColumn`` keeps widgets ("cards": a rule's actions, a branch's nodes, the approval form's
fields) stacked in a layout in an order the user changes with each card's own up / down /
remove buttons (made by ``card_buttons``). ``muted`` is the grey hint label, ``scrolled`` a
frameless scroll area around a growing list, ``choose_data`` selects a stored value in a combo
without losing one the combo does not offer. GUI thread only.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtWidgets import QComboBox, QFrame, QLabel, QScrollArea, QToolButton, QVBoxLayout, QWidget

#: A card: a widget with ``up_button``, ``down_button``, ``remove_button`` and
#: ``set_number(number, count)`` (told its place after every change).
C = TypeVar("C", bound=QWidget)


def card_buttons(up_tip: str, down_tip: str, remove_text: str, *,
                 arrows: tuple[str, str] = ("↑", "↓")) -> tuple[QToolButton, QToolButton, QToolButton]:
    """The up, down and remove buttons of a card (texts come translated from the card)."""
    up, down, remove = QToolButton(), QToolButton(), QToolButton()
    up.setText(arrows[0])
    up.setToolTip(up_tip)
    down.setText(arrows[1])
    down.setToolTip(down_tip)
    remove.setText(remove_text)
    return up, down, remove


class CardColumn(Generic[C]):
    """The cards of ``box`` in order. ``after`` runs after every add, remove or move (the branch
    editor redraws its chain of nodes there)."""

    def __init__(self, box: QVBoxLayout, *, after: Callable[[], None] | None = None) -> None:
        self._box = box
        self._after = after
        self.items: list[C] = []

    def add(self, card: C) -> C:
        card.up_button.clicked.connect(lambda: self.move(card, -1))  # type: ignore[attr-defined]
        card.down_button.clicked.connect(lambda: self.move(card, 1))  # type: ignore[attr-defined]
        card.remove_button.clicked.connect(lambda: self.remove(card))  # type: ignore[attr-defined]
        self.items.append(card)
        self._relayout()
        return card

    def remove(self, card: C) -> None:
        if card in self.items:
            self.items.remove(card)
            card.setParent(None)
            card.deleteLater()
            self._relayout()

    def move(self, card: C, step: int) -> None:
        at = self.items.index(card)
        to = at + step
        if 0 <= to < len(self.items):
            self.items[at], self.items[to] = self.items[to], self.items[at]
            self._relayout()

    def _relayout(self) -> None:
        for card in self.items:
            self._box.removeWidget(card)
        for number, card in enumerate(self.items, start=1):
            self._box.addWidget(card)
            card.set_number(number, len(self.items))  # type: ignore[attr-defined]
        if self._after is not None:
            self._after()


def choose_data(combo: QComboBox, value: Any, *, text: str | None = None) -> None:
    """Select ``value``; one the combo does not offer is added (as ``text``, else as it is), not lost."""
    index = combo.findData(value)
    if index < 0:
        combo.addItem(str(value) if text is None else text, value)
        index = combo.count() - 1
    combo.setCurrentIndex(index)


def muted(text: str = "") -> QLabel:
    """A grey, wrapping hint."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #666;")
    return label


def scrolled(widget: QWidget, *, min_height: int | None = None) -> QScrollArea:
    """``widget`` in a frameless scroll area that lets it grow to the area's width."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    if min_height is not None:
        scroll.setMinimumHeight(min_height)
    scroll.setWidget(widget)
    return scroll


__all__ = ["CardColumn", "card_buttons", "choose_data", "muted", "scrolled"]
