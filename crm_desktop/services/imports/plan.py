"""The dry run: what an import would do with every row (inside a read transaction).

``make_plan`` reads nothing but the database: the table is already read. It checks the
import permission, resolves the mapping (given, remembered for this user and header set, or
automatic), prepares the rows (``prepare``), resolves a contact's customer and a product's
category, checks unique fields, and applies the duplicate policy to the file's own repeats and
to the records already in the database (``dedupe``). Each row ends as create · update · skip ·
fail, with its errors; an update carries its field-by-field diff.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Customer, ImportMapping, Setting, User
from crm_desktop.services.imports import dedupe, sales_rows
from crm_desktop.services.imports.initials import fast_initials
from crm_desktop.services.imports.mapping import (
    HEADER_SCAN,
    ColumnMatch,
    find_header_row,
    header_signature,
    header_texts,
    match_columns,
    targets_for,
)
from crm_desktop.services.imports.modules import ModuleSpec, module_spec
from crm_desktop.services.imports.prepare import (
    CUSTOMER_AMBIGUOUS,
    CUSTOMER_UNKNOWN,
    Column,
    PreparedRow,
    Preparer,
    RowError,
    category_paths,
)
from crm_desktop.services.imports.reading import FileProblem, Table, TextTable
from crm_desktop.services.imports.values import DateColumn
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.org.scope import editable_filter, visible_filter
from crm_desktop.services.records import audit, search
from crm_desktop.services.records.duplicates import MODE_KEY, phone_key
from crm_desktop.services.records.schema import EntitySchema, schema_for

POLICIES = ("skip", "update", "create", "stop")
SAME_IN_FILE = QT_TRANSLATE_NOOP("errors", "Same {field} as row {row} of this file.")
EXISTS = QT_TRANSLATE_NOOP("errors", "Already exists ({field}): skipped.")
MATCHES_SEVERAL = QT_TRANSLATE_NOOP("errors", "Matches several existing records: cannot choose one to update.")
NOT_EDITABLE = QT_TRANSLATE_NOOP("errors", "Matches an existing record you may not edit (owner: {owner}).")
CLAIMED = QT_TRANSLATE_NOOP("errors", "This record may already exist (owner: {owner}): duplicate claims are blocked.")
UNIQUE_TAKEN = QT_TRANSLATE_NOOP("errors", "Another record already has this value.")
STOPPED = QT_TRANSLATE_NOOP("errors", "Row {row} matches an existing record and the policy is to stop: nothing was imported.")
CATEGORY_UNKNOWN = QT_TRANSLATE_NOOP("errors", "No product category has this name or path.")


@dataclass
class Plan:
    """A planned import. ``rows`` keep their order; errors are per row."""

    entity: str
    sheet: str
    header_row: int
    headers: list[str]
    columns: list[Column]
    matches: list[ColumnMatch]
    rows: list[PreparedRow]
    policy: str
    #: update rows: record id → {field: (old, new)} (custom fields under their names).
    diffs: dict[int, dict[str, tuple[Any, Any]]] = field(default_factory=dict)
    #: record id → its version when planned (an update writes only that version).
    versions: dict[int, int] = field(default_factory=dict)
    #: category paths a product import creates.
    new_categories: list[str] = field(default_factory=list)
    new_dictionary_values: dict[str, set[str]] = field(default_factory=dict)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def errors(self) -> list[RowError]:
        return [e for r in self.rows for e in r.errors]


def resolve_mapping(session: Session, actor: Actor, module: ModuleSpec, schema: EntitySchema, headers: Sequence[str],
                    given: Mapping[str, str | None] | None, allowed: Mapping[str, Any]) -> list[ColumnMatch]:
    """Each column's target: as given (header → target), else as this user last mapped the
    same headers, else matched by label, alias, pinyin and similarity."""
    targets = targets_for([s for n, s in allowed.items() if s is not None],
                          {n: a for n, a in module.extra.items()})
    auto = match_columns(headers, targets)
    chosen: Mapping[str, str | None] | None = given
    how = "given"
    if chosen is None:
        kept = session.get(ImportMapping, (actor.user_id, module.entity, header_signature(headers)))
        if kept is not None:
            chosen, how = kept.mapping, "remembered"
    if chosen is None:
        return auto
    return [ColumnMatch(m.column, m.header, chosen.get(m.header) or None, how if chosen.get(m.header) else "none")
            for m in auto]


class Planner:
    """One import's plan, made segment by segment.

    The setup (permissions, schema, header row, mapping, columns) is done once, from the
    table's first rows; ``infer_dates`` reads the date columns whole (the day/month order is
    the column's); then ``plan`` turns each segment of data rows into a ``Plan``. What spans
    segments is kept compactly: the keys of the in-file duplicate check (64-bit hashes, each
    with the first sheet row that had it), each unique custom field's values seen likewise,
    the records being updated. So a file can be planned and written a segment at a time and
    never be whole in memory, with the same answers as a plan of the whole file."""

    def __init__(self, session: Session, actor: Actor, table: Table | TextTable, *, entity: str,
                 header_row: int | None = None, mapping: Mapping[str, str | None] | None = None,
                 policy: str = "skip", owner_id: int | None = None, unknown_values: str = "reject") -> None:
        module = module_spec(entity)
        require(actor, entity, "import")
        require(actor, entity, "create")
        if policy == "update" and module.updatable:
            require(actor, entity, "edit")
        if policy not in POLICIES:
            raise ValueError(policy)
        schema = schema_for(session, actor, entity)
        preparer = Preparer(session, actor, module, schema, unknown_values=unknown_values, default_owner_id=owner_id)
        if owner_id is not None and (problem := preparer.owner_problem(owner_id)):
            raise FileProblem(problem)
        if not table.height:
            raise FileProblem(QT_TRANSLATE_NOOP("errors", "The sheet is empty."))
        allowed = preparer.importable()
        if header_row is None:
            targets = targets_for([s for s in allowed.values() if s is not None], dict(module.extra))
            header_row = find_header_row(table.head(HEADER_SCAN), targets)
        if header_row >= table.height:
            raise FileProblem(QT_TRANSLATE_NOOP("errors", "The header row is past the end of the sheet."))
        headers = header_texts(table.head(header_row + 1)[header_row])
        named = [h for h in headers if h]
        if len(set(named)) != len(named):
            twice = sorted({h for h in named if named.count(h) > 1})
            raise FileProblem(QT_TRANSLATE_NOOP(
                "errors", "Several columns are called {names}: rename them so that each header is different."),
                names="、".join(twice))
        matches = resolve_mapping(session, actor, module, schema, headers, mapping, allowed)
        columns = preparer.check_mapping(headers, {m.column: m.target for m in matches})
        if not any(any(c is not None for c in r) for r in table.iter_rows(header_row + 1)):
            raise FileProblem(QT_TRANSLATE_NOOP("errors", "The sheet has a header but no rows to import."))
        self.entity, self.module, self.schema, self.preparer = entity, module, schema, preparer
        self.sheet, self.header_row, self.headers, self.matches, self.columns = (
            table.sheet, header_row, headers, matches, columns)
        self.policy = policy
        #: Data rows (under the header) of the table.
        self.total = table.height - header_row - 1
        #: The module's largest record id when planning began: what this import writes (ids above
        #: it) is not "already in the database" for a later segment, as for a plan of the whole file.
        self.ceiling = session.scalar(select(func.max(module.service.model.id))) or 0
        self.table = table
        self.dates_settled = not self.date_columns()
        self.reset()

    def reset(self) -> None:
        """Forget the segments planned so far (to plan the file again from its first row)."""
        per_row = 3 if self.entity in ("customer", "lead") else 1
        self.keys = dedupe.FirstRows(capacity=per_row * self.total)
        self.unique: dict[str, dedupe.FirstRows] = {}
        #: record id → the sheet row updating it.
        self.updating: dict[int, int] = {}

    def date_columns(self) -> list[tuple[int, DateColumn]]:
        return [(c.index, p) for c in self.columns if isinstance(p := getattr(c.parse, "__self__", None), DateColumn)]

    def date_orders(self) -> list[tuple[str | None, bool]]:
        """Each date column's inferred (order, ambiguous), for ``set_date_orders``."""
        return [(p.order, p.ambiguous) for _i, p in self.date_columns()]

    def set_date_orders(self, orders: Sequence[tuple[str | None, bool]]) -> None:
        """The date columns' orders as another planner of the same file inferred them."""
        for (_index, parser), (order, ambiguous) in zip(self.date_columns(), orders, strict=True):
            parser.order, parser.ambiguous = order, ambiguous
        self.dates_settled = True

    def settle_dates(self) -> None:
        """``infer_dates`` from the table's data rows, unless done (call before planning)."""
        if not self.dates_settled:
            self.infer_dates(self.table.iter_rows(self.header_row + 1))

    def infer_dates(self, rows: Iterable[Sequence[Any]]) -> None:
        """Each date column's day/month order, from all its values (``rows``: the data rows)."""
        dated = self.date_columns()
        self.dates_settled = True
        if not dated:
            return
        for row in rows:
            for index, parser in dated:
                parser.vote(row[index] if index < len(row) else None)
        for _index, parser in dated:
            parser.settle()

    def plan(self, session: Session, actor: Actor, rows: list[Sequence[Any]], *, first_index: int = 0,
             other_sheets: Mapping[str, Sequence[Sequence[Any]]] | None = None, release: bool = False) -> Plan:
        """The plan of ``rows``: the data rows from ``first_index`` on (0 is the row under the
        header), in a read transaction (``session``). ``release``: ``rows`` is emptied once
        prepared (the caller is done with the cells)."""
        preparer = self.preparer
        preparer.session, preparer.actor = session, actor
        prepared = preparer.prepare(rows, self.columns, first_sheet_row=self.header_row + 2,
                                    first_index=first_index, last_index=self.total - 1)
        if release:
            rows.clear()
        plan = Plan(self.entity, self.sheet, self.header_row, self.headers, self.columns, self.matches, prepared,
                    self.policy, new_dictionary_values=preparer.new_dictionary_values)
        entity, module = self.entity, self.module
        if entity == "contract":  # first: a further line of a contract is not a record to check
            sales_rows.gather_lines(session, plan.rows, {c.header for c in self.columns if c.target.startswith("line.")})
            numbered = {str(r.builtin.get("number") or "").strip(): r for r in plan.rows
                        if r.action != "skip" and r.builtin.get("number")}
            for name, cells in (other_sheets or {}).items():  # lines from a second sheet (产品明细)
                sales_rows.lines_from_sheet(session, name, cells, numbered)
        if "customer_ref" in module.extra:
            _resolve_customers(session, actor, plan, keep=entity != "followup")
        if entity == "product":
            _resolve_categories(session, actor, plan)
        if entity == "opportunity":
            sales_rows.check_stages(session, plan.rows)
        if entity == "payment":
            sales_rows.resolve_contracts(session, actor, plan.rows)
        _check_unique_custom(session, module, self.schema, plan, self)
        _apply_policy(session, actor, module, plan, self)
        if entity in search.INDEXES:
            _initials(plan)
        return plan


