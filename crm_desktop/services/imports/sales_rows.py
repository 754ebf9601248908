"""The modules whose records their own service inserts, row by row: opportunities, contracts
(with product lines), payments and follow-ups.

Customers, leads, contacts and products go in by one multi-row INSERT per chunk (``write``):
a million of them is what a company brings. These four carry rules a bulk INSERT would have
to copy — an opportunity's stage group and stage history, a contract's number, lines and
amount, a payment's outstanding-amount check and its contract's received amount, a
follow-up's summary on its customer — so each row goes through the same in-transaction
insert the service's form uses (``insert_opportunity``, ``insert_contract``,
``insert_payment``, ``insert_followup``), inside a savepoint of the chunk's transaction: a row
the service refuses is reported with the service's reason and leaves nothing behind.

Historical records: with the import's automation off (the default), an imported contract or
payment is recorded as approved — it was signed, the money was received — exactly as when no
approval flow is enabled (its customer becomes a deal, the contract's received amount counts
the payment). With automation on, each is submitted to its approval flow as a form's submit
does. Both need the import permission, which is the administrator's to give.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Contract, Product, RecordMixin, Stage, utcnow
from crm_desktop.services.customers.customers import write_status
from crm_desktop.services.customers.followups import insert_followup, kinds_in
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.imports.prepare import PreparedRow
from crm_desktop.services.imports.values import (
    BadValue,
    parse_number,
    parse_quantity,
    text_of,
)
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.scope import visible_filter
from crm_desktop.services.records.schema import CUSTOM_PREFIX
from crm_desktop.services.sales.contracts import (
    contract_finished,
    contracts,
    insert_contract,
    submit_row,
)
from crm_desktop.services.sales.opportunities import (
    insert_opportunity,
    record_stage_change,
    set_status,
)
from crm_desktop.services.sales.payments import (
    insert_payment,
    payment_finished,
    payments,
)
from crm_desktop.services.sales.product_lines import LineInput
from crm_desktop.services.sales.stages import DEFAULT_STAGES, stages_of
from crm_desktop.services.uow import UnitOfWork

STAGE_UNKNOWN = QT_TRANSLATE_NOOP("errors", "No stage of the owner's stage group has this name.")
CONTRACT_UNKNOWN = QT_TRANSLATE_NOOP("errors", "No contract you can see has this number or name.")
CONTRACT_AMBIGUOUS = QT_TRANSLATE_NOOP("errors", "Several contracts have this name: use the contract number.")
PRODUCT_UNKNOWN = QT_TRANSLATE_NOOP("errors", "No product has this code or name.")
LINE_OF = QT_TRANSLATE_NOOP("errors", "A product line of the contract on row {row}.")
NOT_UPDATED = QT_TRANSLATE_NOOP("errors", "Already exists: contracts and payments are not changed by an import.")

#: What a stage cell says when the opportunity is closed (赢单 / 输单 / 无效), by status.
CLOSED_WORDS: dict[str, tuple[str, ...]] = {
    "won": ("赢单", "成交", "已成交", "签约", "won", "win"),
    "lost": ("输单", "丢单", "失败", "lost", "lose"),
    "invalid": ("无效", "invalid"),
}

Writer = Callable[[UnitOfWork, PreparedRow, bool], RecordMixin]


def _custom_by_name(row: PreparedRow) -> dict[str, Any]:
    """The row's custom values as a form passes them (by field name)."""
    return {f"{CUSTOM_PREFIX}{key}": value for key, value in row.custom.items()}


# --- opportunities ---------------------------------------------------------------------------


def closed_status(text: str) -> str | None:
    word = text.strip().lower()
    return next((status for status, words in CLOSED_WORDS.items() if word in words), None)


def check_stages(session: Session, rows: Sequence[PreparedRow]) -> None:
    """A stage cell names a stage of some group, or says won / lost / invalid (which group the
    opportunity takes is its owner's: checked again when it is written)."""
    # A company with no stage group yet gets the default one at its first opportunity.
    names = {n.strip() for n in session.scalars(select(Stage.name))} or {n for n, _rate in DEFAULT_STAGES}
    for row in rows:
        text = str(row.extra.get("stage") or "").strip()
        if text and text not in names and closed_status(text) is None:
            row.fail("阶段", STAGE_UNKNOWN)


