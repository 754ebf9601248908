"""The dashboard's non-chart panels: brief tiles, target completion and forgotten customers.

A tile (or a forgotten-customer bucket) that has a list behind it is clickable and emits
``clicked``. Thread rule: GUI thread only.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.dashboard.brief import Tile
from crm_desktop.services.dashboard.completion import Completion, Pipeline
from crm_desktop.ui.dashboard.format import change_text, money, percent, short_money
from crm_desktop.ui.i18n import tr

CARD_STYLE = ("QFrame#card { background: palette(base); border: 1px solid palette(mid); border-radius: 8px; }"
              "QFrame#card[clickable=\"true\"]:hover { border: 1px solid #1f4e79; }")


def card(title: str) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("card")
    frame.setStyleSheet(CARD_STYLE)
    box = QVBoxLayout(frame)
    box.setContentsMargins(14, 10, 14, 12)
    box.setSpacing(6)
    heading = QLabel(title)
    heading.setStyleSheet("font-size: 15px; font-weight: 600;")
    box.addWidget(heading)
    return frame, box


class TileWidget(QFrame):
    """One brief figure: its name, the count, the amount and the change against last period.

    Public for tests: ``key``, ``title``, ``count_label``, ``amount_label``, ``change_label``."""

    clicked = Signal(str)

    def __init__(self, key: str, title: str, *, clickable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName("card")
        self.setProperty("clickable", clickable)
        self.setStyleSheet(CARD_STYLE)
        if clickable:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.setToolTip(self.tr("Click to open the records counted here."))
        self.clickable = clickable
        box = QVBoxLayout(self)
        box.setContentsMargins(14, 10, 14, 10)
        box.setSpacing(2)
        self.title = QLabel(title)
        self.title.setStyleSheet("color: palette(placeholder-text);")
        self.count_label = QLabel("…")
        self.count_label.setStyleSheet("font-size: 26px; font-weight: 600; color: #1f4e79;")
        self.amount_label = QLabel("")
        self.amount_label.setStyleSheet("font-size: 14px; font-weight: 600;")
        self.change_label = QLabel("")
        self.change_label.setStyleSheet("color: palette(placeholder-text);")
        for widget in (self.title, self.count_label, self.amount_label, self.change_label):
            box.addWidget(widget)

    def show_tile(self, tile: Tile) -> None:
        self.count_label.setText(f"{tile.current.count:,}")
        self.amount_label.setVisible(tile.current.amount is not None or tile.key in (
            "new_opportunities", "new_contracts", "payments"))
        self.amount_label.setText(money(tile.current.amount))
        if tile.current.amount is not None:
            self.amount_label.setToolTip(short_money(tile.current.amount))
        change = tile.amount_change if tile.current.amount is not None else tile.count_change
        self.change_label.setText(self.tr("vs previous period: {change}").format(change=change_text(change)))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self.clickable and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.key)
        super().mouseReleaseEvent(event)


class CompletionPanel(QWidget):
    """业绩指标: per kind a progress bar (achieved of target) and target, achieved, gap, pace;
    then the weighted pipeline closing in the period. Public: ``rows`` (key → (bar, label))."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setVerticalSpacing(4)
        self.rows: dict[str, tuple[QProgressBar, QLabel]] = {}
        self.pipeline_label = QLabel("")
        self.pipeline_label.setWordWrap(True)

    def show_completions(self, completions: tuple[Completion, ...], pipeline: Pipeline | None) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None and widget is not self.pipeline_label:
                widget.deleteLater()
        self.rows.clear()
        row = 0
        for completion in completions:
            name = QLabel(tr(completion.label, "dashboard"))
            name.setStyleSheet("font-weight: 600;")
            bar = QProgressBar()
            bar.setRange(0, 100)
            ratio = completion.ratio
            bar.setValue(min(round((ratio or 0) * 100), 100))
            bar.setFormat(percent(ratio))
            bar.setMaximumHeight(18)
            if completion.hidden:
                text = self.tr("Achieved {achieved} · the targets of colleagues are not shown to you").format(
                    achieved=money(completion.achieved))
            elif completion.target is None:
                text = self.tr("Achieved {achieved} · no target set").format(
                    achieved=money(completion.achieved))
            else:
                text = self.tr("Target {target} · achieved {achieved} · gap {gap} · expected by today {pace}").format(target=money(completion.target), achieved=money(completion.achieved),
                                              gap=money(completion.gap), pace=money(completion.expected_by_today))
            detail = QLabel(text)
            detail.setWordWrap(True)
            self.grid.addWidget(name, row, 0)
            self.grid.addWidget(bar, row, 1)
            self.grid.addWidget(detail, row + 1, 0, 1, 2)
            self.rows[completion.key] = (bar, detail)
            row += 2
        if pipeline is not None:
            gap = next((c.gap for c in completions if c.key == "contracts" and c.gap), None)
            text = self.tr("Weighted pipeline closing in the period: {weighted} ({count} opportunities, {amount} in all)").format(weighted=money(pipeline.weighted), count=pipeline.count,
                                          amount=money(pipeline.amount))
            if gap:
                share = min(pipeline.weighted / gap, 1)
                text += " · " + self.tr("covers {share} of the gap").format(share=percent(float(share)))
            self.pipeline_label.setText(text)
            self.grid.addWidget(self.pipeline_label, row, 0, 1, 2)
        self.grid.setColumnStretch(1, 1)