def _initials(plan: Plan) -> None:
    """The pinyin initials of the search index, worked out with the plan (a worker process
    makes the plan while the writer writes): a record's, and a customer's primary contact's."""
    contacts = plan.entity == "customer"
    for row in plan.rows:
        if row.action != "create":
            continue
        row.extra["_initials"] = fast_initials(str(row.builtin.get("name") or ""))
        if contacts and (name := str(row.extra.get("contact.name") or "").strip()):
            row.extra["_contact_initials"] = fast_initials(name[:100])


def make_plan(session: Session, actor: Actor, table: Table, *, entity: str, header_row: int | None = None,
              mapping: Mapping[str, str | None] | None = None, policy: str = "skip",
              owner_id: int | None = None, unknown_values: str = "reject", start: int = 0,
              other_sheets: Mapping[str, Sequence[Sequence[Any]]] | None = None, release_cells: bool = False) -> Plan:
    """Plan the import of ``table`` whole, from data row ``start`` on (see ``Planner``).
    FileProblem for the file as a whole. ``other_sheets``: the workbook's other sheets (name →
    cells), where a contract import finds a lines sheet. ``release_cells``: the caller is done
    with the table's cells: they are dropped (``table.rows`` emptied) once the rows are
    prepared, before the duplicate checks — on a million rows they are hundreds of megabytes."""
    planner = Planner(session, actor, table, entity=entity, header_row=header_row, mapping=mapping, policy=policy,
                      owner_id=owner_id, unknown_values=unknown_values)
    planner.infer_dates(table.iter_rows(planner.header_row + 1))
    data = table.rows[planner.header_row + 1 + start:]
    if release_cells:
        table.rows.clear()
    return planner.plan(session, actor, data, first_index=start, other_sheets=other_sheets, release=release_cells)