def write_opportunity(uow: UnitOfWork, row: PreparedRow, automation: bool) -> RecordMixin:
    opp = insert_opportunity(uow, row.builtin, owner_id=row.owner_id, custom=_custom_by_name(row))
    text = str(row.extra.get("stage") or "").strip()
    status = closed_status(text) if text else None
    if status is not None:
        also: dict[str, Any] = {"closed_at": row.created_at or utcnow()}
        if status != "won":
            also["lost_reason"] = str(row.extra.get("lost_reason") or "")
        set_status(uow, opp, status, also=also)
    elif text:
        stage = next((s for s in stages_of(uow.session, opp.stage_group_id) if s.name.strip() == text), None) \
            if opp.stage_group_id else None
        if stage is None:
            raise ValidationError({"stage_id": STAGE_UNKNOWN})
        if stage.id != opp.stage_id:
            old = opp.stage_id
            with uow.holding_events():
                write_status(uow, opp, "stage_id", stage.id, action="stage")
                record_stage_change(uow, opp, from_stage=old, from_status=opp.status)
    return opp


# --- contracts -------------------------------------------------------------------------------


def product_lookup(session: Session) -> tuple[dict[str, int], dict[str, list[int]]]:
    """(code → id, name → ids) of the live products."""
    by_code: dict[str, int] = {}
    by_name: dict[str, list[int]] = {}
    for pid, code, name in session.execute(select(Product.id, Product.code, Product.name).where(
            Product.deleted_at.is_(None))):
        if code:
            by_code[code.strip()] = pid
        by_name.setdefault(name.strip(), []).append(pid)
    return by_code, by_name


def gather_lines(session: Session, rows: Sequence[PreparedRow], line_headers: set[str]) -> None:
    """One product line per row: a row whose contract number an earlier row already has adds
    its line to that contract (and is not a contract of its own: its other cells may stay
    empty, only its line's cells count). Lines name their product by code or name; a line
    without a known product keeps its text as the line's name."""
    by_code, by_name = product_lookup(session)
    first: dict[str, PreparedRow] = {}
    for row in rows:
        number = str(row.builtin.get("number") or "").strip()
        owner = first.get(number) if number else None
        if owner is not None:
            row.errors = [e for e in row.errors if e.column in line_headers]
            row.action = "fail" if row.errors else "create"
        line = _line(row, by_code, by_name)
        if owner is not None and row.action != "fail":
            row.action, row.note = "skip", LINE_OF.format(row=owner.sheet_row)
            if line is not None:
                owner.extra.setdefault("lines", []).append(line)
            continue
        if number:
            first.setdefault(number, row)
        if line is not None:
            row.extra.setdefault("lines", []).append(line)


def _line(row: PreparedRow, by_code: Mapping[str, int], by_name: Mapping[str, list[int]]) -> LineInput | None:
    text = str(row.extra.pop("line.product", "") or "").strip()
    quantity = row.extra.pop("line.quantity", None)
    price = row.extra.pop("line.price", None)
    if not text and quantity is None and price is None:
        return None
    product_id = by_code.get(text)
    if product_id is None and len(ids := by_name.get(text, [])) == 1:
        product_id = ids[0]
    if product_id is None and not text:
        row.fail("产品", PRODUCT_UNKNOWN)
        return None
    return LineInput(product_id=product_id, price=price if price is not None else Decimal("0"),
                     quantity=quantity if quantity is not None else Decimal("1"),
                     product_name="" if product_id is not None else text[:200])


#: A lines sheet's columns (a second sheet of a contracts workbook: 合同编号, 产品, 数量, 单价).
LINE_SHEET_NUMBER = ("合同编号", "合同号", "订单编号", "订单号", "Contract number")


def _header_index(row: Sequence[Any], names: Sequence[str]) -> int | None:
    from crm_desktop.services.imports.mapping import normalize_header

    wanted = {normalize_header(n) for n in names}
    return next((i for i, c in enumerate(row) if isinstance(c, str) and normalize_header(c) in wanted), None)


def find_lines_sheet(rows: Sequence[Sequence[Any]]) -> tuple[int, dict[str, int]] | None:
    """(header row, target → column) when the sheet is a lines sheet (a contract number and a
    product column among its first rows), else None."""
    from crm_desktop.services.imports.mapping import HEADER_SCAN, LINE_FIELDS

    for i, row in enumerate(rows[:HEADER_SCAN]):
        number = _header_index(row, LINE_SHEET_NUMBER)
        product = _header_index(row, LINE_FIELDS["line.product"])
        if number is not None and product is not None:
            found = {"number": number, "line.product": product}
            for target in ("line.quantity", "line.price"):
                if (col := _header_index(row, LINE_FIELDS[target])) is not None:
                    found[target] = col
            return i, found
    return None


