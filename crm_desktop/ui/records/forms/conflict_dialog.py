"""After a stale save: every field with mine / theirs / original, and a choice per field.

The dialog only collects choices; the record form re-submits them against the version the
other person saved (``ConflictError.their_version``). Where both sides changed a field,
nothing is pre-selected: "Save merged" stays disabled until the user has chosen, so no
value is overwritten without someone deciding. Thread rule: GUI thread only.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from PySide6.QtCore import Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.errors import ConflictError, FieldConflict
from crm_desktop.ui.records.shared.list_model import format_value

Side = Literal["mine", "theirs"]
VALUE_MIN_WIDTH = 120


class _ValueLabel(QLabel):
    """A value beside its radio button; clicking the text picks the button too."""

    def __init__(self, text: str, empty_text: str, button: QRadioButton | None = None) -> None:
        super().__init__()
        self._button = button
        if text:
            self.setText(text)
            self.setTextFormat(Qt.TextFormat.PlainText)
        else:
            self.setText(f"<i style='color:#888'>{empty_text}</i>")
            self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setMinimumWidth(VALUE_MIN_WIDTH)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if button is not None:
            self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._button is not None and self._button.isEnabled():
            self._button.setChecked(True)
        super().mousePressEvent(event)


def _both_changed(c: FieldConflict) -> bool:
    return c.mine != c.original and c.theirs != c.original and c.mine != c.theirs


class ConflictDialog(QDialog):
    """Lists each ``FieldConflict`` of ``exc``; ``merged_values()`` gives the chosen values.

    ``labels`` maps field names to translated labels. Public for tests: ``cells[field]``
    (QLabels "field", "original", "mine", "theirs") and ``choices[field]`` (radio buttons
    "mine", "theirs"); ``save_button``.
    """

    def __init__(
        self, exc: ConflictError, labels: Mapping[str, str], *, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.exc = exc
        self.setWindowTitle(self.tr("Someone else saved this record"))
        self.cells: dict[str, dict[str, QLabel]] = {}
        self.choices: dict[str, dict[Side, QRadioButton]] = {}
        self._groups: dict[str, QButtonGroup] = {}

        intro = QLabel(self.tr(
            "Someone else saved this record while you were editing it. Nothing of yours has "
            "been saved yet. For each field, choose which value to keep, then save the merged record."
        ))
        intro.setWordWrap(True)

        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(10)
        headers = (self.tr("Field"), self.tr("Original"), self.tr("Keep mine"), self.tr("Take theirs"))
        for column, text in enumerate(headers):
            header = QLabel(text)
            bold = header.font()
            bold.setBold(True)
            header.setFont(bold)
            grid.addWidget(header, 0, column)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        grid.addWidget(line, 1, 0, 1, len(headers))
        for number, conflict in enumerate(exc.conflicts):
            self._add_row(grid, number + 2, conflict, labels.get(conflict.field, conflict.field))
        for column in (1, 2, 3):
            grid.setColumnStretch(column, 1)
        grid.setRowStretch(len(exc.conflicts) + 2, 1)

        body = QWidget()
        body.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)

        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #b35900;")
        buttons = QDialogButtonBox()
        self.save_button: QPushButton = buttons.addButton(
            self.tr("Save merged"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.hint)
        layout.addWidget(buttons)
        self.resize(820, min(190 + 45 * len(exc.conflicts), 640))
        self._update_state()

    @classmethod
    def open_for(
        cls, parent: QWidget, exc: ConflictError, labels: Mapping[str, str], *,
        on_merge: Callable[[dict[str, Any]], None], on_cancel: Callable[[], None],
    ) -> ConflictDialog:
        """Build and ``.open()`` the dialog (deleted on close); ``on_merge`` gets ``merged_values()``."""
        dialog = cls(exc, labels, parent=parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: on_merge(dialog.merged_values()))
        dialog.rejected.connect(on_cancel)
        dialog.open()
        return dialog

    def _add_row(self, grid: QGridLayout, row: int, conflict: FieldConflict, label: str) -> None:
        empty = self.tr("(empty)")
        name = QLabel(label)
        name.setTextFormat(Qt.TextFormat.PlainText)
        if _both_changed(conflict):
            font = name.font()
            font.setBold(True)
            name.setFont(font)
            name.setToolTip(self.tr("Both you and the other person changed this field."))
        name.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        original = _ValueLabel(format_value(conflict.original), empty)
        group = QButtonGroup(self)
        buttons: dict[Side, QRadioButton] = {}
        cells: dict[str, QLabel] = {"field": name, "original": original}
        for column, side in ((2, "mine"), (3, "theirs")):
            button = QRadioButton()
            button.setObjectName(f"{conflict.field}_{side}")
            button.setAccessibleName(
                self.tr("Keep mine") if side == "mine" else self.tr("Take theirs")
            )
            value = _ValueLabel(format_value(getattr(conflict, side)), empty, button)
            group.addButton(button)
            cell = QWidget()
            box = QHBoxLayout(cell)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(6)
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            box.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            box.addWidget(value, 1)
            grid.addWidget(cell, row, column)
            buttons[side] = button
            cells[side] = value
        grid.addWidget(name, row, 0)
        grid.addWidget(original, row, 1)
        default = self._default_choice(conflict)
        if default is not None:
            buttons[default].setChecked(True)
        group.buttonToggled.connect(self._on_toggled)
        self.cells[conflict.field] = cells
        self.choices[conflict.field] = buttons
        self._groups[conflict.field] = group

    @staticmethod
    def _default_choice(conflict: FieldConflict) -> Side | None:
        """Pre-select only where one side left the field as it was; a real clash waits."""
        if _both_changed(conflict):
            return None
        return "mine" if conflict.mine != conflict.original else "theirs"

    def _on_toggled(self, _button: QAbstractButton, _checked: bool) -> None:
        self._update_state()

    def _update_state(self) -> None:
        missing = sum(1 for field in self.choices if self.choice(field) is None)
        self.save_button.setEnabled(missing == 0)
        self.hint.setText(
            self.tr("Choose a value for each field in bold ({n} left).").format(n=missing) if missing else ""
        )

    # --- results ----------------------------------------------------------------------

    def choice(self, field: str) -> Side | None:
        buttons = self.choices[field]
        if buttons["mine"].isChecked():
            return "mine"
        if buttons["theirs"].isChecked():
            return "theirs"
        return None

    def choose(self, field: str, side: Side) -> None:
        self.choices[field][side].setChecked(True)

    def merged_values(self) -> dict[str, Any]:
        """The chosen value of every listed field (only valid once all are chosen)."""
        merged: dict[str, Any] = {}
        for conflict in self.exc.conflicts:
            side = self.choice(conflict.field)
            if side is None:
                raise ValueError(f"no choice for {conflict.field}")
            merged[conflict.field] = getattr(conflict, side)
        return merged

    def accept(self) -> None:
        if all(self.choice(field) is not None for field in self.choices):
            super().accept()