def _resolve_customers(session: Session, actor: Actor, plan: Plan, *, keep: bool = True) -> None:
    """A row's customer (a contact's, an opportunity's, …) by name, credit code or phone, among
    customers the actor sees; ``keep``: the record has a customer_id field (a follow-up's
    customer is its target instead)."""
    refs = {str(r.extra.get("customer_ref", "")).strip() for r in plan.rows if r.extra.get("customer_ref")}
    found: dict[str, set[int]] = {}
    names = sorted(refs)
    for part in dedupe._chunks(names):
        query = select(Customer.id, Customer.name, Customer.credit_code, Customer.phone, Customer.mobile).where(
            (Customer.name.in_(part)) | (Customer.credit_code.in_(part)) | (Customer.mobile.in_(part))
            | (Customer.phone.in_(part)),
            Customer.deleted_at.is_(None), Customer.pool_id.is_(None), visible_filter(Customer, actor))
        for rid, name, code, phone, mobile in session.execute(query):
            for key in (name, code, phone, mobile):
                if key in refs:
                    found.setdefault(key, set()).add(rid)
    for row in plan.rows:
        ref = str(row.extra.pop("customer_ref", "") or "").strip()
        if row.action == "skip":
            continue
        if not ref:
            row.fail("客户名称", QT_TRANSLATE_NOOP("errors", "Required."))
            continue
        ids = found.get(ref, set())
        if len(ids) == 1:
            row.extra["customer_id"] = next(iter(ids))
            if keep:
                row.builtin["customer_id"] = row.extra["customer_id"]
        else:
            row.fail("客户名称", CUSTOMER_AMBIGUOUS if ids else CUSTOMER_UNKNOWN)


