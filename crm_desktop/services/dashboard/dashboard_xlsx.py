"""The dashboard's numbers as an xlsx workbook (one sheet per panel), written with openpyxl.

Labels arrive translated from the UI (``labels``: English source → shown text); every text
cell a person could type (= + - @ first) is written as text, as every export here does.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.dashboard.dashboard import Dashboard

Translate = Callable[[str], str]



def _safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _sheet(book: Workbook, title: str, header: list[str]) -> Worksheet:
    sheet = book.create_sheet(title[:31])
    sheet.append([_safe(h) for h in header])
    return sheet


def write_xlsx(board: Dashboard, path: Path, tr: Translate = lambda s: s) -> Path:
    """Write every panel's figures to ``path`` (amounts as numbers, None as empty cells)."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    period = f"{board.period.start.isoformat()} – {board.period.end.isoformat()}"
    previous = f"{board.previous.start.isoformat()} – {board.previous.end.isoformat()}"
    sheet = _sheet(book, tr(QT_TRANSLATE_NOOP("dashboard", "Sales brief")), [tr(QT_TRANSLATE_NOOP("dashboard", "Figure")), tr(QT_TRANSLATE_NOOP("dashboard", "Count")), tr(QT_TRANSLATE_NOOP("dashboard", "Amount")), tr(QT_TRANSLATE_NOOP("dashboard", "Previous count")),
                                               tr(QT_TRANSLATE_NOOP("dashboard", "Previous amount")), tr(QT_TRANSLATE_NOOP("dashboard", "Period")), tr(QT_TRANSLATE_NOOP("dashboard", "Previous period"))])
    for t in board.tiles:
        sheet.append([_safe(tr(t.label)), t.current.count, t.current.amount, t.previous.count, t.previous.amount,
                      period, previous])
    sheet = _sheet(book, tr(QT_TRANSLATE_NOOP("dashboard", "Target completion")), [tr(QT_TRANSLATE_NOOP("dashboard", "Figure")), tr(QT_TRANSLATE_NOOP("dashboard", "Target")), tr(QT_TRANSLATE_NOOP("dashboard", "Achieved")), tr(QT_TRANSLATE_NOOP("dashboard", "Completion")),
                                                     tr(QT_TRANSLATE_NOOP("dashboard", "Gap")), tr(QT_TRANSLATE_NOOP("dashboard", "Expected by today"))])
    for c in board.completions:
        sheet.append([_safe(tr(c.label)), c.target, c.achieved, c.ratio, c.gap, c.expected_by_today])
    if board.pipeline is not None:
        sheet.append([_safe(tr(QT_TRANSLATE_NOOP("dashboard", "Weighted pipeline"))), None, board.pipeline.weighted, None, None, None])
    if board.funnel is not None:
        sheet = _sheet(book, tr(QT_TRANSLATE_NOOP("dashboard", "Sales funnel")), [tr(QT_TRANSLATE_NOOP("dashboard", "Stage group")), tr(QT_TRANSLATE_NOOP("dashboard", "Stage")), tr(QT_TRANSLATE_NOOP("dashboard", "Open")), tr(QT_TRANSLATE_NOOP("dashboard", "Amount")),
                                                    tr(QT_TRANSLATE_NOOP("dashboard", "Conversion"))])
        for group in board.funnel.groups:
            for stage in group.stages:
                sheet.append([_safe(group.name), _safe(stage.name), stage.open.count, stage.open.amount,
                              stage.conversion])
        sheet.append([_safe(tr(QT_TRANSLATE_NOOP("dashboard", "Won"))), None, board.funnel.won.count, board.funnel.won.amount, None])
        sheet.append([_safe(tr(QT_TRANSLATE_NOOP("dashboard", "Lost"))), None, board.funnel.lost.count, board.funnel.lost.amount, None])
    sheet = _sheet(book, tr(QT_TRANSLATE_NOOP("dashboard", "Sales trend")), [tr(QT_TRANSLATE_NOOP("dashboard", "Series")), tr(QT_TRANSLATE_NOOP("dashboard", "From")), tr(QT_TRANSLATE_NOOP("dashboard", "To")), tr(QT_TRANSLATE_NOOP("dashboard", "Amount")), tr(QT_TRANSLATE_NOOP("dashboard", "Last year")),
                                              tr(QT_TRANSLATE_NOOP("dashboard", "Target"))])
    for series in board.trend:
        for point in series.points:
            sheet.append([_safe(tr(series.label)), point.period.start, point.period.end, point.current.amount,
                          point.last_year.amount, point.target])
    sheet = _sheet(book, tr(QT_TRANSLATE_NOOP("dashboard", "Rankings")), [tr(QT_TRANSLATE_NOOP("dashboard", "Ranking")), tr(QT_TRANSLATE_NOOP("dashboard", "Rank")), tr(QT_TRANSLATE_NOOP("dashboard", "Colleague")), tr(QT_TRANSLATE_NOOP("dashboard", "Value"))])
    for ranking in board.rankings:
        for rank, entry in enumerate(ranking.entries, 1):
            sheet.append([_safe(tr(ranking.label)), rank, _safe(entry.name), entry.value])
    sheet = _sheet(book, tr(QT_TRANSLATE_NOOP("dashboard", "Forgotten customers")), [tr(QT_TRANSLATE_NOOP("dashboard", "Days without follow-up")), tr(QT_TRANSLATE_NOOP("dashboard", "Customers"))])
    for bucket in board.forgotten:
        sheet.append([bucket.days if bucket.days else _safe(tr(QT_TRANSLATE_NOOP("dashboard", "Never"))), bucket.figure.count])
    book.save(path)
    return path
