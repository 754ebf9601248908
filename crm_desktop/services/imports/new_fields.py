"""Columns with no field (注册资本, 法定代表人, 成立日期, 税号, 开户行 …) becoming custom fields
from the mapping step, typed from their values.

``suggest_type`` looks at a column's cells: all dates → a date field; all numbers → a number
(money when the header says so: 资本, 金额, 价 …); all yes / no → a yes/no field; else text (a
long text when a cell runs past a line). ``with_new_fields`` creates the fields the importer
chose, before the import plans (one unit of work, the same rules as the custom-field admin:
the permission to manage settings, a label not taken), and maps each column to its new field;
a column whose label is already a field of the module goes to that field instead.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from crm_desktop.services.imports import values as v
from crm_desktop.services.records.schema import FieldType, schema_for
from crm_desktop.services.records.schema_admin import (
    CustomFieldInput,
    create_custom_field,
)
from crm_desktop.services.uow import read_only

if TYPE_CHECKING:
    from crm_desktop.db import Database
    from crm_desktop.services.org.actor import Actor

#: The types offered for a new field (the wizard lists them in this order).
NEW_FIELD_TYPES: tuple[FieldType, ...] = (
    FieldType.TEXT, FieldType.TEXTAREA, FieldType.INTEGER, FieldType.DECIMAL, FieldType.MONEY, FieldType.DATE,
    FieldType.BOOLEAN,
)
_MONEY_WORDS = ("资本", "金额", "价", "费", "额", "元", "收入", "营收", "amount", "price", "capital")
_SAMPLE = 2000  # cells looked at: enough to type a column, cheap on a million rows


def suggest_type(header: str, cells: Iterable[Any]) -> FieldType:
    """The field type a column's values fit (see the module doc)."""
    # The first cells with a value: a million rows need not be looked at (nor held) to type a column.
    seen = list(itertools.islice((c for c in cells if c is not None and not (isinstance(c, str) and not c.strip())),
                                 _SAMPLE))
    if not seen:
        return FieldType.TEXT
    numeric = any(isinstance(c, int | float | Decimal) and not isinstance(c, bool) for c in seen)
    digits = any(isinstance(c, str) and c.strip().isdigit() for c in seen)  # a 税号, a bank account
    if not numeric and not digits and _is_dates(seen):
        return FieldType.DATE
    if not numeric and all(_ok(v.parse_bool, c) for c in seen):
        return FieldType.BOOLEAN
    if not digits and all(_ok(lambda c: v.parse_number(c, money=True), c) for c in seen):
        if any(w in header.lower() for w in _MONEY_WORDS):
            return FieldType.MONEY
        if all(_ok(v.parse_number, c) and v.parse_number(c) == v.parse_number(c).to_integral_value() for c in seen):
            return FieldType.INTEGER
        return FieldType.DECIMAL
    if any(len(v.text_of(c)) > 200 for c in seen):
        return FieldType.TEXTAREA
    return FieldType.TEXT


def _is_dates(cells: list[Any]) -> bool:
    column = v.DateColumn()
    try:
        column.infer(cells)
    except v.BadValue:
        return False
    return all(_ok(column.parse, c) for c in cells)


def _ok(parse: Any, cell: Any) -> bool:
    try:
        parse(cell)
    except (v.BadValue, ValueError, ArithmeticError):
        return False
    return True


def with_new_fields(db: Database, actor: Actor, entity: str, mapping: Mapping[str, str | None],
                    wanted: Mapping[str, str]) -> dict[str, str | None]:
    """``mapping`` (header → field) with the columns of ``wanted`` (header → FieldType value)
    mapped to new custom fields, created first; a column whose header is already a field's
    label goes to that field."""
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        schema = schema_for(uow.session, uow.actor, entity)
        by_label = {f.label.strip(): f.name for f in schema.fields}
    result: dict[str, str | None] = dict(mapping)
    for header, type_name in wanted.items():
        label = header.strip()[:100]
        if not label:
            continue
        name = by_label.get(label)
        if name is None:
            spec = create_custom_field(db, actor, entity,
                                       CustomFieldInput(label=label, type=FieldType(type_name), import_aliases=(label,)))
            name = by_label[label] = spec.name
        result[header] = name
    return result