def _resolve_categories(session: Session, actor: Actor, plan: Plan) -> None:
    paths = category_paths(session)
    may_create = actor.can("product", "edit")
    for row in plan.rows:
        text = str(row.extra.pop("category", "") or "").replace(" ", "").replace("／", "/").replace(">", "/").strip("/")
        if not text:
            continue
        if text in paths:
            row.builtin["category_id"] = paths[text]
        elif may_create:
            row.extra["category_path"] = text
            if text not in plan.new_categories:
                plan.new_categories.append(text)
        else:
            row.fail("产品分类", CATEGORY_UNKNOWN)


def _check_unique_custom(session: Session, module: ModuleSpec, schema: EntitySchema, plan: Plan,
                         planner: Planner) -> None:
    model = module.service.model
    for spec in schema.fields:
        if not (spec.is_custom and spec.unique and spec.key):
            continue
        seen = planner.unique.setdefault(spec.key, dedupe.FirstRows())
        wanted = sorted({str(r.custom[spec.key]) for r in plan.rows if r.custom.get(spec.key) not in (None, "", [])})
        taken: set[str] = set()
        for part in dedupe._chunks(wanted):
            taken |= set(session.scalars(select(model.custom[spec.key].as_string()).where(
                model.custom[spec.key].as_string().in_(part), model.deleted_at.is_(None),
                model.id <= planner.ceiling)))
        for row in plan.rows:
            value = row.custom.get(spec.key)
            if value in (None, "", []):
                continue
            key = str(value)
            if key in taken:
                row.fail(spec.label, UNIQUE_TAKEN)
            elif (earlier := seen.first(key, row.sheet_row)) is not None:
                row.fail(spec.label, SAME_IN_FILE, field=spec.label, row=earlier)


