"""Turning a table's rows into checked values, column by column (inside a read transaction).

The same rules as the form: the actor's schema (hidden fields cannot be mapped, read-only
ones are refused), required fields, types, dictionaries (a value or its label), the module's
own checks (``RecordService.prepare_values``'s extra validator: mobile and e-mail, system
fields refused), text lengths and unusable characters (``validation.text_problem``), custom
values stored exactly as ``schema.coerce`` stores a form's, owners enabled and inside the
importer's scope. Lookups (dictionaries, users, departments, categories) are read once per
import, not once per row: that is what lets a million rows through in seconds.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Department, DictionaryItem, ProductCategory, User
from crm_desktop.services.imports import values as v
from crm_desktop.services.imports.mapping import chinese_labels, is_totals_row
from crm_desktop.services.imports.modules import ModuleSpec
from crm_desktop.services.imports.reading import MAX_CELL, FileProblem
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.scope import owner_in_scope
from crm_desktop.services.records.schema import (
    CUSTOM_PREFIX,
    EntitySchema,
    FieldSpec,
    FieldType,
    coerce,
)
from crm_desktop.services.records.validation import TOO_LONG, text_problem

OWNER_UNKNOWN = QT_TRANSLATE_NOOP("errors", "No enabled user has this name or mobile number.")
OWNER_AMBIGUOUS = QT_TRANSLATE_NOOP("errors", "Several users have this name: write their mobile number instead.")
OWNER_OUT_OF_SCOPE = QT_TRANSLATE_NOOP("errors", "Choose an owner within your data scope.")
OWNER_NEEDS_TRANSFER = QT_TRANSLATE_NOOP("errors", "You may only import records for yourself (no transfer permission).")
NOT_LISTED = QT_TRANSLATE_NOOP("errors", "Not a value of the dictionary: choose a listed value.")
REQUIRED = QT_TRANSLATE_NOOP("errors", "Required.")
CELL_TOO_LONG = QT_TRANSLATE_NOOP("errors", "The cell holds more than 32,767 characters.")
CUSTOMER_UNKNOWN = QT_TRANSLATE_NOOP("errors", "No customer you can see has this name, credit code or phone.")
CUSTOMER_AMBIGUOUS = QT_TRANSLATE_NOOP("errors", "Several customers match: use the credit code.")
DEPARTMENT_UNKNOWN = QT_TRANSLATE_NOOP("errors", "No department has this name or path.")


@dataclass(frozen=True)
class RowError:
    """One problem: the sheet row (1-based, as Excel numbers it), the column's header and a
    message template (context "errors") with its ``params`` (translate the template, then
    fill it: ``text``)."""

    row: int
    column: str
    template: str
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def reason(self) -> str:
        """The message in English (the template filled in)."""
        return self.text()

    def text(self, translate: Callable[[str], str] | None = None) -> str:
        template = translate(self.template) if translate is not None else self.template
        return template.format(**dict(self.params)) if self.params else template


@dataclass(slots=True)  # no __dict__ per row: a million of them
class PreparedRow:
    index: int
    sheet_row: int
    builtin: dict[str, Any] = field(default_factory=dict)
    custom: dict[str, Any] = field(default_factory=dict)
    owner_id: int = 0
    created_at: dt.datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    #: create · update · skip · fail (decided by the duplicate policy)
    action: str = "create"
    match_id: int | None = None
    note: str = ""
    #: Whether the row's own owner cell named the owner (an empty cell keeps a record's owner).
    owner_given: bool = False

    def fail(self, column: str, reason: str, **params: Any) -> None:
        self.errors.append(RowError(self.sheet_row, column, reason, tuple(params.items())))
        self.action = "fail"


Parser = Callable[[Any], Any]


@dataclass
class Column:
    index: int
    header: str
    target: str
    spec: FieldSpec | None
    parse: Parser


class Preparer:
    """Parses and checks rows for one import (one read transaction's lookups)."""

    def __init__(self, session: Session, actor: Actor, module: ModuleSpec, schema: EntitySchema,
                 *, unknown_values: str = "reject", default_owner_id: int | None = None) -> None:
        self.session = session
        self.actor = actor
        self.module = module
        self.schema = schema
        self.unknown_values = unknown_values
        self.default_owner = default_owner_id or actor.user_id
        self._options: dict[str, tuple[set[str], dict[str, str]]] = {}
        self._users: tuple[dict[str, list[int]], dict[str, int]] | None = None
        self._owner_ok: dict[int, str | None] = {}
        self._departments: dict[str, int] | None = None
        #: column index → raw cell → its outcome (``prepare``).
        self._memo: dict[int, dict[Any, tuple[Any, str | None]]] = {}
        #: Dictionary values met in the file but not in the dictionary ("add" mode).
        self.new_dictionary_values: dict[str, set[str]] = {}

    # --- which targets a column may take ----------------------------------------------------

    def importable(self) -> dict[str, FieldSpec | None]:
        """target → field spec (None for a pseudo-target) the actor may import."""
        found: dict[str, FieldSpec | None] = {}
        for spec in self.schema.fields:
            if spec.derived or spec.name in self.module.replaced:
                continue
            if spec.system and spec.name not in self.module.importable_system:
                continue
            if spec.type is FieldType.ATTACHMENT:
                continue
            found[spec.name] = spec
        for name in self.module.extra:
            found[name] = None
        return found

    def check_mapping(self, headers: Sequence[str], mapping: Mapping[int, str | None]) -> list[Column]:
        """The columns to read, or FileProblem: a target twice, a field the actor may not
        change, a required field without a column."""
        allowed = self.importable()
        seen: dict[str, int] = {}
        columns: list[Column] = []
        for col, target in sorted(mapping.items()):
            if not target:
                continue
            header = headers[col] if col < len(headers) else f"#{col + 1}"
            if target not in allowed:
                spec = self.schema.get(target)
                if spec is None and target not in self.module.extra:
                    raise FileProblem(QT_TRANSLATE_NOOP(
                        "errors", "The column {column} is mapped to an unknown field."), column=header)
                raise FileProblem(QT_TRANSLATE_NOOP(
                    "errors", "The column {column} cannot be imported: it is set by the system."), column=header)
            if target in seen:
                raise FileProblem(QT_TRANSLATE_NOOP(
                    "errors", "The columns {first} and {second} both go to the same field: map only one."),
                    first=headers[seen[target]], second=header)
            seen[target] = col
            spec = allowed[target]
            if spec is not None and not self.schema.can_edit(spec.name):
                raise FileProblem(QT_TRANSLATE_NOOP(
                    "errors", "The column {column} cannot be imported: the field is read-only for you."), column=header)
            columns.append(Column(col, header, target, spec, self._parser(target, spec)))
        required = [f for f in self.schema.fields if (f.required or f.name in self.module.service.required)
                    and f.name not in self.module.replaced and f.name not in self.module.optional and not f.system]
        for spec in required:
            if spec.name not in seen and not (spec.is_custom and spec.default not in (None, "", [])):
                raise FileProblem(QT_TRANSLATE_NOOP(
                    "errors", "The required column {field} is missing."), field=chinese_labels().get(spec.label, spec.label))
        for ref, name in (("customer_ref", "客户名称"), ("contract_ref", "合同编号")):
            if ref in self.module.extra and ref not in seen:
                raise FileProblem(QT_TRANSLATE_NOOP("errors", "The required column {field} is missing."), field=name)
        return columns

    # --- parsers ----------------------------------------------------------------------------

    def _parser(self, target: str, spec: FieldSpec | None) -> Parser:
        if spec is None:
            if target == "owner":
                return self._owner
            if target == "created_at":
                return v.DateColumn(with_time=True).parse
            if target == "contact.mobile":
                return v.parse_phone
            if target == "line.quantity":
                return v.parse_quantity
            if target == "line.price":
                return lambda raw: v.parse_number(raw, money=True, allow_negative=False)
            return _plain_text(100 if target.startswith("contact.") else 300)
        t = spec.type
        if t is FieldType.PHONE:
            return v.parse_mobile if spec.name == "mobile" else v.parse_phone
        if t is FieldType.EMAIL:
            return v.parse_email
        if t in (FieldType.DATE, FieldType.DATETIME):
            return v.DateColumn(with_time=t is FieldType.DATETIME).parse
        if t is FieldType.MONEY:
            return lambda raw: v.parse_number(raw, money=True, allow_negative=False)
        if t is FieldType.PERCENT:
            return v.parse_percent
        if t is FieldType.DECIMAL:
            return v.parse_number
        if t is FieldType.INTEGER:
            return _integer
        if t is FieldType.BOOLEAN:
            return v.parse_bool
        if t is FieldType.SELECT:
            return self._select(spec)
        if t is FieldType.MULTISELECT:
            pick = self._select(spec)
            return lambda raw: [pick(p) for p in v.split_multi(raw)]
        if t is FieldType.USER:
            return self._user
        if t is FieldType.DEPARTMENT:
            return self._department
        return _plain_text(spec.max_length)

    def _options_of(self, spec: FieldSpec) -> tuple[set[str], dict[str, str]]:
        """(values, label or value → value) of a select field, read once."""
        found = self._options.get(spec.name)
        if found is None:
            zh = chinese_labels()
            if spec.choices:
                values = {val for val, _ in spec.choices}
                labels = {lab: val for val, lab in spec.choices} | {zh.get(lab, lab): val for val, lab in spec.choices}
            elif spec.dictionary:
                items = self.session.execute(select(DictionaryItem.value, DictionaryItem.label).where(
                    DictionaryItem.dictionary == spec.dictionary, DictionaryItem.enabled.is_(True))).all()
                values = {val for val, _ in items}
                labels = {lab: val for val, lab in items}
            else:
                values, labels = set(), {}
            found = self._options[spec.name] = (values, {**labels, **{x: x for x in values}})
        return found

    def _select(self, spec: FieldSpec) -> Parser:
        values, by_text = self._options_of(spec)

        def pick(raw: Any) -> str:
            text = v.text_of(raw)
            if not values:  # an empty dictionary does not block typing (the form's rule)
                return text
            hit = by_text.get(text) or by_text.get(text.strip().lower())
            if hit is None:
                if self.unknown_values == "add" and spec.dictionary and len(text) <= 100:
                    self.new_dictionary_values.setdefault(spec.dictionary, set()).add(text)
                    return text
                raise v.BadValue(NOT_LISTED)
            return hit

        return pick

    def _user_maps(self) -> tuple[dict[str, list[int]], dict[str, int]]:
        if self._users is None:
            self._users = user_maps(self.session)
        return self._users

    def _user(self, raw: Any) -> int:
        text = v.text_of(raw)
        by_name, by_mobile = self._user_maps()
        if text in by_mobile:
            return by_mobile[text]
        ids = by_name.get(text, [])
        if len(ids) > 1:
            raise v.BadValue(OWNER_AMBIGUOUS)
        if not ids:
            raise v.BadValue(OWNER_UNKNOWN)
        return ids[0]

    def _owner(self, raw: Any) -> int:
        uid = self._user(raw)
        problem = self.owner_problem(uid)
        if problem:
            raise v.BadValue(problem)
        return uid

    def owner_problem(self, uid: int) -> str | None:
        """Why the actor may not give a record to ``uid`` (the rule of ``RecordService.new_owner``)."""
        if uid not in self._owner_ok:
            problem = None
            if uid != self.actor.user_id:
                if not self.actor.can(self.module.entity, "transfer"):
                    problem = OWNER_NEEDS_TRANSFER
                elif not owner_in_scope(self.session, self.actor, self.module.entity, uid):
                    problem = OWNER_OUT_OF_SCOPE
            if problem is None and uid not in self._user_maps()[1].values():
                problem = OWNER_UNKNOWN
            self._owner_ok[uid] = problem
        return self._owner_ok[uid]

    def _department(self, raw: Any) -> int:
        if self._departments is None:
            rows = self.session.execute(select(Department.id, Department.name, Department.parent_id)).all()
            self._departments = paths(rows)
        text = v.text_of(raw).replace(" ", "")
        found = self._departments.get(text)
        if found is None:
            raise v.BadValue(DEPARTMENT_UNKNOWN)
        return found

    # --- rows -------------------------------------------------------------------------------

    def prepare(self, rows: Sequence[Sequence[Any]], columns: Sequence[Column], *, first_sheet_row: int,
                first_index: int = 0, last_index: int | None = None) -> list[PreparedRow]:
        """Data rows (under the header) ``rows``, the first being data row ``first_index``;
        empty rows and a totals row as the last data row (``last_index``) dropped. The date
        columns' day/month order is inferred beforehand, from the whole column."""
        regions = {c.target for c in columns} & {"province", "city", "district"}
        split = "address" in {c.target for c in columns} and not regions and self.schema.get("province") is not None
        extra_check = self.module.service._validate_extra
        required = [f.name for f in self.schema.fields if (f.required or f.name in self.module.service.required)
                    and f.name not in self.module.replaced and f.name not in self.module.optional and not f.system]
        custom_specs = {s.name: s for s in self.schema.fields if s.is_custom}
        # What each cell needs, worked out once per column (a million rows × a dozen columns).
        cells = [(col, col.index, col.header, _kind(col), self._memo.setdefault(col.index, {})) for col in columns]
        required_labels = [(name, _label(self.schema.get(name), name)) for name in required
                           if not ((spec := self.schema.get(name)) is not None and spec.is_custom)]
        outcome = self._outcome
        cities: dict[tuple[str, str], tuple[str, str]] = {}
        prepared: list[PreparedRow] = []
        last = first_index + len(rows) - 1 if last_index is None else last_index
        for i, raw_row in enumerate(rows, first_index):
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in raw_row):
                continue
            if i == last and is_totals_row(raw_row):
                continue
            row = PreparedRow(index=i, sheet_row=first_sheet_row + i, owner_id=self.default_owner)
            builtin = row.builtin
            width = len(raw_row)
            # One check of the row's text for characters no database stores: when it passes,
            # no cell's value (its text, or text derived from it) needs the check again.
            clean = _usable("".join([c for c in raw_row if type(c) is str]))
            for col, index, header, kind, memo in cells:
                raw = raw_row[index] if index < width else None
                if raw is None:
                    continue
                if isinstance(raw, str):
                    if not raw.strip():
                        continue
                    if len(raw) > MAX_CELL:
                        row.fail(header, CELL_TOO_LONG)
                        continue
                # Columns repeat their values (dates, levels, owners, cities): each distinct
                # value is parsed once. The key holds the type (True == 1 == 1.0).
                key = raw if type(raw) is str else (type(raw), raw)
                got = memo.get(key)
                if got is None:
                    got = outcome(col, kind, raw, clean)
                    if len(memo) < MEMO_SIZE and type(got[0]) in _IMMUTABLE:
                        memo[key] = got
                value, problem = got
                if problem is not None:
                    row.fail(header, problem)
                elif kind == "builtin":
                    builtin[col.target] = value
                elif kind == "custom":
                    row.custom[col.spec.key or col.spec.name.removeprefix(CUSTOM_PREFIX)] = value  # type: ignore[union-attr]
                elif kind == "owner":
                    row.owner_id, row.owner_given = value, True
                elif kind == "created_at":
                    row.created_at = value
                else:
                    row.extra[col.target] = value
            if split and row.builtin.get("address"):
                province, city, district, rest = v.split_address(row.builtin["address"])
                if province or city:
                    row.builtin.update(province=province, city=city, district=district, address=rest)
            elif regions:
                where = (str(row.builtin.get("province", "")), str(row.builtin.get("city", "")))
                found = cities.get(where)
                if found is None:
                    found = cities[where] = v.complete_city(*where)
                province, city = found
                if city:
                    row.builtin.update(province=province, city=city)
            for name, label in required_labels:  # custom: checked by coerce's stored value below
                if row.builtin.get(name) in (None, "") and not any(e.column == label for e in row.errors):
                    row.fail(label, REQUIRED)
            for spec in custom_specs.values():
                if spec.key not in row.custom and spec.default not in (None, "", []):
                    row.custom[spec.key] = coerce(spec, spec.default)
                if spec.required and row.custom.get(spec.key) in (None, "", []):
                    row.fail(_label(spec, spec.name), REQUIRED)
            if extra_check is not None:
                checked = {k: x for k, x in row.builtin.items() if k not in self.module.importable_system}
                for name, message in extra_check(checked).items():
                    row.fail(_label(self.schema.get(name), name), message)
            prepared.append(row)
        return prepared

    def _outcome(self, col: Column, kind: str, raw: Any, clean: bool) -> tuple[Any, str | None]:
        """A cell's (value, None), or (None, the error template): parsed, a datetime given its
        zone, a custom value stored as ``schema.coerce`` stores a form's, text checked against
        the field's length (and, unless ``clean``, for unusable characters)."""
        spec = col.spec
        limit = spec.max_length if spec is not None else None
        checked = getattr(col.parse, "checked_text", False) is not False
        if checked and clean:  # plain text: the parser's own check, but for the length only
            value = raw.strip() if type(raw) is str else v.text_of(raw)
            text_limit = col.parse.limit  # type: ignore[attr-defined]
            if text_limit is not None and len(value) > text_limit:
                return None, TOO_LONG
        else:
            try:
                value = col.parse(raw)
            except v.BadValue as exc:
                return None, str(exc)
        if kind == "custom":
            assert spec is not None
            try:
                value = coerce(spec, _formable(value))
            except ValueError as exc:
                return None, str(exc)
            limit, checked = spec.max_length, False
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        if kind in ("builtin", "custom") and not checked:
            problem = _length_problem(value, limit) if clean else _text_check(value, limit)
            if problem:
                return None, problem
        return value, None


