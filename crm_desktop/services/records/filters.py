"""The advanced filter: conditions over built-in and custom fields, turned into SQL.

One translation serves list views, saved views, exports and (later) automation conditions,
so "province contains 厦门" means the same everywhere. Filtering always happens in SQL.
Text is matched literally on both backends: every LIKE built here (and by the list search box
and global search, through ``contains_pattern``) escapes ``%`` ``_`` ``\\`` and names its ESCAPE
character; text values are checked first (``validation.check_search``: no NUL, at most
``MAX_SEARCH`` characters), so a bad value is a ValidationError naming the field, not a
driver error.
A derived field (``schema.DERIVED_FIELDS``, e.g. a contract's product category) may be
filtered on too; ``services.derived_fields`` gives its SQL.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    ColumnElement,
    Float,
    String,
    and_,
    cast,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement as _CE
from sqlalchemy.sql.visitors import InternalTraversal

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import RecordMixin, UTCDateTime
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.records import derived_fields
from crm_desktop.services.records.schema import (
    NUMERIC_TYPES,
    EntitySchema,
    FieldSpec,
    FieldType,
    coerce,
    derived_field,
)
from crm_desktop.services.records.validation import check_search, search_text

# The ESCAPE character of every LIKE pattern made here: ``escape=LIKE_ESCAPE``. SQLite has no
# default escape character and PostgreSQL's is the backslash: naming it makes both agree.
LIKE_ESCAPE = "\\"


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


#: A custom field's key as it may appear inside SQL text: keys are generated (``f1``, ``f2``…,
#: see ``schema_admin``); anything else is refused before it reaches a statement.
SAFE_KEY = re.compile(r"[a-z][a-z0-9_]{0,59}")


class CustomText(ColumnElement[str]):
    """A custom value as text, its JSON key written into the SQL (no bound parameter).

    It renders what ``model.custom[key].as_string()`` renders, with the path inline: an
    expression index (``field_index``) matches a query only when the query's expression is the
    indexed one, constants included, and SQLite never matches a bound parameter. The key is part
    of the statement's cache key (``_traverse_internals``), so two fields never share SQL.
    """

    __visit_name__ = "custom_text"
    inherit_cache = True
    _traverse_internals: ClassVar[list[tuple[str, InternalTraversal]]] = [
        ("column", InternalTraversal.dp_clauseelement), ("key", InternalTraversal.dp_string)]
    type = String()

    def __init__(self, column: ColumnElement[Any], key: str) -> None:
        if not SAFE_KEY.fullmatch(key):
            raise ValueError(f"not a custom field key: {key!r}")
        self.column = column
        self.key = key


@compiles(CustomText, "sqlite")
def _custom_text_sqlite(element: CustomText, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(JSON_EXTRACT({compiler.process(element.column, **kw)}, '$.\"{element.key}\"') AS VARCHAR)"


@compiles(CustomText, "postgresql")
def _custom_text_postgresql(element: CustomText, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.column, **kw)} ->> '{element.key}' AS VARCHAR)"


def column_for(model: type[RecordMixin], spec: FieldSpec) -> ColumnElement[Any]:
    """The SQL expression of a field: its column, or its value inside ``custom``."""
    if spec.builtin:
        return getattr(model, spec.name)
    assert spec.key is not None
    if spec.type is FieldType.BOOLEAN:
        return model.custom[spec.key].as_boolean()
    value = CustomText(model.__table__.c.custom, spec.key)
    if spec.type in NUMERIC_TYPES:
        # Stored as JSON numbers or exact decimal strings; compare numerically.
        return cast(value, Float)
    return value  # a multiselect: the JSON text of the list, matched with LIKE '%"v"%'


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


def escape_like(text: str) -> str:
    """``text`` as a LIKE pattern that matches it literally (with ``escape=LIKE_ESCAPE``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains_pattern(text: str | None, *, field: str) -> str:
    """The LIKE pattern of "contains ``text``" (stripped) for a search box; ValidationError
    naming ``field`` for text that cannot be searched (``validation.search_text``)."""
    return f"%{escape_like(search_text(text, field=field))}%"


def _like(value: Any) -> str:
    return f"%{escape_like(str(value))}%"


def _json_tokens(value: Any) -> tuple[str, ...]:
    """LIKE patterns of one value inside the JSON text of a list: as the JSON writer escapes
    it (non-ASCII as \\uXXXX, SQLite's stored text) and with non-ASCII kept (PostgreSQL's
    jsonb renders it so)."""
    forms = dict.fromkeys(json.dumps(str(value), ensure_ascii=as_ascii) for as_ascii in (True, False))
    return tuple(f"%{escape_like(form)}%" for form in forms)


def _check_values(field: str, value: Any) -> None:
    """A filter's text values, like search-box text, hold no NUL and stay under MAX_SEARCH."""
    for item in value if isinstance(value, (list, tuple)) else (value,):
        if isinstance(item, str):
            check_search(item, field=field)


def condition_sql(model: type[RecordMixin], spec: FieldSpec, cond: Condition) -> ColumnElement[bool]:
    op = cond.op
    if op not in ops_for(spec):
        raise ValidationError({cond.field: QT_TRANSLATE_NOOP("errors", "This comparison does not fit the field.")})
    _check_values(cond.field, cond.value)
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
        match = or_(*(col.like(token, escape=LIKE_ESCAPE) for token in _json_tokens(cond.value)))
        return match if op is Op.CONTAINS else or_(col.is_(None), not_(match))
    if op in (Op.CONTAINS, Op.NOT_CONTAINS):
        match = col.ilike(_like(cond.value), escape=LIKE_ESCAPE)
        return match if op is Op.CONTAINS else or_(col.is_(None), not_(match))
    # A custom value is compared through its sort key (the value, or the lowest one when it has
    # none), the expression an indexed field's index holds; "and the value exists" keeps the
    # result exactly that of comparing the value itself, index or not.
    key = col if spec.builtin or spec.type is FieldType.BOOLEAN else _custom_sort_key(col, spec)

    def exact(clause: ColumnElement[bool]) -> ColumnElement[bool]:
        return clause if key is col else and_(clause, col.is_not(None))

    if op is Op.IN:
        values = cond.value if isinstance(cond.value, (list, tuple)) else [cond.value]
        return exact(key.in_([_typed(spec, v) for v in values])) if values else false()
    if op is Op.BETWEEN:
        low, high = (cond.value if isinstance(cond.value, (list, tuple)) and len(cond.value) == 2 else (None, None))
        if low in (None, "") or high in (None, ""):
            raise ValidationError({cond.field: QT_TRANSLATE_NOOP("errors", "Give both ends of the range.")})
        return exact(key.between(_typed(spec, low), _typed(spec, high)))
    value = _typed(spec, cond.value)
    if op is Op.EQ:
        return col.is_(None) if value is None else exact(key == value)
    if op is Op.NE:
        return col.is_not(None) if value is None else or_(col.is_(None), col != value)
    return exact({Op.GT: key > value, Op.GTE: key >= value, Op.LT: key < value, Op.LTE: key <= value}[op])


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
    return _custom_sort_key(col, spec) if not spec.builtin else func.coalesce(col, _lowest(spec))


def _custom_sort_key(col: ColumnElement[Any], spec: FieldSpec) -> ColumnElement[Any]:
    """A custom field's sort key: also what ``field_index`` indexes and filters compare."""
    return func.coalesce(col, _lowest(spec))


def custom_sort_key(model: type[RecordMixin], spec: FieldSpec) -> ColumnElement[Any]:
    """The expression lists sort a custom field by and filters compare it through (the one an
    indexed field's expression index holds)."""
    assert not spec.builtin
    return _custom_sort_key(column_for(model, spec), spec)


#: The sort key of a custom field without a value: below every real one. Written into the
#: SQL (not bound) so that an expression index on the key matches the query (``field_index``).
_CUSTOM_LOWEST = {True: literal_column("-1e300", Float), False: literal_column("''", String)}


def _lowest(spec: FieldSpec) -> Any:
    if not spec.builtin and spec.type is not FieldType.BOOLEAN:
        return _CUSTOM_LOWEST[spec.type in NUMERIC_TYPES]
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


__all__ = ["LIKE_ESCAPE", "OP_LABELS", "SAFE_KEY", "Condition", "CustomText", "Filter", "Op", "column_for",
           "condition_sql", "contains_pattern", "custom_sort_key", "escape_like", "filter_sql", "ops_for",
           "sort_column"]
