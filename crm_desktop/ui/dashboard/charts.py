"""pyqtgraph charts of the dashboard: bars with category labels, values on hover, a click on
a bar reported by index (the page opens the records behind it).

Colours differ in lightness as well as hue, and the target is a dashed line, so a chart
printed in grey still tells its series apart. Labels use the application font (Noto Sans CJK
carries the Chinese ones).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QCursor, QFont, QPaintEvent
from PySide6.QtWidgets import QApplication, QGraphicsView, QToolTip, QWidget
from shiboken6 import isValid

from crm_desktop.ui.dashboard.format import short_money

#: Dark, light and middle: three greys when printed without colour.
DARK = QColor("#1f4e79")
LIGHT = QColor("#9dc3e6")
MIDDLE = QColor("#c55a11")
TARGET = QColor("#202020")


class MoneyAxis(pg.AxisItem):
    """A value axis written as short amounts (123.4万) or plain counts."""

    def __init__(self, orientation: str, *, money: bool = True) -> None:
        super().__init__(orientation)
        self.money = money

    def tickStrings(self, values: Sequence[float], scale: float, spacing: float) -> list[str]:
        if not self.money:
            return [f"{v:,.0f}" for v in values]
        return [short_money(v) for v in values]


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]
    colour: QColor
    #: Per-bar colours (e.g. won and lost after the stages); None: ``colour`` for every bar.
    colours: tuple[QColor, ...] | None = None


class BarChart(pg.PlotWidget):
    """Grouped bars, one group per category; ``horizontal`` puts the categories on the left.

    ``clicked(index)`` when a category's bars are clicked; the tooltip of a category shows
    ``tooltips[index]``. Public for tests: ``labels``, ``series``, ``tooltips``, ``line``.
    """

    clicked = Signal(int)

    def __init__(self, *, horizontal: bool = False, money: bool = True, parent: QWidget | None = None) -> None:
        self.horizontal = horizontal
        value_axis = MoneyAxis("bottom" if horizontal else "left", money=money)
        axis_items = {"bottom": value_axis} if horizontal else {"left": value_axis}
        super().__init__(parent=parent, background="w", axisItems=axis_items)
        self.value_axis = value_axis
        self.labels: list[str] = []
        self.series: list[Series] = []
        self.tooltips: list[str] = []
        self.line: Series | None = None
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.showGrid(x=horizontal, y=not horizontal, alpha=0.25)
        font = QFont(QApplication.font())
        for name in ("left", "bottom"):
            axis = self.getAxis(name)
            axis.setStyle(tickFont=font)
            axis.setTextPen(pg.mkPen("#303030"))
            axis.setPen(pg.mkPen("#808080"))
        self.legend = self.addLegend(offset=(-10, 5), labelTextColor="#303030", brush=pg.mkBrush(255, 255, 255, 230),
                                     pen=pg.mkPen("#c0c0c0"))
        self.setMinimumHeight(220)
        self.scene().sigMouseMoved.connect(self._hover)
        self.scene().sigMouseClicked.connect(self._click)

    def paintEvent(self, ev: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        # A paint queued while the window is being torn down can reach the view after its scene
        # was deleted; pyqtgraph's paintEvent then calls into the dead scene and crashes the
        # process (seen once in a full test run). Such a paint has nothing to draw.
        scene = self.scene()
        if scene is None or not isValid(scene) or not self.isVisible() or not self.window().isVisible():
            return
        if not self.labels:
            # Nothing plotted (no data, or the actor may not see it): draw the empty frame
            # without pyqtgraph's prepare-for-paint round over its items.
            QGraphicsView.paintEvent(self, ev)
            return
        super().paintEvent(ev)

    def set_bars(self, labels: Sequence[str], series: Sequence[Series], tooltips: Sequence[str], *,
                 line: Series | None = None) -> None:
        """Draw ``series`` side by side per label; ``line`` (the target) as a dashed line."""
        self.clear()
        if self.legend is not None:
            self.legend.clear()
        self.labels, self.series, self.tooltips, self.line = list(labels), list(series), list(tooltips), line
        count = max(len(series), 1)
        width = 0.8 / count
        for n, item in enumerate(series):
            positions = [i - 0.4 + width * (n + 0.5) for i in range(len(labels))]
            brush: object = [pg.mkBrush(c) for c in item.colours] if item.colours else pg.mkBrush(item.colour)
            pen = pg.mkPen("#202020", width=0.5)
            if self.horizontal:
                # Category 0 at the top: the first (biggest) entry reads first.
                ys = [len(labels) - 1 - p for p in positions]
                bars = pg.BarGraphItem(x0=0, y=ys, height=width * 0.9, width=list(item.values), pen=pen,
                                       **{"brushes" if item.colours else "brush": brush})
            else:
                bars = pg.BarGraphItem(x=positions, height=list(item.values), width=width * 0.9, pen=pen,
                                       **{"brushes" if item.colours else "brush": brush})
            self.addItem(bars)
            if self.legend is not None and len(series) > 1:
                self.legend.addItem(bars, item.name)
        if self.legend is not None:  # an empty legend would still draw its frame
            self.legend.setVisible(len(series) > 1 or line is not None)
        if line is not None and any(line.values):
            xs = list(range(len(labels)))
            curve = self.plot(xs, list(line.values), pen=pg.mkPen(line.colour, width=2, style=Qt.PenStyle.DashLine),
                              symbol="o", symbolSize=5, symbolBrush=line.colour, name=line.name)
            curve.setZValue(10)
        ticks = [(len(labels) - 1 - i if self.horizontal else i, text) for i, text in enumerate(labels)]
        category_axis = self.getAxis("left" if self.horizontal else "bottom")
        category_axis.setTicks([ticks, []])
        if labels:
            if self.horizontal:
                self.setYRange(-0.6, len(labels) - 0.4, padding=0)
            else:
                self.setXRange(-0.6, len(labels) - 0.4, padding=0)
        top = max([max(s.values, default=0) for s in series] + [max(line.values, default=0) if line else 0] + [1])
        if self.horizontal:
            self.setXRange(0, top * 1.08, padding=0)
        else:
            # Headroom above the tallest bar or target for the legend in the top corner.
            self.setYRange(0, top * (1.35 if len(series) > 1 or line is not None else 1.1), padding=0)

    def index_at(self, scene_pos: QPointF) -> int | None:
        """The category under a point of the scene (None: outside the plot or between groups)."""
        view = self.getPlotItem().getViewBox()
        if not view.sceneBoundingRect().contains(scene_pos):
            return None
        point = view.mapSceneToView(scene_pos)
        coordinate = point.y() if self.horizontal else point.x()
        index = round(coordinate)
        if self.horizontal:
            index = len(self.labels) - 1 - index
        if 0 <= index < len(self.labels) and abs(coordinate - round(coordinate)) <= 0.45:
            return index
        return None

    def _hover(self, scene_pos: QPointF) -> None:
        index = self.index_at(scene_pos)
        if index is None or index >= len(self.tooltips):
            QToolTip.hideText()
            return
        QToolTip.showText(QCursor.pos(), self.tooltips[index], self)

    def _click(self, event: object) -> None:
        index = self.index_at(event.scenePos())  # type: ignore[attr-defined]
        if index is not None:
            self.clicked.emit(index)
