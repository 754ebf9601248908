"""Rule conditions, evaluated in Python over a record's values before and after a change.

A condition is ``{"match": "all"|"any", "groups": [Filter JSON, ...]}``: each group is the
list filter's own JSON (services.filters.Filter), so the operators mean what they mean in a
list ("registered capital at least 10,000,000"). A field written ``before:name`` reads the
value the field had before the change (the current value when it did not change). No groups,
or groups without conditions, means "always". Evaluated in Python, not SQL: a save checks
every rule of its entity, and one query per rule would cost more than the save.

A condition may also name a derived field of the entity (``schema.DERIVED_FIELDS``, e.g. a
contract's ``product_category``, a list of category ids): the caller puts its value among the
record's (``services.derived_fields.derived_values``, for the names ``fields_named`` lists).

``compile_condition`` turns a condition into a predicate once per rule and schema (each
field's spec looked up and each wanted value coerced ahead of time); ``matches`` is the same
test done in one go, for one-off checks.
"""
from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Mapping
from typing import Any

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.records import derived_fields
from crm_desktop.services.records.filters import Condition, Filter, Op, ops_for
from crm_desktop.services.records.schema import (
    NUMERIC_TYPES,
    EntitySchema,
    FieldSpec,
    FieldType,
    coerce,
    derived_field,
)

BEFORE = "before:"
_EMPTY: tuple[Any, ...] = (None, "", [])


def groups_of(condition: Mapping[str, Any] | None) -> tuple[str, tuple[Filter, ...]]:
    """(match, filters) of a condition's JSON."""
    if not condition:
        return "all", ()
    groups = tuple(Filter.from_json(g) for g in condition.get("groups", ()))
    return str(condition.get("match", "all")), groups


def fields_named(condition: Mapping[str, Any] | None) -> frozenset[str]:
    """The fields a condition's JSON reads (``before:`` taken off): lets a caller compute a
    derived value only when a condition needs it."""
    names: set[str] = set()
    for group in (condition or {}).get("groups", ()) or ():
        for cond in (group or {}).get("conditions", ()) or ():
            names.add(str(cond.get("field", "")).removeprefix(BEFORE))
    return frozenset(names)


def check(schema: EntitySchema, condition: Mapping[str, Any] | None) -> None:
    """Raise ValidationError if a condition names an unknown field or an operator that does not fit.

    The entity's derived fields (``schema.DERIVED_FIELDS``) may be named too, but not as
    ``before:`` (what the lines were before a change is not kept)."""
    _match, groups = groups_of(condition)
    for group in groups:
        for cond in group.conditions:
            name = cond.field.removeprefix(BEFORE)
            spec = schema.get(name)
            if spec is None and name == cond.field:
                spec = derived_field(schema.entity, name)
            if spec is None or (spec.derived and name != cond.field):
                raise ValidationError({cond.field: QT_TRANSLATE_NOOP("errors", "Unknown field.")})
            if cond.op not in ops_for(spec):
                raise ValidationError({cond.field: QT_TRANSLATE_NOOP("errors", "This comparison does not fit the field.")})
            if spec.derived:
                _check_derived(spec, cond)
            elif cond.op not in (Op.EMPTY, Op.NOT_EMPTY, Op.CONTAINS, Op.NOT_CONTAINS):
                for v in cond.value if isinstance(cond.value, (list, tuple)) else [cond.value]:
                    _typed(spec, v)


def _check_derived(spec: FieldSpec, cond: Condition) -> None:
    """A derived field's value as its list filter takes it (the same errors, raised on saving)."""
    if cond.op in (Op.EMPTY, Op.NOT_EMPTY):
        return
    single = cond.op is not Op.IN
    if single and isinstance(cond.value, (list, tuple)):
        raise ValidationError({cond.field: QT_TRANSLATE_NOOP("errors", "Choose a listed value.")})
    if not derived_fields.category_ids(spec, cond.value):
        raise ValidationError({cond.field: QT_TRANSLATE_NOOP("errors", "Choose a listed value.")})


