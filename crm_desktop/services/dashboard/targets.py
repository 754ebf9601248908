"""Sales targets (业绩目标): per company, department and user, per month of a year.

The administration grid reads and writes one year and kind at a time: a row per subject (the
company, each department in tree order, each enabled user under their department) and twelve
months. Viewing needs ``target.view``, changing ``target.set``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crm_desktop.db import Database
from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Department, SalesTarget, User
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.uow import read_only, unit_of_work

MONTHS = 12
CENT = Decimal("0.01")
MAX_TARGET = Decimal("99999999999999.99")


class TargetKind(StrEnum):
    CONTRACT_AMOUNT = "contract_amount"
    PAYMENTS = "payments"
    NEW_CUSTOMERS = "new_customers"


KIND_LABELS: dict[TargetKind, str] = {
    TargetKind.CONTRACT_AMOUNT: QT_TRANSLATE_NOOP("dashboard", "Contract amount"),
    TargetKind.PAYMENTS: QT_TRANSLATE_NOOP("dashboard", "Payments received"),
    TargetKind.NEW_CUSTOMERS: QT_TRANSLATE_NOOP("dashboard", "New customers"),
}


class Subject(StrEnum):
    COMPANY = "company"
    DEPARTMENT = "department"
    USER = "user"


SubjectKey = tuple[Subject, int]
COMPANY: SubjectKey = (Subject.COMPANY, 0)


@dataclass(frozen=True)
class TargetRow:
    subject: Subject
    subject_id: int
    name: str
    #: Nesting depth in the grid (company 0, top departments 1, …; users one below their department).
    depth: int
    months: tuple[Decimal | None, ...]  # 12 values; None: not set

    @property
    def key(self) -> SubjectKey:
        return (self.subject, self.subject_id)

    @property
    def year_total(self) -> Decimal:
        return sum((m for m in self.months if m is not None), Decimal("0.00"))


@dataclass(frozen=True)
class TargetGrid:
    year: int
    kind: TargetKind
    rows: tuple[TargetRow, ...]

    def row(self, key: SubjectKey) -> TargetRow | None:
        return next((r for r in self.rows if r.key == key), None)


def _stored(session: Session, year: int, kind: TargetKind) -> dict[SubjectKey, list[Decimal | None]]:
    stored: dict[SubjectKey, list[Decimal | None]] = {}
    for subject, subject_id, month, amount in session.execute(
            select(SalesTarget.subject, SalesTarget.subject_id, SalesTarget.month, SalesTarget.amount)
            .where(SalesTarget.year == year, SalesTarget.kind == kind.value)):
        stored.setdefault((Subject(subject), subject_id), [None] * MONTHS)[month - 1] = Decimal(amount)
    return stored


def _subjects(session: Session) -> list[tuple[Subject, int, str, int]]:
    """(subject, id, name, depth): the company, then the department tree with its users."""
    depts = session.execute(select(Department.id, Department.parent_id, Department.name)
                            .order_by(Department.sort_order, Department.id)).all()
    users = session.execute(select(User.id, User.name, User.department_id).where(User.enabled)
                            .order_by(User.id)).all()
    children: dict[int | None, list[tuple[int, str]]] = {}
    for d in depts:
        children.setdefault(d.parent_id, []).append((d.id, d.name))
    members: dict[int, list[tuple[int, str]]] = {}
    for u in users:
        members.setdefault(u.department_id, []).append((u.id, u.name))
    out: list[tuple[Subject, int, str, int]] = [(Subject.COMPANY, 0, "", 0)]

    def walk(parent: int | None, depth: int) -> None:
        for dept_id, name in children.get(parent, []):
            out.append((Subject.DEPARTMENT, dept_id, name, depth))
            out.extend((Subject.USER, uid, uname, depth + 1) for uid, uname in members.get(dept_id, []))
            walk(dept_id, depth + 1)

    walk(None, 1)
    return out


def target_grid(db: Database, actor: Actor, year: int, kind: TargetKind) -> TargetGrid:
    """The grid of ``year`` and ``kind`` (the company's row has an empty name: the UI names it)."""
    with read_only(db, actor) as uow:
        require(uow.actor, "target", "view")
        stored = _stored(uow.session, year, kind)
        rows = tuple(TargetRow(s, i, name, depth, tuple(stored.get((s, i), [None] * MONTHS)))
                     for s, i, name, depth in _subjects(uow.session))
        return TargetGrid(year, kind, rows)


def _check(values: Sequence[Decimal | None], key: SubjectKey) -> list[Decimal | None]:
    if len(values) != MONTHS:
        raise ValidationError({"months": QT_TRANSLATE_NOOP("errors", "A target has twelve months.")})
    checked: list[Decimal | None] = []
    for value in values:
        if value is None:
            checked.append(None)
            continue
        amount = Decimal(value)
        if not amount.is_finite() or amount < 0 or amount > MAX_TARGET:
            raise ValidationError({f"{key[0]}:{key[1]}": QT_TRANSLATE_NOOP(
                "errors", "A target is a number from 0 to 99,999,999,999,999.99.")})
        checked.append(amount.quantize(CENT))
    return checked


def _write(session: Session, year: int, kind: TargetKind, key: SubjectKey, values: Sequence[Decimal | None]) -> None:
    session.execute(delete(SalesTarget).where(SalesTarget.subject == key[0].value, SalesTarget.subject_id == key[1],
                                              SalesTarget.year == year, SalesTarget.kind == kind.value))
    session.add_all(SalesTarget(subject=key[0].value, subject_id=key[1], year=year, month=month + 1, kind=kind.value,
                                amount=value) for month, value in enumerate(values) if value is not None)


def _known(session: Session, key: SubjectKey) -> bool:
    subject, subject_id = key
    if subject is Subject.COMPANY:
        return subject_id == 0
    model = Department if subject is Subject.DEPARTMENT else User
    return session.get(model, subject_id) is not None


def set_targets(db: Database, actor: Actor, year: int, kind: TargetKind,
                rows: Mapping[SubjectKey, Sequence[Decimal | None]]) -> None:
    """Replace the twelve months of each given subject (None leaves a month unset)."""
    checked = {(Subject(s), int(i)): _check(v, (Subject(s), int(i))) for (s, i), v in rows.items()}
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "target", "set")
        for key, values in checked.items():
            if not _known(uow.session, key):
                raise ValidationError({f"{key[0]}:{key[1]}": QT_TRANSLATE_NOOP("errors", "Unknown department or user.")})
            _write(uow.session, year, kind, key, values)


