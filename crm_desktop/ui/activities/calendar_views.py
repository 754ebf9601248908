"""The calendar's views: a month grid, a week and a day of hours (painted: a month holds many
small items, and painting them is cheaper and tidier than a widget each), and an agenda list.
In the week and day views a schedule event is dragged to move it or resized by its bottom edge.

Each view shows ``CalendarItem``s (services.activities.calendar) and emits ``activated(item)``
on a double click (or Enter on the agenda) and ``day_chosen(date)`` on a click in an empty
spot. Public for tests: ``items_on(day)`` — the titles a day shows.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QPoint, QRect, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.activities.calendar import CalendarItem
from crm_desktop.ui.activities.common import local_zone

WEEKDAY_KEYS = (QT_TRANSLATE_NOOP("calendar", "Mon"), QT_TRANSLATE_NOOP("calendar", "Tue"),
                QT_TRANSLATE_NOOP("calendar", "Wed"), QT_TRANSLATE_NOOP("calendar", "Thu"),
                QT_TRANSLATE_NOOP("calendar", "Fri"), QT_TRANSLATE_NOOP("calendar", "Sat"),
                QT_TRANSLATE_NOOP("calendar", "Sun"))


def day_name(weekday: int) -> str:
    return QCoreApplication.translate("calendar", WEEKDAY_KEYS[weekday])


def month_grid_start(anchor: dt.date) -> dt.date:
    """The Monday on or before the 1st of ``anchor``'s month (the grid's first cell)."""
    first = anchor.replace(day=1)
    return first - dt.timedelta(days=first.weekday())


def week_start(anchor: dt.date) -> dt.date:
    return anchor - dt.timedelta(days=anchor.weekday())


def _days_of(item: CalendarItem) -> list[dt.date]:
    tz = local_zone()
    first = item.start.astimezone(tz).date()
    end = item.end.astimezone(tz)
    last = end.date()
    if item.end > item.start and end.time() == dt.time():
        last -= dt.timedelta(days=1)
    last = max(last, first)
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _label(item: CalendarItem) -> str:
    if item.all_day:
        return item.title
    return f"{item.start.astimezone(local_zone()):%H:%M} {item.title}"


class _PaintedView(QWidget):
    activated = Signal(object)
    day_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[CalendarItem] = []
        self.anchor = dt.date.today()
        self.today = dt.date.today()
        self._hits: list[tuple[QRect, CalendarItem]] = []
        self._day_rects: list[tuple[QRect, dt.date]] = []
        self.setMouseTracking(True)
        self.setMinimumSize(400, 300)

    def set_items(self, anchor: dt.date, items: Sequence[CalendarItem], *, today: dt.date) -> None:
        self.anchor, self.items, self.today = anchor, list(items), today
        self.update()

    def by_day(self) -> dict[dt.date, list[CalendarItem]]:
        out: dict[dt.date, list[CalendarItem]] = {}
        for item in self.items:
            for day in _days_of(item):
                out.setdefault(day, []).append(item)
        return out

    def items_on(self, day: dt.date) -> list[str]:
        return [i.title for i in self.by_day().get(day, [])]

    def _item_at(self, pos: QPoint) -> CalendarItem | None:
        for rect, item in self._hits:
            if rect.contains(pos):
                return item
        return None

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        item = self._item_at(event.position().toPoint())
        if item is not None:
            self.activated.emit(item)
            return
        for rect, day in self._day_rects:
            if rect.contains(event.position().toPoint()):
                self.day_chosen.emit(day)
                return

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        item = self._item_at(event.position().toPoint())
        self.setToolTip(_label(item) if item else "")

    def _chip(self, painter: QPainter, rect: QRect, item: CalendarItem) -> None:
        colour = QColor(item.colour or "#6b7280")
        fill = QColor(colour)
        fill.setAlpha(60 if item.done else 45)
        # The base first: an hour's grid line must not run through an event's text.
        painter.fillRect(rect, self.palette().color(QPalette.ColorRole.Base))
        painter.fillRect(rect, fill)
        painter.fillRect(QRect(rect.left(), rect.top(), 3, rect.height()), colour)
        painter.setPen(self.palette().color(QPalette.ColorRole.Text))
        line = painter.fontMetrics().height() + 3
        # A tall chip (an hour view's long event) reads from its top, as calendars do.
        text_rect = rect.adjusted(6, 0, -2, 0) if rect.height() < 2 * line else \
            QRect(rect.left() + 6, rect.top() + 2, rect.width() - 8, line)
        text = painter.fontMetrics().elidedText(_label(item), Qt.TextElideMode.ElideRight, text_rect.width())
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)
        self._hits.append((rect, item))


class MonthView(_PaintedView):
    """Six weeks from the Monday before the 1st; up to as many items per day as fit, then "+N"."""

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        self._hits, self._day_rects = [], []
        pal = self.palette()
        painter.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        fm = painter.fontMetrics()
        header_h = fm.height() + 8
        width, height = self.width(), self.height() - header_h
        cell_w, cell_h = width / 7, height / 6
        line_h = fm.height() + 3
        painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
        for d, key in enumerate(WEEKDAY_KEYS):
            painter.drawText(QRect(int(d * cell_w), 0, int(cell_w), header_h), Qt.AlignmentFlag.AlignCenter,
                             day_name(d))
        days = self.by_day()
        first = month_grid_start(self.anchor)
        bold = QFont(painter.font())
        bold.setBold(True)
        for n in range(42):
            day = first + dt.timedelta(days=n)
            x, y = int((n % 7) * cell_w), int(header_h + (n // 7) * cell_h)
            rect = QRect(x, y, int(cell_w), int(cell_h))
            self._day_rects.append((rect, day))
            if day.month != self.anchor.month:
                painter.fillRect(rect, pal.color(QPalette.ColorRole.AlternateBase))
            painter.setPen(pal.color(QPalette.ColorRole.Mid))
            painter.drawRect(rect)
            painter.setPen(QColor("#2563eb") if day == self.today else pal.color(QPalette.ColorRole.Text))
            painter.setFont(bold if day == self.today else self.font())
            painter.drawText(rect.adjusted(4, 2, -4, 0), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
                             str(day.day))
            painter.setFont(self.font())
            entries = days.get(day, [])
            room = max(int((cell_h - line_h - 4) // line_h), 0)
            shown = entries if len(entries) <= room else entries[:max(room - 1, 0)]
            for k, item in enumerate(shown):
                self._chip(painter, QRect(x + 2, y + line_h + 2 + k * line_h, int(cell_w) - 4, line_h - 1), item)
            if len(shown) < len(entries):
                painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
                painter.drawText(QRect(x + 6, y + line_h + 2 + len(shown) * line_h, int(cell_w) - 8, line_h),
                                 Qt.AlignmentFlag.AlignLeft, self.tr("+%1 more").replace("%1",
                                                                                          str(len(entries) - len(shown))))
        painter.end()


#: Dragging snaps to this many minutes.
SNAP_MINUTES = 15
#: A press this close to a chip's bottom edge resizes it (its end moves) instead of moving it.
RESIZE_GRIP = 5


class WeekView(_PaintedView):
    """Seven days from Monday: all-day items on top, timed ones placed by their hours.

    A timed schedule event (layer "events") is dragged to another time or day, or resized by
    its bottom edge, in steps of ``SNAP_MINUTES``; on release ``moved(item, start, end)`` is
    emitted (UTC) and the page saves it. Nothing else is draggable (tasks, follow-ups and the
    other layers move in their own forms). Public for tests: ``rect_of(item)``.
    """

    FIRST_HOUR, LAST_HOUR = 7, 22
    DAYS = 7
    moved = Signal(object, object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._drag: tuple[CalendarItem, str, QPoint] | None = None
        self._preview: tuple[CalendarItem, dt.datetime, dt.datetime] | None = None
        self._geometry: tuple[float, float, float] = (0.0, 1.0, 1.0)  # top, hour height, column width

    def first_day(self) -> dt.date:
        return week_start(self.anchor)

    def rect_of(self, item: CalendarItem) -> QRect | None:
        """Where ``item`` was last painted (None: not shown)."""
        return next((rect for rect, shown in self._hits if shown == item), None)

    # --- dragging -----------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        pos = event.position().toPoint()
        item = self._item_at(pos)
        if event.button() == Qt.MouseButton.LeftButton and item is not None and item.layer == "events" \
                and not item.all_day:
            rect = self.rect_of(item)
            resize = rect is not None and rect.bottom() - pos.y() <= RESIZE_GRIP
            self._drag = (item, "resize" if resize else "move", pos)
        super().mousePressEvent(event)

    def _dragged_times(self, pos: QPoint) -> tuple[dt.datetime, dt.datetime] | None:
        if self._drag is None:
            return None
        item, mode, origin = self._drag
        _top, hour_h, col_w = self._geometry
        minutes = round((pos.y() - origin.y()) / hour_h * 60 / SNAP_MINUTES) * SNAP_MINUTES
        days = round((pos.x() - origin.x()) / col_w) if mode == "move" else 0
        if not minutes and not days:
            return None
        shift = dt.timedelta(days=days, minutes=minutes)
        if mode == "move":
            return item.start + shift, item.end + shift
        return item.start, max(item.end + shift, item.start + dt.timedelta(minutes=SNAP_MINUTES))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._drag is not None:
            times = self._dragged_times(event.position().toPoint())
            self._preview = (self._drag[0], *times) if times else None
            self.update()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._drag is not None:
            item = self._drag[0]
            times = self._dragged_times(event.position().toPoint())
            self._drag, self._preview = None, None
            self.update()
            if times is not None:
                self.moved.emit(item, *times)
                return
        super().mouseReleaseEvent(event)

    # --- painting -----------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        self._hits, self._day_rects = [], []
        pal = self.palette()
        painter.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        fm = painter.fontMetrics()
        gutter = fm.horizontalAdvance("00:00") + 10
        header_h = fm.height() + 8
        days = self.by_day()
        first = self.first_day()
        all_day_rows = max([len([i for i in days.get(first + dt.timedelta(days=d), []) if i.all_day])
                            for d in range(self.DAYS)] + [1])
        line_h = fm.height() + 3
        top = header_h + all_day_rows * line_h + 4
        col_w = (self.width() - gutter) / self.DAYS
        hours = self.LAST_HOUR - self.FIRST_HOUR
        hour_h = (self.height() - top) / hours
        self._geometry = (top, hour_h, col_w)
        tz = local_zone()
        painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
        for h in range(hours):
            y = int(top + h * hour_h)
            # The label sits on its line (the first one below it: above is the all-day row), so
            # "10:00" is read level with an event starting at ten, not half an hour lower.
            label_y = y - fm.height() // 2 if h else y
            painter.drawText(QRect(0, label_y, gutter - 4, fm.height()), Qt.AlignmentFlag.AlignRight,
                             f"{self.FIRST_HOUR + h:02d}:00")
            painter.setPen(pal.color(QPalette.ColorRole.Midlight))
            painter.drawLine(gutter, y, self.width(), y)
            painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))

        def place(day: dt.date, start: dt.datetime, end: dt.datetime) -> tuple[int, int]:
            start, end = start.astimezone(tz), max(end.astimezone(tz), start.astimezone(tz) + dt.timedelta(minutes=30))
            if start.date() != day:
                start = dt.datetime.combine(day, dt.time(self.FIRST_HOUR), tzinfo=tz)
            begin_h = min(max(start.hour + start.minute / 60, self.FIRST_HOUR), self.LAST_HOUR - 0.5)
            end_h = end.hour + end.minute / 60 if end.date() == day else self.LAST_HOUR
            end_h = min(max(end_h, begin_h + 0.5), self.LAST_HOUR)
            return int(top + (begin_h - self.FIRST_HOUR) * hour_h), int(top + (end_h - self.FIRST_HOUR) * hour_h)

        for d in range(self.DAYS):
            day = first + dt.timedelta(days=d)
            x = int(gutter + d * col_w)
            rect = QRect(x, 0, int(col_w), self.height())
            self._day_rects.append((rect, day))
            painter.setPen(pal.color(QPalette.ColorRole.Mid))
            painter.drawLine(x, 0, x, self.height())
            painter.setPen(QColor("#2563eb") if day == self.today else pal.color(QPalette.ColorRole.Text))
            painter.drawText(QRect(x, 0, int(col_w), header_h), Qt.AlignmentFlag.AlignCenter,
                             f"{day_name(day.weekday())} {day.month}/{day.day}")
            entries = days.get(day, [])
            for k, item in enumerate(i for i in entries if i.all_day):
                self._chip(painter, QRect(x + 2, header_h + k * line_h, int(col_w) - 4, line_h - 1), item)
            timed = [i for i in entries if not i.all_day]
            for item in timed:
                y0, y1 = place(day, item.start, item.end)
                self._chip(painter, QRect(x + 2, y0 + 1, int(col_w) - 4, max(y1 - y0 - 2, line_h - 1)), item)
        if self._preview is not None:  # where the dragged event would go
            item, start, end = self._preview
            day = start.astimezone(tz).date()
            d = (day - first).days
            if 0 <= d < self.DAYS:
                y0, y1 = place(day, start, end)
                outline = QColor(item.colour or "#6b7280")
                painter.setPen(outline)
                painter.drawRect(QRect(int(gutter + d * col_w) + 2, y0 + 1, int(col_w) - 5, max(y1 - y0 - 3, line_h - 2)))
                painter.drawText(QRect(int(gutter + d * col_w) + 6, y0 + 1, int(col_w) - 8, line_h),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                                 f"{start.astimezone(tz):%H:%M}–{end.astimezone(tz):%H:%M}")
        painter.end()


class DayView(WeekView):
    """One day of hours: the week view's painting and dragging, for the anchor's day."""

    DAYS = 1

    def first_day(self) -> dt.date:
        return self.anchor


class AgendaView(QTreeWidget):
    """A list by day and time: what the next weeks hold."""

    activated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[CalendarItem] = []
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setHeaderLabels([self.tr("Day"), self.tr("Time"), self.tr("What"), self.tr("Kind")])
        header = self.header()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        header.resizeSection(0, 130)
        header.resizeSection(1, 110)
        header.resizeSection(3, 150)
        self.itemActivated.connect(lambda row, _c: self.activated.emit(self.items[self.indexOfTopLevelItem(row)]))

    def set_items(self, items: Sequence[CalendarItem], layer_names: dict[str, str]) -> None:
        self.items = list(items)
        self.clear()
        tz = local_zone()
        for item in self.items:
            start = item.start.astimezone(tz)
            when = self.tr("All day") if item.all_day else (
                f"{start:%H:%M}" + (f"–{item.end.astimezone(tz):%H:%M}" if item.end > item.start else ""))
            row = QTreeWidgetItem([f"{start:%Y-%m-%d} {day_name(start.weekday())}", when, item.title,
                                   layer_names.get(item.layer, item.layer)])
            row.setForeground(3, QColor(item.colour))
            self.addTopLevelItem(row)

    def items_on(self, day: dt.date) -> list[str]:
        return [i.title for i in self.items if i.start.astimezone(local_zone()).date() == day]


__all__ = ["AgendaView", "DayView", "MonthView", "WeekView", "month_grid_start", "week_start"]