Compiled = tuple[str, tuple[Filter, ...]]


def matches(
    specs: Mapping[str, FieldSpec], condition: Compiled, values: Mapping[str, Any], before: Mapping[str, Any],
) -> bool:
    """Whether a condition (``groups_of``'s result) holds for a record with ``values`` (now) and
    ``before`` (changed fields' old values); ``specs`` maps field names to their specs."""
    match, groups = condition
    results = (_group(specs, g, values, before) for g in groups if g.conditions)
    if match == "any":
        found = False
        for result in results:
            if result:
                return True
            found = True
        return not found  # no group with conditions: always
    return all(results)


def _group(specs: Mapping[str, FieldSpec], flt: Filter, values: Mapping[str, Any], before: Mapping[str, Any]) -> bool:
    results = (_one(specs, c, values, before) for c in flt.conditions)
    return any(results) if flt.match == "any" else all(results)


def _one(specs: Mapping[str, FieldSpec], cond: Condition, values: Mapping[str, Any], before: Mapping[str, Any]) -> bool:
    name = cond.field
    if name.startswith(BEFORE):
        name = name.removeprefix(BEFORE)
        raw = before[name] if name in before else values.get(name)
    else:
        raw = values.get(name)
    spec = specs.get(name)
    if spec is None:
        raise ValidationError({cond.field: QT_TRANSLATE_NOOP("errors", "Unknown field.")})
    return compare(spec, cond.op, raw, cond.value)


def compare(spec: FieldSpec, op: Op, raw: Any, wanted: Any) -> bool:
    """One comparison with the list filter's meaning (NULL-like values match "is empty")."""
    if op is Op.EMPTY:
        return raw in _EMPTY
    if op is Op.NOT_EMPTY:
        return raw not in _EMPTY
    if spec.type is FieldType.MULTISELECT:
        have = {str(v) for v in (raw or [])}
        if op is Op.IN:  # any of the wanted values (derived sets such as product categories)
            return not have.isdisjoint(str(v) for v in (wanted if isinstance(wanted, (list, tuple)) else [wanted]))
        inside = str(wanted) in have
        return inside if op is Op.CONTAINS else not inside
    if op in (Op.CONTAINS, Op.NOT_CONTAINS):
        inside = raw not in _EMPTY and str(wanted).casefold() in str(raw).casefold()
        return inside if op is Op.CONTAINS else not inside
    value = _norm(spec, raw)
    if op is Op.IN:
        options = wanted if isinstance(wanted, (list, tuple)) else [wanted]
        return value is not None and value in [_typed(spec, v) for v in options]
    if op is Op.BETWEEN:
        low, high = wanted if isinstance(wanted, (list, tuple)) and len(wanted) == 2 else (None, None)
        if value is None or low in _EMPTY or high in _EMPTY:
            return False
        return bool(_typed(spec, low) <= value <= _typed(spec, high))
    target = _typed(spec, wanted)
    if op is Op.EQ:
        return value == target
    if op is Op.NE:
        return value != target
    if value is None or target is None:
        return False
    return bool({Op.GT: value > target, Op.GTE: value >= target, Op.LT: value < target, Op.LTE: value <= target}[op])


Predicate = Callable[[Mapping[str, Any], Mapping[str, Any]], bool]
_PRETYPED = frozenset({Op.EQ, Op.NE, Op.GT, Op.GTE, Op.LT, Op.LTE, Op.IN, Op.BETWEEN})


def compile_condition(specs: Mapping[str, FieldSpec], condition: Compiled) -> Predicate:
    """``matches`` as a predicate over (values, before), with specs resolved and values typed
    now. Raises ValidationError (unknown field, a value that does not fit) as ``matches`` would."""
    match, groups = condition
    compiled = [_compile_group(specs, g) for g in groups if g.conditions]
    if not compiled:
        return lambda _values, _before: True
    return _combine(compiled, match == "any")


def _compile_group(specs: Mapping[str, FieldSpec], flt: Filter) -> Predicate:
    return _combine([_compile_one(specs, c) for c in flt.conditions], flt.match == "any")


