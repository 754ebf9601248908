"""The opportunity stage bar (商机阶段条): the stage group's stages as connected arrow segments.

Stages already passed are filled light, the current one strong, later ones grey; a won
opportunity shows every stage green, a lost or invalid one marks its stage red or grey. The
win rate of the current stage (100 % once won, 0 % when lost or invalid) is written at the end.
Clicking another stage of an open opportunity emits ``stage_clicked(stage_id)``; the detail page
asks for confirmation and calls the service. The widget itself never writes.
Thread rule: GUI thread only.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from crm_desktop.services.sales.opportunities import StageBarDTO

#: Fill and text colours per segment state.
COLORS: dict[str, tuple[str, str]] = {
    "passed": ("#cfe3f7", "#17406d"),
    "current": ("#1f6fb8", "#ffffff"),
    "later": ("#eceff2", "#5f6b76"),
    "won": ("#2e8b57", "#ffffff"),
    "lost": ("#c0392b", "#ffffff"),
    "invalid": ("#8d99a6", "#ffffff"),
}
ARROW = 12.0
RATE_WIDTH = 120
HEIGHT = 46


class StageBar(QWidget):
    """Public: ``set_bar(StageBarDTO)``, ``bar`` (the last one shown), ``stage_clicked(int)``,
    ``segment_rect(index)`` and ``stage_at(point)`` (tests click the centre of a segment),
    ``state_of(stage_id)`` ("passed", "current", "later", "won", "lost", "invalid"),
    ``rate_text()``. ``set_interactive(False)`` turns clicks off (no edit permission)."""

    stage_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar: StageBarDTO | None = None
        self._interactive = True
        self.setMinimumHeight(HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(640, HEIGHT)

    def set_bar(self, bar: StageBarDTO | None) -> None:
        self.bar = bar
        self._update_tooltip()
        self.update()

    def set_interactive(self, interactive: bool) -> None:
        self._interactive = interactive
        self.update()

    def is_interactive(self) -> bool:
        """Whether a click may change the stage: editable and the opportunity is open."""
        return self._interactive and self.bar is not None and self.bar.status == "open"

    # --- geometry -----------------------------------------------------------------------------

    def _stages_width(self) -> float:
        return max(float(self.width() - RATE_WIDTH - ARROW), 100.0)

    def segment_rect(self, index: int) -> QRectF:
        count = len(self.bar.stages) if self.bar else 0
        if not 0 <= index < count:
            return QRectF()
        width = self._stages_width() / count
        return QRectF(index * width, 4.0, width, float(self.height() - 8))

    def stage_at(self, point: QPointF) -> int | None:
        if self.bar is None:
            return None
        for index, stage in enumerate(self.bar.stages):
            if self.segment_rect(index).contains(point):
                return stage.id
        return None

    def state_of(self, stage_id: int) -> str:
        assert self.bar is not None
        bar = self.bar
        ids = [s.id for s in bar.stages]
        current = ids.index(bar.current_stage_id) if bar.current_stage_id in ids else -1
        at = ids.index(stage_id)
        if bar.status == "won":
            return "won"
        if at == current:
            return bar.status if bar.status in ("lost", "invalid") else "current"
        return "passed" if at < current else "later"

    def rate_text(self) -> str:
        if self.bar is None:
            return ""
        status = {"won": self.tr("Won"), "lost": self.tr("Lost"), "invalid": self.tr("Invalid")}.get(self.bar.status)
        rate = self.tr("Win rate {rate}%").format(rate=self.bar.win_rate)
        return f"{status} · {rate}" if status else rate

    # --- painting and clicks ---------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        bar = self.bar
        if bar is None or not bar.stages:
            painter.setPen(QColor("#888"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignVCenter, self.tr("No stages") if bar else "")
            return
        font = QFont(self.font())
        metrics = QFontMetrics(font)
        last = len(bar.stages) - 1
        for index, stage in enumerate(bar.stages):
            rect = self.segment_rect(index)
            fill, ink = COLORS[self.state_of(stage.id)]
            path = _chevron(rect, first=index == 0, last=index == last)
            painter.fillPath(path, QColor(fill))
            painter.setPen(QPen(QColor("#ffffff"), 2))
            painter.drawPath(path)
            painter.setPen(QColor(ink))
            bold = QFont(font)
            bold.setBold(self.state_of(stage.id) in ("current", "lost", "invalid"))
            painter.setFont(bold)
            inner = rect.adjusted(ARROW + 4 if index else 8, 0, 0, 0)
            text = f"{stage.name}  {stage.win_rate}%"
            if metrics.horizontalAdvance(text) > inner.width():
                text = metrics.elidedText(stage.name, Qt.TextElideMode.ElideRight, int(inner.width()))
            painter.drawText(inner, Qt.AlignmentFlag.AlignCenter, text)
        rate_rect = QRectF(self._stages_width() + 8, 0, RATE_WIDTH - 8, self.height())
        rate_font = QFont(font)
        rate_font.setBold(True)
        painter.setFont(rate_font)
        color = {"won": "#2e8b57", "lost": "#c0392b", "invalid": "#6b7782"}.get(bar.status, "#1f6fb8")
        painter.setPen(QColor(color))
        painter.drawText(rate_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self.rate_text())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        stage = self.stage_at(event.position())
        clickable = self.is_interactive() and stage is not None and stage != self.bar.current_stage_id  # type: ignore[union-attr]
        self.setCursor(Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.ArrowCursor)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton and self.is_interactive():
            stage = self.stage_at(event.position())
            if stage is not None and self.bar is not None and stage != self.bar.current_stage_id:
                self.stage_clicked.emit(stage)
        super().mouseReleaseEvent(event)

    def _update_tooltip(self) -> None:
        bar = self.bar
        if bar is None:
            self.setToolTip("")
            return
        tip = self.tr("Stage group: {name}").format(name=bar.group_name)
        if bar.status == "open":
            tip += "\n" + self.tr("Click a stage to move the opportunity there.")
        self.setToolTip(tip)


def _chevron(rect: QRectF, *, first: bool, last: bool) -> QPainterPath:
    """An arrow segment: a notch on the left (except the first), a point on the right (except the last)."""
    left, right, top, bottom = rect.left(), rect.right(), rect.top(), rect.bottom()
    middle = rect.center().y()
    path = QPainterPath()
    path.moveTo(left, top)
    # The point reaches into the next segment's notch, so the segments interlock.
    path.lineTo(right, top)
    if not last:
        path.lineTo(right + ARROW, middle)
    path.lineTo(right, bottom)
    path.lineTo(left, bottom)
    if not first:
        path.lineTo(left + ARROW, middle)
    path.closeSubpath()
    return path


__all__ = ["StageBar"]