def _kind(col: Column) -> str:
    """Where a column's value goes: builtin · custom · owner · created_at · extra."""
    if col.spec is not None:
        return "custom" if col.spec.is_custom else "builtin"
    return col.target if col.target in ("owner", "created_at") else "extra"


#: Distinct values of a column whose outcome is kept (``Preparer.prepare``).
MEMO_SIZE = 10_000
_IMMUTABLE = frozenset({type(None), str, int, float, bool, Decimal, dt.date, dt.datetime})


def _usable(text: str) -> bool:
    """Whether ``text`` holds no character a database cannot store (``text_problem``'s check)."""
    return text_problem(text, None) is None


def _length_problem(value: Any, limit: int | None) -> str | None:
    """``_text_check`` for text known to hold no unusable character."""
    if isinstance(value, list):
        return next((p for x in value if (p := _length_problem(x, limit))), None)
    return TOO_LONG if isinstance(value, str) and limit is not None and len(value) > limit else None


def _label(spec: FieldSpec | None, name: str) -> str:
    return chinese_labels().get(spec.label, spec.label) if spec is not None else name


def _formable(value: Any) -> Any:
    """A parsed value as a form would pass it to ``coerce``."""
    if isinstance(value, Decimal):
        return str(value)
    return value


def _text_check(value: Any, limit: int | None) -> str | None:
    if isinstance(value, list):
        return next((p for x in value if (p := _text_check(x, limit))), None)
    return text_problem(value, limit) if isinstance(value, str) else None