def lines_from_sheet(session: Session, sheet: str, rows: Sequence[Sequence[Any]],
                     rows_by_number: Mapping[str, PreparedRow]) -> None:
    """Add the lines of a lines sheet to the contract rows (by number) they name; a line whose
    cells do not parse fails its contract with the sheet, row and reason."""
    found = find_lines_sheet(rows)
    if found is None:
        return
    header, columns = found
    by_code, by_name = product_lookup(session)
    parsers = {"line.quantity": parse_quantity,
               "line.price": lambda raw: parse_number(raw, money=True, allow_negative=False)}
    for index in range(header + 1, len(rows)):
        cells = rows[index]

        def cell(target: str, cells: Sequence[Any] = cells) -> Any:
            col = columns.get(target)
            value = cells[col] if col is not None and col < len(cells) else None
            return None if isinstance(value, str) and not value.strip() else value

        number = text_of(cell("number") or "").strip()
        contract = rows_by_number.get(number)
        if contract is None or contract.action == "fail":
            continue
        line_row = PreparedRow(index=index, sheet_row=index + 1)
        line_row.extra["line.product"] = text_of(cell("line.product") or "")
        for target, parse in parsers.items():
            raw = cell(target)
            if raw is None:
                continue
            try:
                line_row.extra[target] = parse(raw)
            except BadValue as exc:
                # Where, as Excel names a cell ("产品明细!C5"); the reason is the parser's own.
                from openpyxl.utils import get_column_letter

                contract.fail(f"{sheet}!{get_column_letter(columns[target] + 1)}{index + 1}", str(exc))
        line = _line(line_row, by_code, by_name)
        if line is not None and contract.action != "fail":
            contract.extra.setdefault("lines", []).append(line)


def write_contract(uow: UnitOfWork, row: PreparedRow, automation: bool) -> RecordMixin:
    values = dict(row.builtin)
    number = str(values.pop("number", "") or "").strip()
    contract = insert_contract(uow, values, owner_id=row.owner_id, custom=_custom_by_name(row),
                               lines=row.extra.get("lines", ()))
    if number:
        contract.number = number[:60]  # the number it was signed under, not a new one
        uow.session.flush()
    _approve(uow, contracts, contract, contract_finished, automation)
    return contract


def _approve(uow: UnitOfWork, service: Any, row: Any, finished: Callable[..., None], automation: bool) -> None:
    if automation:
        submit_row(uow, service, row, finished)
    else:
        write_status(uow, row, "approval_status", "approved")
        finished(uow, row, None, True)


# --- payments --------------------------------------------------------------------------------


def resolve_contracts(session: Session, actor: Actor, rows: Sequence[PreparedRow]) -> None:
    """A payment's contract by number or name, among the contracts the actor sees."""
    refs = {str(r.extra.get("contract_ref") or "").strip() for r in rows} - {""}
    found: dict[str, set[int]] = {}
    for part in _chunks(sorted(refs)):
        query = select(Contract.id, Contract.number, Contract.name).where(
            Contract.number.in_(part) | Contract.name.in_(part), Contract.deleted_at.is_(None),
            visible_filter(Contract, actor))
        for cid, number, name in session.execute(query):
            for key in (number, name):
                if key in refs:
                    found.setdefault(key, set()).add(cid)
    for row in rows:
        ref = str(row.extra.pop("contract_ref", "") or "").strip()
        if not ref:
            row.fail("合同", QT_TRANSLATE_NOOP("errors", "Required."))
            continue
        ids = found.get(ref, set())
        if len(ids) == 1:
            row.builtin["contract_id"] = next(iter(ids))
        else:
            row.fail("合同", CONTRACT_AMBIGUOUS if ids else CONTRACT_UNKNOWN)


def write_payment(uow: UnitOfWork, row: PreparedRow, automation: bool) -> RecordMixin:
    values = dict(row.builtin)
    number = str(values.pop("number", "") or "").strip()
    payment = insert_payment(uow, values, owner_id=row.owner_id, custom=_custom_by_name(row),
                             number=number[:60] or None)
    _approve(uow, payments, payment, payment_finished, automation)
    return payment


# --- follow-ups ------------------------------------------------------------------------------


def write_followup(uow: UnitOfWork, row: PreparedRow, automation: bool) -> RecordMixin:
    b = row.builtin
    followed_at = b.get("followed_at")
    if isinstance(followed_at, dt.date) and not isinstance(followed_at, dt.datetime):
        followed_at = dt.datetime.combine(followed_at, dt.time(9), tzinfo=dt.UTC)
    return insert_followup(
        uow, target_entity="customer", target_id=int(row.extra["customer_id"]), content=text_of(b.get("content")),
        kind=str(b.get("kind") or next(iter(kinds_in(uow.session)), "phone")), followed_at=followed_at, next_contact_at=b.get("next_contact_at"),
        owner_id=row.owner_id)


def _chunks(items: Sequence[Any], size: int = 500) -> Any:
    for start in range(0, len(items), size):
        yield items[start:start + size]


WRITERS: dict[str, Writer] = {
    "opportunity": write_opportunity,
    "contract": write_contract,
    "payment": write_payment,
    "followup": write_followup,
}
