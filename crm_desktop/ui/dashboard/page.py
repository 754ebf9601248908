"""The dashboard page (仪表盘): filter bar, sales brief tiles, target completion, funnel, trend,
rankings and forgotten customers — each figure a door to the records it counted.

Numbers are read in the background (``ops.op``; an older answer never wins) and read again
when records change (``ctx.signals.changed``, bursts coalesced). Export: the page as a PNG,
its numbers as xlsx. Thread rule: GUI thread only.
"""
from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRect, QTimer, Signal
from PySide6.QtGui import (
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
)
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.dashboard.brief import TILES
from crm_desktop.services.dashboard.dashboard import Dashboard, load_dashboard
from crm_desktop.services.dashboard.dashboard_xlsx import write_xlsx
from crm_desktop.services.dashboard.selection import Owners, Selection, owner_choices
from crm_desktop.services.records.filters import Filter
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.dashboard.charts import (
    DARK,
    LIGHT,
    MIDDLE,
    TARGET,
    BarChart,
    Series,
)
from crm_desktop.ui.dashboard.drilldown import DrillDownWindow, can_drill
from crm_desktop.ui.dashboard.filter_bar import FilterBar
from crm_desktop.ui.dashboard.format import money, percent
from crm_desktop.ui.dashboard.panels import CompletionPanel, TileWidget, card
from crm_desktop.ui.forms import MessageBar
from crm_desktop.ui.i18n import current_language, tr
from crm_desktop.ui.ops import op

#: Entities whose change can alter a figure ("*" = everything).
WATCHED = frozenset({"*", "customer", "contact", "opportunity", "contract", "payment", "followup", "target",
                     "user", "department", "role"})
RELOAD_DELAY_MS = 400


def T(text: str) -> str:
    return tr(text, "dashboard")


