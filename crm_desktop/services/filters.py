"""The advanced filter: conditions over built-in and custom fields, turned into SQL.

One translation serves list views, saved views, exports and (later) automation conditions,
so "province contains 厦门" means the same everywhere. Filtering always happens in SQL.
A derived field (``schema.DERIVED_FIELDS``, e.g. a contract's product category) may be
filtered on too; ``services.derived_fields`` gives its SQL.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, cast, false, func, literal, not_, or_, true
from sqlalchemy.sql.elements import ColumnElement as _CE

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import RecordMixin, UTCDateTime
from crm_desktop.services import derived_fields
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.schema import NUMERIC_TYPES, EntitySchema, FieldSpec, FieldType, coerce, derived_field


class Op(StrEnum):
    EQ = "eq"
    NE = "ne"
    CONTAINS = "contains"
    NOT_CONTAINS = "not_contains"
    EMPTY = "empty"
    NOT_EMPTY = "not_empty"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    BETWEEN = "between"
    IN = "in"


OP_LABELS: dict[Op, str] = {
    Op.EQ: QT_TRANSLATE_NOOP("filters", "is"),
    Op.NE: QT_TRANSLATE_NOOP("filters", "is not"),
    Op.CONTAINS: QT_TRANSLATE_NOOP("filters", "contains"),
    Op.NOT_CONTAINS: QT_TRANSLATE_NOOP("filters", "does not contain"),
    Op.EMPTY: QT_TRANSLATE_NOOP("filters", "is empty"),
    Op.NOT_EMPTY: QT_TRANSLATE_NOOP("filters", "is not empty"),
    Op.GT: QT_TRANSLATE_NOOP("filters", "greater than"),
    Op.GTE: QT_TRANSLATE_NOOP("filters", "at least"),
    Op.LT: QT_TRANSLATE_NOOP("filters", "less than"),
    Op.LTE: QT_TRANSLATE_NOOP("filters", "at most"),
    Op.BETWEEN: QT_TRANSLATE_NOOP("filters", "between"),
    Op.IN: QT_TRANSLATE_NOOP("filters", "is one of"),
}

_ORDERED = frozenset({FieldType.INTEGER, FieldType.DECIMAL, FieldType.MONEY, FieldType.PERCENT,
                      FieldType.DATE, FieldType.DATETIME})


def ops_for(spec: FieldSpec) -> tuple[Op, ...]:
    """The operators that make sense for a field (what the filter editor offers)."""
    base = (Op.EQ, Op.NE, Op.EMPTY, Op.NOT_EMPTY)
    if spec.type in _ORDERED:
        return base + (Op.GT, Op.GTE, Op.LT, Op.LTE, Op.BETWEEN)
    if spec.type is FieldType.BOOLEAN:
        return (Op.EQ, Op.NE)
    if spec.type in (FieldType.SELECT, FieldType.USER, FieldType.DEPARTMENT):
        return base + (Op.IN,)
    if spec.type is FieldType.MULTISELECT:
        multi = (Op.CONTAINS, Op.NOT_CONTAINS, Op.EMPTY, Op.NOT_EMPTY)
        # A derived set (product categories) reads best as "is one of" the chosen ones.
        return (Op.IN,) + multi if spec.derived else multi
    return base + (Op.CONTAINS, Op.NOT_CONTAINS, Op.IN)


@dataclass(frozen=True)
class Condition:
    field: str
    op: Op
    value: Any = None


@dataclass(frozen=True)
class Filter:
    """All (and) or any (or) of the conditions; no conditions matches everything."""

    conditions: tuple[Condition, ...] = ()
    match: str = "all"

    def to_json(self) -> dict[str, Any]:
        return {"match": self.match, "conditions": [
            {"field": c.field, "op": c.op.value, "value": _jsonable(c.value)} for c in self.conditions]}

    @staticmethod
    def from_json(data: Mapping[str, Any] | None) -> Filter:
        if not data:
            return Filter()
        return Filter(match=str(data.get("match", "all")), conditions=tuple(
            Condition(str(c["field"]), Op(c["op"]), c.get("value")) for c in data.get("conditions", [])))


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def column_for(model: type[RecordMixin], spec: FieldSpec) -> ColumnElement[Any]:
    """The SQL expression of a field: its column, or its value inside ``custom``."""
    if spec.builtin:
        return getattr(model, spec.name)
    assert spec.key is not None
    element = model.custom[spec.key]
    if spec.type in NUMERIC_TYPES:
        # Stored as JSON numbers or exact decimal strings; compare numerically.
        return cast(element.as_string(), Float)
    if spec.type is FieldType.BOOLEAN:
        return element.as_boolean()
    if spec.type is FieldType.MULTISELECT:
        return element.as_string()  # the JSON text of the list; matched with LIKE '%"v"%'
    return element.as_string()


def _typed(spec: FieldSpec, value: Any) -> Any:
    try:
        stored = coerce(spec, value)
    except ValueError as exc:
        raise ValidationError({spec.name: str(exc)}) from None
    if spec.type in NUMERIC_TYPES:
        if stored is None:
            return None
        if spec.builtin:
            # Compared with a NUMERIC column as exact decimals: a float bound here made
            # PostgreSQL cast the column to double precision (inexact, and no index on it).
            return stored if spec.type is FieldType.INTEGER else Decimal(stored)
        return float(stored)  # custom values are compared as CAST(… AS FLOAT) (column_for)
    if spec.builtin and spec.type is FieldType.DATETIME and isinstance(stored, str):
        parsed = dt.datetime.fromisoformat(stored)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
    if spec.builtin and spec.type is FieldType.DATE and isinstance(stored, str):
        return dt.date.fromisoformat(stored)
    return stored


def _like(value: Any) -> str:
    text = str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{text}%"


def condition_sql(model: type[RecordMixin], spec: FieldSpec, cond: Condition) -> ColumnElement[bool]:
    op = cond.op
    if op not in ops_for(spec):
        raise ValidationError({cond.field: QT_TRANSLATE_NOOP("errors", "This comparison does not fit the field.")})
    if spec.derived:  # no column: EXISTS over the related rows
        return derived_fields.condition_sql(model, spec, op.value, cond.value)
    col = column_for(model, spec)
    textual = spec.type not in NUMERIC_TYPES and spec.type not in (FieldType.BOOLEAN, FieldType.DATE,
                                                                    FieldType.DATETIME, FieldType.USER,
                                                                    FieldType.DEPARTMENT, FieldType.INTEGER)
    if op is Op.EMPTY:
        return or_(col.is_(None), col == "") if textual else col.is_(None)
    if op is Op.NOT_EMPTY:
        return and_(col.is_not(None), col != "") if textual else col.is_not(None)
    if spec.type is FieldType.MULTISELECT:
        token = '%"' + str(cond.value).replace("%", "\\%").replace("_", "\\_") + '"%'
        match = col.like(token, escape="\\")
        return match if op is Op.CONTAINS else or_(col.is_(None), not_(match))
    if op in (Op.CONTAINS, Op.NOT_CONTAINS):
        match = col.ilike(_like(cond.value), escape="\\")
        return match if op is Op.CONTAINS else or_(col.is_(None), not_(match))
    if op is Op.IN:
        values = cond.value if isinstance(cond.value, (list, tuple)) else [cond.value]
        return col.in_([_typed(spec, v) for v in values]) if values else false()
    if op is Op.BETWEEN:
        low, high = (cond.value if isinstance(cond.value, (list, tuple)) and len(cond.value) == 2 else (None, None))
        if low in (None, "") or high in (None, ""):
            raise ValidationError({cond.field: QT_TRANSLATE_NOOP("errors", "Give both ends of the range.")})
        return col.between(_typed(spec, low), _typed(spec, high))
    value = _typed(spec, cond.value)
    if op is Op.EQ:
        return col.is_(None) if value is None else col == value
    if op is Op.NE:
        return col.is_not(None) if value is None else or_(col.is_(None), col != value)
    return {Op.GT: col > value, Op.GTE: col >= value, Op.LT: col < value, Op.LTE: col <= value}[op]


def filter_sql(model: type[RecordMixin], schema: EntitySchema, flt: Filter | None) -> ColumnElement[bool]:
    """The WHERE clause of a filter. Fields the actor may not see are refused, so that a
    hidden value cannot be guessed by filtering on it."""
    if flt is None or not flt.conditions:
        return true()
    parts: list[_CE[bool]] = []
    for cond in flt.conditions:
        spec = schema.get(cond.field) or derived_field(schema.entity, cond.field)
        if spec is None:
            raise ValidationError({cond.field: QT_TRANSLATE_NOOP("errors", "Unknown field.")})
        parts.append(condition_sql(model, spec, cond))
    return or_(*parts) if flt.match == "any" else and_(*parts)


def sort_column(model: type[RecordMixin], schema: EntitySchema, name: str) -> ColumnElement[Any]:
    """The ORDER BY expression of a sortable field (built-in column or custom value).

    Keyset pagination compares (sort key, id) tuples, and NULL breaks tuple comparison (and
    sorts differently on SQLite and PostgreSQL), so a nullable key is COALESCEd to a typed
    value below every real one.
    """
    if name == "id":
        return model.id
    spec = schema.get(name)
    if spec is None or spec.type in (FieldType.MULTISELECT, FieldType.ATTACHMENT):
        raise ValidationError({"sort": QT_TRANSLATE_NOOP("errors", "Unknown field.")})
    col = column_for(model, spec)
    if spec.builtin and not getattr(model, spec.name).nullable:
        return col
    return func.coalesce(col, _lowest(spec))


def _lowest(spec: FieldSpec) -> Any:
    if spec.type in NUMERIC_TYPES:
        return literal(-1e300, Float) if not spec.builtin or spec.type is not FieldType.INTEGER else literal(-(2**62))
    if spec.type is FieldType.BOOLEAN:
        return false()
    if spec.builtin and spec.type is FieldType.DATETIME:
        return literal(dt.datetime(1900, 1, 1, tzinfo=dt.timezone.utc), UTCDateTime())
    if spec.builtin and spec.type is FieldType.DATE:
        return literal(dt.date(1900, 1, 1))
    if spec.builtin and spec.type in (FieldType.USER, FieldType.DEPARTMENT, FieldType.INTEGER):
        return literal(-(2**62))
    return literal("")


__all__ = ["Condition", "Filter", "OP_LABELS", "Op", "column_for", "condition_sql", "filter_sql", "ops_for",
           "sort_column"]