def copy_from_last_year(db: Database, actor: Actor, year: int, kind: TargetKind) -> int:
    """Make ``year``'s targets of ``kind`` those of the year before, for every subject that
    had any (others are left as they are). Returns how many subjects were copied."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "target", "set")
        previous = _stored(uow.session, year - 1, kind)
        for key, values in previous.items():
            if _known(uow.session, key):
                _write(uow.session, year, kind, key, values)
        return len(previous)


def even_split(total: Decimal, months: int = MONTHS) -> tuple[Decimal, ...]:
    """``total`` in ``months`` equal parts to the cent; the cents left over go to the last
    months so that the parts add up to ``total`` exactly."""
    total = Decimal(total).quantize(CENT)
    part = (total / months).quantize(CENT, rounding=ROUND_DOWN)
    left = int((total - part * months) / CENT)
    return tuple(part + (CENT if i >= months - left else 0) for i in range(months))


def fill_evenly(db: Database, actor: Actor, year: int, kind: TargetKind, key: SubjectKey, total: Decimal) -> None:
    """Spread a year's ``total`` over the twelve months of one subject."""
    set_targets(db, actor, year, kind, {key: even_split(total)})


def monthly_targets(session: Session, subjects: Sequence[SubjectKey], kind: TargetKind,
                    years: Sequence[int]) -> dict[tuple[int, int], Decimal]:
    """(year, month) → the sum of the subjects' targets (what the dashboard compares with)."""
    result: dict[tuple[int, int], Decimal] = {}
    if not subjects:
        return result
    by_subject: dict[str, list[int]] = {}
    for subject, subject_id in subjects:
        by_subject.setdefault(subject.value, []).append(subject_id)
    for subject, ids in by_subject.items():
        for year, month, amount in session.execute(
                select(SalesTarget.year, SalesTarget.month, SalesTarget.amount)
                .where(SalesTarget.kind == kind.value, SalesTarget.subject == subject,
                       SalesTarget.subject_id.in_(ids), SalesTarget.year.in_(list(years)))):
            result[(year, month)] = result.get((year, month), Decimal(0)) + Decimal(amount)
    return result