def _plain_text(limit: int | None) -> Parser:
    def parse(raw: Any) -> str:
        text = raw.strip() if type(raw) is str else v.text_of(raw)  # text_of's answer for text
        if problem := text_problem(text, limit):
            raise v.BadValue(problem)
        return text

    parse.checked_text = True  # type: ignore[attr-defined]
    parse.limit = limit  # type: ignore[attr-defined]
    return parse


def _integer(raw: Any) -> int:
    number = v.parse_number(raw)
    if number != number.to_integral_value():
        raise v.BadValue(v.NOT_A_NUMBER)
    return int(number)


def user_maps(session: Session) -> tuple[dict[str, list[int]], dict[str, int]]:
    """The enabled users a cell can name: (name → ids, for telling a name several people share;
    mobile → id)."""
    by_name: dict[str, list[int]] = {}
    by_mobile: dict[str, int] = {}
    for uid, name, mobile in session.execute(select(User.id, User.name, User.mobile).where(User.enabled.is_(True))):
        by_name.setdefault(name.strip(), []).append(uid)
        by_mobile[mobile.strip()] = uid
    return by_name, by_mobile


def paths(rows: Sequence[Any]) -> dict[str, int]:
    """name and "a/b/c" path → id for a tree of (id, name, parent_id); a name shared by two
    nodes is reachable by path only."""
    by_id = {r[0]: r for r in rows}
    found: dict[str, int] = {}
    names: dict[str, list[int]] = {}
    for rid, name, _parent in rows:
        parts: list[str] = []
        node: Any = by_id[rid]
        while node is not None and len(parts) < 20:
            parts.append(node[1].replace(" ", ""))
            node = by_id.get(node[2])
        found["/".join(reversed(parts))] = rid
        names.setdefault(name.replace(" ", ""), []).append(rid)
    for name, ids in names.items():
        if len(ids) == 1:
            found.setdefault(name, ids[0])
    return found


def category_paths(session: Session) -> dict[str, int]:
    return paths(session.execute(select(ProductCategory.id, ProductCategory.name, ProductCategory.parent_id)).all())
