"""Sales targets from a spreadsheet (issue 15), read and parsed by the import engine's parts.

A sheet as people keep targets: one row per subject — the company (公司 / 全公司), a
department (by name or path 销售部/华南组) or an employee (by name or mobile) — and twelve
month columns (1月 … 12月, 一月 …, Jan …, January …, or 1 … 12). Title rows above the header
are skipped and a totals row (合计) is not a subject. Amounts are read as a form reads them
(¥, thousands separators, 万 / 亿); an empty month stays unset. The whole sheet is checked
before anything is written: a row that names no subject, or a cell that is not a number, is
reported with its row and column and nothing is saved (the grid is replaced per subject,
so a half-read sheet would leave a half-replaced plan).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Department
from crm_desktop.services.dashboard.targets import (
    COMPANY,
    MONTHS,
    Subject,
    SubjectKey,
    TargetKind,
    set_targets,
)
from crm_desktop.services.imports import values as v
from crm_desktop.services.imports.mapping import HEADER_SCAN, is_totals_row
from crm_desktop.services.imports.prepare import RowError, paths, user_maps
from crm_desktop.services.imports.reading import FileProblem, read_table
from crm_desktop.services.org.permissions import require
from crm_desktop.services.uow import read_only

if TYPE_CHECKING:
    from crm_desktop.db import Database
    from crm_desktop.services.org.actor import Actor

NO_MONTHS = QT_TRANSLATE_NOOP("errors", "No header row with the twelve months (1月 … 12月) was found.")
UNKNOWN_SUBJECT = QT_TRANSLATE_NOOP("errors", "No department or employee has this name (or write 公司 for the company).")
AMBIGUOUS_SUBJECT = QT_TRANSLATE_NOOP("errors", "Several employees have this name: write their mobile number instead.")
NOT_A_COUNT = QT_TRANSLATE_NOOP("errors", "Write a whole number of customers.")
COMPANY_WORDS = ("公司", "全公司", "本公司", "company", "whole company")
_CN_MONTHS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
_EN_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True)
class TargetImport:
    """What a targets sheet holds: the subjects' twelve months, or the problems found."""

    rows: dict[SubjectKey, list[Decimal | None]]
    errors: tuple[RowError, ...]


def month_of(header: Any) -> int | None:
    """1-12 for a month column's header, else None."""
    text = v.text_of(header).strip().lower().replace(" ", "")
    if not text:
        return None
    if m := re.fullmatch(r"(\d{1,2})(月|月份|m)?", text):
        n = int(m.group(1))
        return n if 1 <= n <= MONTHS and (m.group(2) or isinstance(header, int | float)) else None
    if m := re.fullmatch(r"(十一|十二|[一二三四五六七八九十])月份?", text):
        return _CN_MONTHS.index(m.group(1)) + 1
    return next((i + 1 for i, name in enumerate(_EN_MONTHS) if text.startswith(name)), None)


def read_targets(db: Database, actor: Actor, path: Path, kind: TargetKind, *, sheet: str | None = None) -> TargetImport:
    """Parse a targets sheet (writes nothing). FileProblem for a file that cannot be read."""
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "target", "set")
        departments = paths(uow.session.execute(select(Department.id, Department.name, Department.parent_id)).all())
        by_name, by_mobile = user_maps(uow.session)
    table = read_table(Path(path), sheet=sheet)
    header_at, months = _header(table.rows)
    headers = [v.text_of(c) for c in table.rows[header_at]]
    name_col = next((c for c in range(len(headers)) if c not in months.values()), 0)
    found: dict[SubjectKey, list[Decimal | None]] = {}
    errors: list[RowError] = []
    data = table.rows[header_at + 1:]
    for i, cells in enumerate(data):
        sheet_row = header_at + 2 + i
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        if i == len(data) - 1 and is_totals_row(cells):
            continue
        name = v.text_of(cells[name_col] if name_col < len(cells) else "").strip()
        key = _subject(name, departments, by_name, by_mobile)
        if isinstance(key, str):
            errors.append(RowError(sheet_row, headers[name_col] if name_col < len(headers) else "", key))
            continue
        values: list[Decimal | None] = [None] * MONTHS
        for month, col in months.items():
            raw = cells[col] if col < len(cells) else None
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            try:
                amount = v.parse_number(raw, money=True, allow_negative=False)
                if kind is TargetKind.NEW_CUSTOMERS and amount != amount.to_integral_value():
                    raise v.BadValue(NOT_A_COUNT)
            except v.BadValue as exc:
                errors.append(RowError(sheet_row, headers[col], str(exc)))
                continue
            values[month - 1] = amount
        found[key] = values
    return TargetImport(found, tuple(errors))


def import_targets(db: Database, actor: Actor, path: Path, *, year: int, kind: TargetKind,
                   sheet: str | None = None) -> TargetImport:
    """Read a targets sheet and, when every row is right, set its subjects' months of ``year``."""
    parsed = read_targets(db, actor, path, kind, sheet=sheet)
    if not parsed.errors and parsed.rows:
        set_targets(db, actor, year, kind, parsed.rows)
    return parsed


def _header(rows: Sequence[Sequence[Any]]) -> tuple[int, dict[int, int]]:
    """(header row, month → column) of the first row naming the twelve months."""
    for i, row in enumerate(rows[:HEADER_SCAN]):
        months: dict[int, int] = {}
        for col, cell in enumerate(row):
            if (month := month_of(cell)) is not None:
                months.setdefault(month, col)
        if len(months) == MONTHS:
            return i, months
    raise FileProblem(NO_MONTHS)


def _subject(name: str, departments: dict[str, int], by_name: dict[str, list[int]],
             by_mobile: dict[str, int]) -> SubjectKey | str:
    """The subject a row names, or the reason it names none."""
    if name.lower() in COMPANY_WORDS:
        return COMPANY
    text = name.replace(" ", "").replace("／", "/")
    if text in departments:
        return (Subject.DEPARTMENT, departments[text])
    if name in by_mobile:
        return (Subject.USER, by_mobile[name])
    ids = by_name.get(name, [])
    if len(ids) == 1:
        return (Subject.USER, ids[0])
    return AMBIGUOUS_SUBJECT if ids else UNKNOWN_SUBJECT
