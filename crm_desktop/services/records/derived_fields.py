"""Derived fields: values computed from a record's related rows (``schema.DERIVED_FIELDS``).

``product_category`` (opportunities, contracts) is the set of the categories of the record's
lines' products, each with every category above it: a line whose product is in 数控机床, a
sub-category of 设备, puts both in the set, so a branch on 设备 takes it. Lines without a
product, and products without a category, add nothing; "is empty" means no line has a
categorised product.

Promises (thread rule: the caller's session / unit of work):

- ``derived_values`` computes only the derived fields it is asked for (one query for
  product_category), so a save whose conditions do not name one pays nothing.
- ``condition_sql`` is the list filter's SQL of a condition on a derived field (EXISTS over
  the lines joined to their products, with the chosen categories' sub-trees from a recursive
  CTE), and means exactly what ``services.conditions`` makes of ``derived_values``:
  "is one of" = a line in one of the categories (or below one), "contains" / "does not
  contain" one category likewise, "is empty" / "is not empty" = no / some categorised line.
"""
from __future__ import annotations

from collections.abc import Collection
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, exists, false, not_, select

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import ContractLine, OpportunityLine, Product, ProductCategory
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.records.schema import DERIVED_FIELDS, FieldSpec

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from crm_desktop.models import RecordMixin

PRODUCT_CATEGORY = "product_category"

#: Per entity with product lines: the line model and its column naming the parent record.
_LINES: dict[str, tuple[type[Any], Any]] = {
    "opportunity": (OpportunityLine, OpportunityLine.opportunity_id),
    "contract": (ContractLine, ContractLine.contract_id),
}


@cache
def derived_names(entity: str) -> frozenset[str]:
    """The names of ``entity``'s derived fields (asked on every save that runs rules)."""
    return frozenset(f.name for f in DERIVED_FIELDS.get(entity, ()))


def derived_values(session: Session, entity: str, record_id: int, names: Collection[str]) -> dict[str, Any]:
    """The values of those of ``names`` that are derived fields of ``entity``, for one record.

    product_category is a sorted list of category ids (a list, like a multiselect's value).
    """
    wanted = derived_names(entity).intersection(names)
    values: dict[str, Any] = {}
    if PRODUCT_CATEGORY in wanted:
        values[PRODUCT_CATEGORY] = record_categories(session, entity, record_id)
    return values


def record_categories(session: Session, entity: str, record_id: int) -> list[int]:
    """The categories of the record's lines' products and every category above them."""
    line, parent_col = _LINES[entity]
    direct = (select(Product.category_id.label("id")).join(line, line.product_id == Product.id)
              .where(parent_col == record_id, Product.category_id.is_not(None)))
    found = direct.cte("line_categories", recursive=True)
    # UNION (not UNION ALL) drops repeats, so even a damaged tree with a cycle ends.
    found = found.union(select(ProductCategory.parent_id).join(found, ProductCategory.id == found.c.id)
                        .where(ProductCategory.parent_id.is_not(None)))
    return sorted(int(v) for v in session.scalars(select(found.c.id)))


def category_ids(spec: FieldSpec, value: Any) -> list[int]:
    """A condition's category value(s) as ids; ValidationError for anything else."""
    raw = value if isinstance(value, (list, tuple)) else [value]
    try:
        return [int(str(v).strip()) for v in raw if v not in (None, "")]
    except ValueError:
        raise ValidationError({spec.name: QT_TRANSLATE_NOOP("errors", "Choose a listed value.")}) from None


def condition_sql(model: type[RecordMixin], spec: FieldSpec, op: str, value: Any) -> ColumnElement[bool]:
    """The WHERE clause of ``spec op value`` on ``model``'s rows (see the module doc).

    ``op`` is a ``filters.Op`` value (this module sits below ``filters``, which calls it).
    """
    if spec.name != PRODUCT_CATEGORY or spec.entity not in _LINES:
        raise ValidationError({spec.name: QT_TRANSLATE_NOOP("errors", "Unknown field.")})
    line, parent_col = _LINES[spec.entity]
    lines = select(line.id).join(Product, Product.id == line.product_id).where(parent_col == model.id)
    if op in ("empty", "not_empty"):
        some = exists(lines.where(Product.category_id.is_not(None)))
        return not_(some) if op == "empty" else some
    ids = category_ids(spec, value)
    if op == "in":
        if not ids:
            return false()
    elif op in ("contains", "not_contains"):
        if len(ids) != 1 or isinstance(value, (list, tuple)):
            raise ValidationError({spec.name: QT_TRANSLATE_NOOP("errors", "Choose a listed value.")})
    else:
        raise ValidationError({spec.name: QT_TRANSLATE_NOOP("errors", "This comparison does not fit the field.")})
    below = select(ProductCategory.id).where(ProductCategory.id.in_(ids)).cte(recursive=True)
    below = below.union(select(ProductCategory.id).join(below, ProductCategory.parent_id == below.c.id))
    some = exists(lines.where(Product.category_id.in_(select(below.c.id))))
    return not_(some) if op == "not_contains" else some


__all__ = ["PRODUCT_CATEGORY", "category_ids", "condition_sql", "derived_names", "derived_values",
           "record_categories"]
