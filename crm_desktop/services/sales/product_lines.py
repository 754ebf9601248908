"""Product lines of opportunities and contracts: validation, money arithmetic, DTOs.

Promises (thread rule: the caller's unit of work):

- Money is Decimal end to end: subtotal = price × quantity × (100 − discount) / 100, rounded
  half-up to the cent once per line; a total is the sum of the rounded subtotals (what a
  printed order shows), never a float.
- ``replace_lines`` replaces a parent's lines with ``lines``. A line may name a product only if
  it is on shelf — unless the same product is already on that parent (existing lines keep
  their product even after it went off shelf). The product's name, code, unit and standard
  price are copied onto the line as they are now.
- Bad input (negative price or quantity, discount outside 0–100, unknown product) raises
  ValidationError naming the line (``lines.<n>``); nothing is written then.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Product
from crm_desktop.models.sales import LineMixin
from crm_desktop.services.errors import ValidationError

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class LineInput:
    product_id: int | None
    price: Decimal | str | int
    quantity: Decimal | str | int = Decimal("1")
    discount: Decimal | str | int = Decimal("0")
    remark: str = ""
    #: For a line without a product (a service, a fee): what it is.
    product_name: str = ""


@dataclass(frozen=True)
class LineDTO:
    id: int
    position: int
    product_id: int | None
    product_name: str
    product_code: str
    unit: str
    standard_price: Decimal
    price: Decimal
    quantity: Decimal
    discount: Decimal
    subtotal: Decimal
    remark: str


def money(value: Any) -> Decimal:
    """A Decimal of cents from user input (str, int, Decimal); floats are refused: they are
    already rounded wrongly by the time they arrive."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    try:
        return Decimal(str(value).strip() or "0").quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValidationError({"amount": QT_TRANSLATE_NOOP("errors", "Enter a number.")}) from None


def _decimal(value: Any, key: str) -> Decimal:
    if isinstance(value, float):
        raise TypeError(f"{key} must not be a float")
    try:
        return Decimal(str(value).strip() or "0")
    except InvalidOperation:
        raise ValidationError({key: QT_TRANSLATE_NOOP("errors", "Enter a number.")}) from None


def subtotal(price: Decimal, quantity: Decimal, discount: Decimal) -> Decimal:
    return (price * quantity * (HUNDRED - discount) / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def replace_lines(session: Session, model: type[LineMixin], parent_fk: str, parent_id: int,
                  lines: Sequence[LineInput]) -> Decimal:
    """Write ``lines`` as the parent's lines (replacing the old ones); returns their total."""
    fk = getattr(model, parent_fk)
    kept_products = set(session.scalars(select(model.product_id).where(fk == parent_id)))
    wanted = {line.product_id for line in lines if line.product_id is not None}
    products = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(wanted)))} if wanted else {}
    rows: list[LineMixin] = []
    errors: dict[str, str] = {}
    for n, line in enumerate(lines):
        key = f"lines.{n + 1}"
        price, quantity = _decimal(line.price, key), _decimal(line.quantity, key)
        discount = _decimal(line.discount, key)
        product = products.get(line.product_id) if line.product_id is not None else None
        if line.product_id is not None and (product is None or product.deleted_at is not None):
            errors[key] = QT_TRANSLATE_NOOP("errors", "This product does not exist.")
            continue
        if product is not None and not product.on_shelf and product.id not in kept_products:
            errors[key] = QT_TRANSLATE_NOOP("errors", "This product is off the shelf: it cannot be added.")
            continue
        if product is None and not line.product_name.strip():
            errors[key] = QT_TRANSLATE_NOOP("errors", "Choose a product.")
            continue
        if price < 0 or quantity <= 0 or not Decimal("0") <= discount <= HUNDRED:
            errors[key] = QT_TRANSLATE_NOOP(
                "errors", "Price must not be negative, quantity must be above 0 and the discount between 0 and 100.")
            continue
        price = price.quantize(CENT, rounding=ROUND_HALF_UP)
        row = model(position=n, product_id=line.product_id, price=price, quantity=quantity, discount=discount,
                    subtotal=subtotal(price, quantity, discount), remark=line.remark.strip()[:300])
        setattr(row, parent_fk, parent_id)
        if product is not None:
            row.product_name, row.product_code, row.unit = product.name, product.code, product.unit
            row.standard_price = product.price
        else:
            row.product_name, row.standard_price = line.product_name.strip()[:200], price
        rows.append(row)
    if errors:
        raise ValidationError(errors)
    session.execute(delete(model).where(fk == parent_id))
    session.add_all(rows)
    session.flush()
    return sum((r.subtotal for r in rows), Decimal("0.00"))


def read_lines(session: Session, model: type[LineMixin], parent_fk: str, parent_id: int) -> tuple[LineDTO, ...]:
    rows = session.scalars(select(model).where(getattr(model, parent_fk) == parent_id).order_by(model.position, model.id))
    return tuple(LineDTO(r.id, r.position, r.product_id, r.product_name, r.product_code, r.unit, r.standard_price,
                         r.price, r.quantity, r.discount, r.subtotal, r.remark) for r in rows)


def copy_lines(session: Session, source: type[LineMixin], source_fk: str, source_id: int,
               target: type[LineMixin], target_fk: str, target_id: int) -> Decimal:
    """Copy one parent's lines to another as they are (an opportunity won → its contract's lines);
    off-shelf products come along: they were sold already."""
    total = Decimal("0.00")
    for r in session.scalars(select(source).where(getattr(source, source_fk) == source_id).order_by(source.position)):
        row = target(position=r.position, product_id=r.product_id, product_name=r.product_name,
                     product_code=r.product_code, unit=r.unit, standard_price=r.standard_price, price=r.price,
                     quantity=r.quantity, discount=r.discount, subtotal=r.subtotal, remark=r.remark)
        setattr(row, target_fk, target_id)
        session.add(row)
        total += r.subtotal
    session.flush()
    return total


__all__ = ["LineDTO", "LineInput", "copy_lines", "money", "read_lines", "replace_lines", "subtotal"]