def _apply_policy(session: Session, actor: Actor, module: ModuleSpec, plan: Plan, planner: Planner) -> None:
    entity, policy = module.entity, plan.policy
    model = module.service.model
    headers = {c.target: c.header for c in plan.columns}
    if policy != "create":
        by_index = {r.index: r for r in plan.rows}
        for index, (earlier, fld) in dedupe.in_file(entity, plan.rows, planner.keys).items():
            header = headers.get(fld, fld)
            by_index[index].fail(header, SAME_IN_FILE, field=header, row=earlier)
    matches = dedupe.in_database(session, entity, plan.rows, ceiling=planner.ceiling)
    if entity == "product":  # a product code is unique whatever the policy
        policy = "update" if policy == "update" else "skip_code"
    setting = session.get(Setting, MODE_KEY)
    block = module.claim_check and setting is not None and setting.value == "block"
    ids = sorted({m.record_id for ms in matches.values() for m in ms})
    owners: dict[int, str] = {}
    editable: set[int] = set()
    for part in dedupe._chunks(ids):
        owners |= dict(session.execute(select(model.id, User.name).outerjoin(User, User.id == model.owner_id)
                                       .where(model.id.in_(part))).all())
        editable |= set(session.scalars(select(model.id).where(model.id.in_(part), editable_filter(model, actor))))
    update_ids: list[int] = []
    updating = planner.updating  # record id → the sheet row updating it
    for row in plan.rows:
        found = matches.get(row.index)
        if row.action in ("fail", "skip") or not found:
            continue
        first = found[0]
        first = dedupe.Match(first.record_id, headers.get(first.field, first.field), first.how)
        owner = owners.get(first.record_id) or "-"
        if policy == "stop":
            raise FileProblem(STOPPED, row=row.sheet_row)
        if policy == "create":
            if block:
                row.fail(first.field, CLAIMED, owner=owner)
            continue
        if policy == "update" and not module.updatable:
            row.action, row.note = "skip", sales_rows.NOT_UPDATED
            continue
        if policy in ("skip", "skip_code"):
            if policy == "skip_code" or plan.policy != "create":
                row.action, row.note = "skip", EXISTS.format(field=first.field)
            continue
        exact = sorted({m.record_id for m in found})
        if len(exact) == 1 and exact[0] in updating:
            row.fail(first.field, SAME_IN_FILE, field=first.field, row=updating[exact[0]])
        elif len(exact) > 1:
            row.fail(first.field, MATCHES_SEVERAL)
        elif exact[0] not in editable:
            row.fail(first.field, NOT_EDITABLE, owner=owner)
        else:
            row.action, row.match_id = "update", exact[0]
            if all(m.how == "similar" for m in found):
                # Matched as another spelling of the stored name: the name the record has stays.
                row.builtin.pop("name", None)
            update_ids.append(exact[0])
            updating[exact[0]] = row.sheet_row
    if update_ids:
        _diffs(session, actor, module, plan, update_ids)
    for row in plan.rows:  # the comparison keys have served (the normalized name stays: the insert uses it)
        row.extra.pop("_keys", None)


def _diffs(session: Session, actor: Actor, module: ModuleSpec, plan: Plan, ids: list[int]) -> None:
    """Each update's field-by-field change (non-empty cells only: an empty cell keeps the
    stored value); a row that changes nothing is skipped."""
    model = module.service.model
    policy = module.service.policy(session, actor)
    names = policy.names_by_key()
    current: dict[int, Any] = {}
    for part in dedupe._chunks(ids):
        for rec in session.scalars(select(model).where(model.id.in_(part))):
            current[rec.id] = rec
    for row in plan.rows:
        if row.action != "update" or row.match_id is None:
            continue
        rec = current[row.match_id]
        plan.versions[rec.id] = rec.version
        diff: dict[str, tuple[Any, Any]] = {}
        for name, new in row.builtin.items():
            if new in (None, ""):
                continue
            old = getattr(rec, name)
            if audit.jsonable(old) != audit.jsonable(new) and str(old) != str(new):
                diff[name] = (old, new)
        stored = rec.custom or {}
        for key, new in row.custom.items():
            if new not in (None, "", []) and stored.get(key) != new:
                diff[names.get(key, key)] = (stored.get(key), new)
        if row.owner_given and row.owner_id != rec.owner_id:
            diff["owner_id"] = (rec.owner_id, row.owner_id)
        if not diff:
            row.action, row.note = "skip", QT_TRANSLATE_NOOP("errors", "Already up to date: skipped.")
        else:
            plan.diffs[row.match_id] = diff


def contact_phone(value: str) -> tuple[str, str]:
    """A contact number from a customer row: (mobile, phone) — a mobile when it looks like
    one (11 digits from 1), else a landline."""
    key = phone_key(value)
    if len(key) == 11 and key.startswith("1"):
        return key, ""
    return "", value


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)