def _combine(tests: list[Predicate], any_: bool) -> Predicate:
    # Plain loops, not any()/all() over a generator: a save runs these for every rule.
    if len(tests) == 1:
        return tests[0]
    if any_:
        def either(values: Mapping[str, Any], before: Mapping[str, Any]) -> bool:
            for test in tests:
                if test(values, before):
                    return True
            return False
        return either

    def every(values: Mapping[str, Any], before: Mapping[str, Any]) -> bool:
        for test in tests:
            if not test(values, before):
                return False
        return True
    return every


def _compile_one(specs: Mapping[str, FieldSpec], cond: Condition) -> Predicate:
    name = cond.field
    old = name.startswith(BEFORE)
    if old:
        name = name.removeprefix(BEFORE)
    spec = specs.get(name)
    if spec is None:
        raise ValidationError({cond.field: QT_TRANSLATE_NOOP("errors", "Unknown field.")})
    op, wanted = cond.op, cond.value
    if op in (Op.CONTAINS, Op.NOT_CONTAINS) and spec.type is not FieldType.MULTISELECT:
        needle, inside = str(wanted).casefold(), op is Op.CONTAINS
        return _reader(name, old, lambda raw: (raw not in _EMPTY and needle in str(raw).casefold()) is inside)
    if op in _PRETYPED and spec.type is not FieldType.MULTISELECT:
        if op is Op.IN:
            options = [_typed(spec, v) for v in (wanted if isinstance(wanted, (list, tuple)) else [wanted])]
            return _reader(name, old, lambda raw: (v := _norm(spec, raw)) is not None and v in options)
        if op is Op.BETWEEN:
            low, high = wanted if isinstance(wanted, (list, tuple)) and len(wanted) == 2 else (None, None)
            if low in _EMPTY or high in _EMPTY:
                return lambda _values, _before: False
            lo, hi = _typed(spec, low), _typed(spec, high)
            return _reader(name, old, lambda raw: (v := _norm(spec, raw)) is not None and bool(lo <= v <= hi))
        target = _typed(spec, wanted)
        if op is Op.EQ:
            return _reader(name, old, lambda raw: _norm(spec, raw) == target)
        if op is Op.NE:
            return _reader(name, old, lambda raw: _norm(spec, raw) != target)
        if target is None:
            return lambda _values, _before: False
        order = _ORDER[op]
        return _reader(name, old, lambda raw: (v := _norm(spec, raw)) is not None and order(v, target))
    return _reader(name, old, lambda raw: compare(spec, op, raw, wanted))


_ORDER: dict[Op, Callable[[Any, Any], bool]] = {
    Op.GT: lambda a, b: bool(a > b), Op.GTE: lambda a, b: bool(a >= b),
    Op.LT: lambda a, b: bool(a < b), Op.LTE: lambda a, b: bool(a <= b),
}


def _reader(name: str, old: bool, test: Callable[[Any], bool]) -> Predicate:
    if old:
        return lambda values, before: test(before[name] if name in before else values.get(name))
    return lambda values, _before: test(values.get(name))


def _typed(spec: FieldSpec, value: Any) -> Any:
    """A condition's value as comparable as the record's (coerced like form input)."""
    try:
        return _norm(spec, coerce(spec, value))
    except ValueError as exc:
        raise ValidationError({spec.name: str(exc)}) from None


def _norm(spec: FieldSpec, value: Any) -> Any:
    """Stored, audited (JSON) and typed values of a field brought to one comparable form."""
    if value in _EMPTY:
        return None
    t = spec.type
    if t in NUMERIC_TYPES:
        return decimal.Decimal(str(value))
    if t is FieldType.DATE:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    if t is FieldType.DATETIME:
        parsed = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
    if t is FieldType.BOOLEAN:
        return bool(value)
    if t in (FieldType.USER, FieldType.DEPARTMENT):
        return int(value)
    return str(value)


__all__ = ["BEFORE", "Compiled", "Predicate", "check", "compare", "compile_condition", "fields_named", "groups_of",
           "matches"]