class DashboardPage(QWidget):
    """Public for tests: ``filter_bar``, ``tiles`` (key → TileWidget), ``completion``,
    ``funnel_chart``, ``trend_chart``, ``trend_combo``, ``ranking_chart``, ``ranking_combo``,
    ``forgotten_buttons``, ``data`` (the Dashboard shown), ``drilldown`` (the last list opened);
    ``loaded`` after each refresh shown."""

    loaded = Signal()

    def __init__(self, ctx: AppContext, *, default: Selection | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.data: Dashboard | None = None
        self.drilldown: DrillDownWindow | None = None
        self._generation = 0
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(RELOAD_DELAY_MS)
        self._reload_timer.timeout.connect(self.reload)
        self._build(default or Selection(owners=Owners.ALL))
        ctx.signals.changed.connect(self._on_changed)
        db, actor = ctx.db, ctx.actor
        op(self, lambda: owner_choices(db, actor)).success(self._choices_arrived).failure(self._failed).run()
        self.reload()

    # --- building -----------------------------------------------------------------------

    def _build(self, default: Selection) -> None:
        actor = self.ctx.actor
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        top = QHBoxLayout()
        self.filter_bar = FilterBar(default)
        self.filter_bar.changed.connect(self.reload)
        top.addWidget(self.filter_bar, 1)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.reload)
        self.png_button = QPushButton(self.tr("Export picture…"))
        self.png_button.clicked.connect(self._ask_png)
        self.xlsx_button = QPushButton(self.tr("Export numbers…"))
        self.xlsx_button.clicked.connect(self._ask_xlsx)
        self.print_button = QPushButton(self.tr("Print…"))
        self.print_button.setToolTip(self.tr("Print the dashboard, or save it as a PDF, from a preview"))
        self.print_button.clicked.connect(self._ask_print)
        for button in (self.refresh_button, self.png_button, self.xlsx_button, self.print_button):
            top.addWidget(button)
        layout.addLayout(top)
        self.message = MessageBar()
        layout.addWidget(self.message)

        tiles = QGridLayout()
        tiles.setHorizontalSpacing(12)
        tiles.setVerticalSpacing(12)
        self.tiles: dict[str, TileWidget] = {}
        shown = [spec for spec in TILES if actor.can(spec.entity, "view")]
        for n, spec in enumerate(shown):
            tile = TileWidget(spec.key, T(spec.label), clickable=can_drill(spec.entity))
            tile.clicked.connect(self._tile_clicked)
            self.tiles[spec.key] = tile
            tiles.addWidget(tile, n // 3, n % 3)
        for column in range(3):
            tiles.setColumnStretch(column, 1)
        layout.addLayout(tiles)

        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(12)
        frame, box = card(self.tr("Target completion"))
        self.completion = CompletionPanel()
        box.addWidget(self.completion)
        box.addStretch(1)
        grid.addWidget(frame, 0, 0)
        frame, box = card(self.tr("Sales funnel"))
        self.funnel_chart = BarChart(horizontal=True, money=False)
        self.funnel_chart.clicked.connect(self._stage_clicked)
        box.addWidget(self.funnel_chart)
        grid.addWidget(frame, 0, 1)

        frame, box = card(self.tr("Sales trend"))
        self.trend_combo = QComboBox()
        self.trend_combo.currentIndexChanged.connect(self._show_trend)
        box.addWidget(self.trend_combo)
        self.trend_chart = BarChart()
        self.trend_chart.clicked.connect(self._trend_clicked)
        box.addWidget(self.trend_chart)
        grid.addWidget(frame, 1, 0)
        frame, box = card(self.tr("Rankings"))
        self.ranking_combo = QComboBox()
        self.ranking_combo.currentIndexChanged.connect(self._show_ranking)
        box.addWidget(self.ranking_combo)
        self.ranking_chart = BarChart(horizontal=True)
        self.ranking_chart.clicked.connect(self._ranking_clicked)
        box.addWidget(self.ranking_chart)
        grid.addWidget(frame, 1, 1)

        frame, box = card(self.tr("Forgotten customers"))
        row = QHBoxLayout()
        self.forgotten_buttons: dict[int, QPushButton] = {}
        for days in (7, 15, 30, 90, 0):
            button = QPushButton("…")
            button.clicked.connect(partial(self._forgotten_clicked, days))
            button.setEnabled(False)
            self.forgotten_buttons[days] = button
            row.addWidget(button)
        row.addStretch(1)
        box.addLayout(row)
        grid.addWidget(frame, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)

    # --- data ---------------------------------------------------------------------------

    def _choices_arrived(self, choices: object) -> None:
        self.filter_bar.set_choices(choices)  # type: ignore[arg-type]

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if entity in WATCHED:
            self._reload_timer.start()

    def reload(self) -> None:
        """Count again in the background for the filter bar's selection."""
        self._reload_timer.stop()
        self._generation += 1
        generation = self._generation
        db, actor, selection = self.ctx.db, self.ctx.actor, self.filter_bar.selection()
        op(self, lambda: load_dashboard(db, actor, selection)).success(
            partial(self._show, generation)).failure(partial(self._failed_load, generation)).run()

    def _failed_load(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self._failed(exc)

    def _failed(self, exc: BaseException) -> None:
        self.message.show_exception(exc)

    def _show(self, generation: int, data: Dashboard) -> None:
        if generation != self._generation:
            return
        self.data = data
        self.message.clear()
        for tile in data.tiles:
            widget = self.tiles.get(tile.key)
            if widget is not None:
                widget.show_tile(tile)
        self.completion.show_completions(data.completions, data.pipeline)
        self._show_funnel()
        self._fill_combo(self.trend_combo, [(s.key, T(s.label)) for s in data.trend])
        self._show_trend()
        self._fill_combo(self.ranking_combo, [(r.key, T(r.label)) for r in data.rankings])
        self._show_ranking()
        for bucket in data.forgotten:
            button = self.forgotten_buttons[bucket.days]
            text = (self.tr("Never followed up: {n}") if bucket.days == 0 else self.tr("Over {days} days: {n}")).format(
                days=bucket.days, n=f"{bucket.figure.count:,}")
            button.setText(text)
            button.setEnabled(True)
        self.loaded.emit()

    @staticmethod
    def _fill_combo(combo: QComboBox, items: list[tuple[str, str]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for key, label in items:
            combo.addItem(label, key)
        index = combo.findData(current)
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def _funnel_rows(self) -> list[tuple[str, object]]:
        """(label, stage or won/lost filter holder) in the chart's order."""
        if self.data is None or self.data.funnel is None:
            return []
        rows: list[tuple[str, object]] = []
        many = len(self.data.funnel.groups) > 1
        for group in self.data.funnel.groups:
            for stage in group.stages:
                rows.append((f"{group.name} · {stage.name}" if many else stage.name, stage))
        return rows

    def _show_funnel(self) -> None:
        funnel = self.data.funnel if self.data else None
        if funnel is None:
            self.funnel_chart.set_bars([], [], [])
            return
        rows = self._funnel_rows()
        labels = [label for label, _ in rows] + [self.tr("Won"), self.tr("Lost")]
        figures = [stage.open for _, stage in rows] + [funnel.won, funnel.lost]  # type: ignore[attr-defined]
        tips = []
        for (_label, stage), figure in zip(rows, figures, strict=False):
            tips.append(self.tr("{count} open · {amount} · conversion {conversion}").format(
                count=figure.count, amount=money(figure.amount), conversion=percent(stage.conversion)))  # type: ignore[attr-defined]
        tips += [self.tr("{count} won · {amount}").format(count=funnel.won.count, amount=money(funnel.won.amount)),
                 self.tr("{count} lost · {amount}").format(count=funnel.lost.count, amount=money(funnel.lost.amount))]
        # Won and lost in other shades than the open stages, so they stand apart in grey too.
        colours = (DARK,) * len(rows) + (MIDDLE, LIGHT)
        self.funnel_chart.set_bars(labels, [Series(self.tr("Opportunities"), tuple(float(f.count) for f in figures),
                                                   DARK, colours)], tips)

    def _current_trend(self):  # type: ignore[no-untyped-def]
        if self.data is None:
            return None
        key = self.trend_combo.currentData()
        return next((s for s in self.data.trend if s.key == key), None)

    def _show_trend(self, *_args: object) -> None:
        series = self._current_trend()
        if series is None:
            self.trend_chart.set_bars([], [], [])
            return
        labels = [_bucket_label(p.period.start, p.period.end, series.bucket.value) for p in series.points]
        now = tuple(float(p.current.amount or 0) for p in series.points)
        before = tuple(float(p.last_year.amount or 0) for p in series.points)
        target = tuple(float(p.target or 0) for p in series.points)
        tips = [self.tr("{amount} · last year {before} · target {target}").format(
            amount=money(p.current.amount), before=money(p.last_year.amount), target=money(p.target))
            for p in series.points]
        self.trend_chart.set_bars(labels, [Series(self.tr("This period"), now, DARK), Series(self.tr("A year earlier"), before, LIGHT)],
                                  tips, line=Series(self.tr("Target"), target, TARGET))

    def _current_ranking(self):  # type: ignore[no-untyped-def]
        if self.data is None:
            return None
        key = self.ranking_combo.currentData()
        return next((r for r in self.data.rankings if r.key == key), None)

    def _show_ranking(self, *_args: object) -> None:
        ranking = self._current_ranking()
        if ranking is None:
            self.ranking_chart.set_bars([], [], [])
            return
        self.ranking_chart.value_axis.money = ranking.by_amount
        labels = [e.name for e in ranking.entries]
        values = tuple(float(e.value) for e in ranking.entries)
        tips = [money(e.value) if ranking.by_amount else f"{e.figure.count:,}" for e in ranking.entries]
        self.ranking_chart.set_bars(labels, [Series(T(ranking.label), values, DARK)], tips)

    # --- drilling down ------------------------------------------------------------------

    def open_drilldown(self, entity: str, flt: Filter, title: str) -> DrillDownWindow | None:
        """Open the list of the records a figure counted (None: that entity has no list)."""
        if not can_drill(entity):
            return None
        window = DrillDownWindow(self.ctx, entity, flt, title, parent=self)
        window.show()
        self.drilldown = window
        return window

    def _tile_clicked(self, key: str) -> None:
        tile = self.data.tile(key) if self.data else None
        if tile is not None:
            self.open_drilldown(tile.entity, tile.filter, T(tile.label))

    def _stage_clicked(self, index: int) -> None:
        funnel = self.data.funnel if self.data else None
        if funnel is None:
            return
        rows = self._funnel_rows()
        if index < len(rows):
            label, stage = rows[index]
            self.open_drilldown("opportunity", stage.filter, label)  # type: ignore[attr-defined]
        elif index == len(rows):
            self.open_drilldown("opportunity", funnel.won_filter, self.tr("Won"))
        else:
            self.open_drilldown("opportunity", funnel.lost_filter, self.tr("Lost"))

    def _trend_clicked(self, index: int) -> None:
        series = self._current_trend()
        if series is not None and index < len(series.points):
            self.open_drilldown(series.entity, series.points[index].filter, T(series.label))

    def _ranking_clicked(self, index: int) -> None:
        ranking = self._current_ranking()
        if ranking is not None and index < len(ranking.entries):
            entry = ranking.entries[index]
            self.open_drilldown(ranking.entity, entry.filter, f"{T(ranking.label)} · {entry.name}")

    def _forgotten_clicked(self, days: int) -> None:
        bucket = next((b for b in self.data.forgotten if b.days == days), None) if self.data else None
        if bucket is not None:
            self.open_drilldown("customer", bucket.filter, self.tr("Forgotten customers"))

    # --- export -------------------------------------------------------------------------

    def export_png(self, path: Path) -> Path:
        """The dashboard as it is on screen, written as a PNG."""
        if not self.grab().save(str(path), "PNG"):
            raise OSError(str(path))
        return path

    def export_xlsx(self, path: Path) -> None:
        """The numbers shown, one sheet per panel (in the background)."""
        data = self.data
        if data is None:
            return
        op(self, lambda: write_xlsx(data, path, T)).success(
            lambda _p: self.message.show_info(self.tr("Numbers exported."))).failure(self._failed).run()

    def paint_on(self, device: QPagedPaintDevice) -> None:
        """The dashboard as it is on screen, on one page of ``device`` (a printer or a PDF),
        scaled to fit the page and centred at its top."""
        picture = self.grab()
        painter = QPainter(device)
        try:
            page = device.pageLayout().paintRectPixels(device.resolution())
            scale = min(page.width() / max(1, picture.width()), page.height() / max(1, picture.height()))
            width, height = int(picture.width() * scale), int(picture.height() * scale)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawPixmap(QRect((page.width() - width) // 2, 0, width, height), picture)
        finally:
            painter.end()

    def export_pdf(self, path: Path) -> Path:
        """The dashboard on one landscape A4 page of a PDF file."""
        writer = QPdfWriter(str(path))
        writer.setResolution(150)
        writer.setTitle(self.tr("Dashboard"))
        writer.setCreator("CRM Desktop")
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape,
                                         QMarginsF(10, 10, 10, 10), QPageLayout.Unit.Millimeter))
        self.paint_on(writer)
        return path

    def _ask_print(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageOrientation(QPageLayout.Orientation.Landscape)
        preview = QPrintPreviewDialog(printer, self)  # its own buttons print, or save a PDF
        preview.paintRequested.connect(self.paint_on)
        preview.exec()

    def _ask_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export picture"), "dashboard.png", self.tr("PNG picture (*.png)"))
        if path:
            try:
                self.export_png(Path(path))
            except OSError as exc:
                self._failed(exc)

    def _ask_xlsx(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export numbers"), "dashboard.xlsx", self.tr("Excel workbook (*.xlsx)"))
        if path:
            self.export_xlsx(Path(path))


def _bucket_label(start: dt.date, end: dt.date, bucket: str) -> str:
    """A trend bucket's axis label: the month (3月 / Mar), a week's Monday (3/9) or the day."""
    if bucket == "month":
        return f"{start.month}月" if current_language() == "zh_CN" else start.strftime("%b")
    if bucket == "week":
        return f"{start.month}/{start.day}"
    return f"{start.day}"
