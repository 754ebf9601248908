"""Writing a planned import in transactions of a batch size, and undoing it.

Each chunk is one unit of work: the chunk's records (one multi-row INSERT … RETURNING per
table, not one ORM flush per row), a customer's primary contact, one operation-log entry per
record ("import", with the batch number), the pinyin initials in the search index, the
batch's rows (what undo needs) and the batch's progress (``rows_done``) — all or nothing.
Killed at any moment, the database holds whole chunks and a batch record saying how far it
got: resume continues from there, undo removes what the committed chunks wrote.

Automation rules and approval flows do not run for imported records unless the import asks
for them (``run_rules``): an import of ten thousand customers must not send ten thousand
notifications or wait for ten thousand approvals. When asked, every created and updated record
records its RecordCreated / RecordUpdated event in the chunk's unit of work, exactly as a
form's save does, so rules and flows run as for a save.
"""
from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import (
    ApprovalInstance,
    AuditChange,
    AuditEntry,
    Contact,
    ImportBatch,
    ImportBatchRow,
    ProductCategory,
    Setting,
    TeamMember,
)
from crm_desktop.services.dashboard import rollup
from crm_desktop.services.errors import ServiceError, ValidationError
from crm_desktop.services.events import RecordCreated, RecordUpdated
from crm_desktop.services.imports.initials import fast_initials
from crm_desktop.services.imports.modules import ModuleSpec
from crm_desktop.services.imports.plan import UNIQUE_TAKEN, Plan, contact_phone, now
from crm_desktop.services.imports.prepare import PreparedRow
from crm_desktop.services.records import audit
from crm_desktop.services.records import search as search_index
from crm_desktop.services.records.duplicates import (
    LOCK_NAMESPACE,
    MODE_KEY,
    claim_lock_keys,
    normalize_company_name,
)
from crm_desktop.services.uow import UnitOfWork, begin_write, lock_keys
from crm_desktop.services.workflow.approval_state import request_creation

CHANGED_WHILE_IMPORTING = QT_TRANSLATE_NOOP("errors", "Someone changed this record while it was imported: not updated.")


@dataclass
class ChunkResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    failed_rows: list[PreparedRow] = field(default_factory=list)


#: Rows per chunk on PostgreSQL in block mode: each takes up to four advisory locks, and a
#: transaction's locks must fit max_locks_per_transaction × max_connections (64 × 100).
BLOCK_MODE_CHUNK = 500


def block_mode(session: Session) -> bool:
    """Whether the duplicate-claim setting is "block"."""
    row = session.get(Setting, MODE_KEY)
    return row is not None and row.value == "block"


def allocate_ids(session: Session, table: sa.Table, count: int) -> list[int]:
    """``count`` new primary keys of ``table``, so that rows go in by one executemany INSERT
    without RETURNING (which SQLite's driver answers one row per statement). SQLite: after the
    largest id (the chunk holds the write lock, so no one else takes them); PostgreSQL: from
    the column's sequence."""
    if not count:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return list(session.scalars(sa.text(
            "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table.name, "n": count}))
    top = session.scalar(select(sa.func.max(table.c.id))) or 0
    return list(range(top + 1, top + 1 + count))


def bulk_insert(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """One driver-level executemany INSERT of ``rows`` (same keys each), the columns' own bind
    conversions applied (JSON, UTC datetimes): SQLAlchemy's per-row parameter processing
    costs more than the database's insert itself on a hundred thousand rows."""
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    missing: dict[str, Any] = {}
    for column in table.c:  # what Core would fill in: the columns' own defaults
        if column.name not in rows[0] and column.default is not None:
            default = column.default
            if default.is_scalar:
                missing[column.name] = default.arg
            elif default.is_callable:
                missing[column.name] = default.arg(None)
    names = list(rows[0])
    # Column by column, in C where it can be (itemgetter, zip): a Python expression per cell
    # cost more than the insert itself.
    if len(names) == 1:
        columns: list[Sequence[Any]] = [[r[names[0]] for r in rows]]
    else:
        columns = list(zip(*map(operator.itemgetter(*names), rows), strict=True))
    for name, value in missing.items():  # the same value in every row
        names.append(name)
        columns.append([value] * len(rows))
    for i, name in enumerate(names):
        processor = table.c[name].type._cached_bind_processor(dialect)
        if processor is not None:
            columns[i] = _processed(processor, columns[i])
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join([mark] * len(names))})"
    conn.exec_driver_sql(sql, list(zip(*columns, strict=True)))


_CACHEABLE = frozenset({type(None), bool, int, str, dt.date, dt.datetime})
_MISSING = object()


def _processed(processor: Any, values: Sequence[Any]) -> list[Any]:
    """``processor`` applied to each value, once per distinct plain value: a chunk repeats the
    same few (its time stamp, its batch number, JSON null) thousands of times, and a JSON or
    datetime conversion costs microseconds. The key holds the type (True == 1) and a
    datetime's zone (equal instants in two zones are equal)."""
    seen: dict[Any, Any] = {}
    out: list[Any] = []
    for value in values:
        kind = type(value)
        if kind not in _CACHEABLE:
            out.append(processor(value))
            continue
        key = (kind, value, value.tzinfo) if kind is dt.datetime else (kind, value)
        done = seen.get(key, _MISSING)
        if done is _MISSING:
            done = seen[key] = processor(value)
        out.append(done)
    return out


def _column_default(model: type[Any], name: str) -> Any:
    column = model.__table__.c[name]
    default = column.default
    if default is not None and default.is_scalar:
        return default.arg
    return None


def create_categories(session: Session, paths: Sequence[str]) -> dict[str, int]:
    """Create the missing categories of ``paths`` ("设备/数控机床"); returns path → id."""
    from crm_desktop.services.imports.prepare import category_paths

    known = category_paths(session)
    for path in paths:
        parent: int | None = None
        so_far: list[str] = []
        for part in path.split("/"):
            so_far.append(part)
            key = "/".join(so_far)
            if key not in known:
                cat = ProductCategory(name=part, parent_id=parent, sort_order=0)
                session.add(cat)
                session.flush()
                known[key] = cat.id
                audit.write_audit(session, entity="product_category", record_id=cat.id, action="create",
                                  actor_id=None, changes={"name": (None, part)}, version=None)
            parent = known[key]
    return known


#: SQLite's page cache (KiB) while a chunk is written: the default 2 MB is too small for the
#: random inserts a chunk makes into the name indexes and the search index, which then read
#: the same pages again and again. Given back when the chunk is written.
CHUNK_CACHE_KIB = 65536


def write_chunk(uow: UnitOfWork, module: ModuleSpec, plan: Plan, rows: Sequence[PreparedRow], *,
                batch_id: int, rows_done: int, run_rules: bool) -> ChunkResult:
    """Write ``rows`` (a slice of ``plan.rows``) and the batch's progress, in ``uow``."""
    if module.row_by_row:
        return write_rows(uow, module, plan, rows, batch_id=batch_id, rows_done=rows_done, run_rules=run_rules)
    conn = uow.session.connection()
    if conn.dialect.name != "sqlite":
        return _write_chunk(uow, module, plan, rows, batch_id=batch_id, rows_done=rows_done, run_rules=run_rules)
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{CHUNK_CACHE_KIB}")
    try:
        return _write_chunk(uow, module, plan, rows, batch_id=batch_id, rows_done=rows_done, run_rules=run_rules)
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(before)}")


def _write_chunk(uow: UnitOfWork, module: ModuleSpec, plan: Plan, rows: Sequence[PreparedRow], *,
                 batch_id: int, rows_done: int, run_rules: bool) -> ChunkResult:
    session, actor = uow.session, uow.actor
    assert actor is not None
    begin_write(session)
    result = ChunkResult()
    result.failed = sum(1 for r in rows if r.action == "fail")  # planned; late failures count apart
    creating = [r for r in rows if r.action == "create"]
    updating = [r for r in rows if r.action == "update"]
    result.skipped = sum(1 for r in rows if r.action == "skip")
    if module.claim_check and creating and session.get_bind().dialect.name == "postgresql" and block_mode(session):
        # The duplicate-claim rule's locks, as duplicates.guard_in_transaction takes them in
        # block mode (warn mode locks nothing): a form saving the same company now waits for
        # this chunk, then sees its rows. One advisory lock per key: chunks stay small then
        # (BLOCK_MODE_CHUNK), under PostgreSQL's lock table size.
        lock_keys(session, LOCK_NAMESPACE, (k for r in creating for k in claim_lock_keys(r.builtin)))
    stamp = now()
    batch_rows: list[dict[str, Any]] = []
    if creating:
        ids = _insert_records(session, module, plan, creating, actor.user_id, stamp)
        batch_rows += [{"batch_id": batch_id, "entity": module.entity, "record_id": rid, "action": "create",
                        "source_row": r.sheet_row, "before": None, "version": 1} for r, rid in zip(creating, ids, strict=True)]
        entries = [(module.entity, rid) for rid in ids]
        if module.entity == "customer":
            contact_ids = _insert_contacts(session, creating, ids, actor.user_id, stamp)
            batch_rows += [{"batch_id": batch_id, "entity": "contact", "record_id": cid, "action": "create",
                            "source_row": r.sheet_row, "before": None, "version": 1} for r, cid in contact_ids]
            entries += [("contact", cid) for _r, cid in contact_ids]
        _log(session, entries, actor.user_id, batch_id, stamp, action="import")
        result.created = len(ids)
        if run_rules:
            for r, rid in zip(creating, ids, strict=True):
                values = audit.jsonable({**r.builtin, "owner_id": r.owner_id})
                uow.add_event(RecordCreated(module.entity, rid, actor.user_id, values=values))
                row_obj = session.get(module.service.model, rid)
                request_creation(uow, module.entity, row_obj)
    for r in updating:
        if not _write_update(session, module, plan, r, actor.user_id, batch_id, stamp, result, batch_rows):
            continue
        if run_rules:
            diff = plan.diffs[r.match_id]
            uow.add_event(RecordUpdated(module.entity, r.match_id, actor.user_id,
                                        before={k: audit.jsonable(o) for k, (o, _n) in diff.items()},
                                        after={k: audit.jsonable(n) for k, (_o, n) in diff.items()}))
    if batch_rows:
        bulk_insert(session, ImportBatchRow.__table__, batch_rows)
    _progress(session, batch_id, rows_done, stamp, result)
    return result


def _write_update(session: Session, module: ModuleSpec, plan: Plan, r: PreparedRow, actor_id: int, batch_id: int,
                  stamp: dt.datetime, result: ChunkResult, batch_rows: list[dict[str, Any]]) -> bool:
    """Apply an update row and note it for undo; False (the row failed) when the record moved
    on since the plan read it."""
    before = _update_record(session, module, plan, r, actor_id, batch_id, stamp)
    if before is None:
        r.fail("", CHANGED_WHILE_IMPORTING)
        result.failed_rows.append(r)
        return False
    result.updated += 1
    batch_rows.append({"batch_id": batch_id, "entity": module.entity, "record_id": r.match_id, "action": "update",
                       "source_row": r.sheet_row, "before": before, "version": plan.versions[r.match_id] + 1})
    return True


def _progress(session: Session, batch_id: int, rows_done: int, stamp: dt.datetime, result: ChunkResult) -> None:
    """The batch's progress, in the chunk's transaction."""
    session.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(
        rows_done=rows_done, heartbeat_at=stamp,
        created_count=ImportBatch.created_count + result.created,
        updated_count=ImportBatch.updated_count + result.updated,
        skipped_count=ImportBatch.skipped_count + result.skipped,
        failed_count=ImportBatch.failed_count + result.failed,
    ))


def write_rows(uow: UnitOfWork, module: ModuleSpec, plan: Plan, rows: Sequence[PreparedRow], *,
               batch_id: int, rows_done: int, run_rules: bool) -> ChunkResult:
    """``write_chunk`` for the modules their service inserts row by row (``sales_rows``): each
    row in a savepoint; a row the service refuses fails with the service's reason and leaves
    nothing (not even its events) behind."""
    from crm_desktop.services.imports.sales_rows import WRITERS

    session, actor = uow.session, uow.actor
    assert actor is not None
    begin_write(session)
    uow.automation = run_rules
    writer = WRITERS[module.entity]
    headers = {c.target: c.header for c in plan.columns}
    result = ChunkResult(skipped=sum(1 for r in rows if r.action == "skip"),
                         failed=sum(1 for r in rows if r.action == "fail"))
    stamp = now()
    batch_rows: list[dict[str, Any]] = []
    entries: list[tuple[str, int]] = []
    for r in rows:
        if r.action == "update":
            _write_update(session, module, plan, r, actor.user_id, batch_id, stamp, result, batch_rows)
            continue
        if r.action != "create":
            continue
        events = len(uow.events)
        try:
            with session.begin_nested():
                record = writer(uow, r, run_rules)
                if r.created_at is not None:
                    record.created_at = r.created_at
                session.flush()
        except ServiceError as exc:
            del uow.events[events:]
            _refused(r, exc, headers)
            result.failed_rows.append(r)
            continue
        except sa.exc.IntegrityError:
            del uow.events[events:]
            r.fail("", UNIQUE_TAKEN)
            result.failed_rows.append(r)
            continue
        result.created += 1
        entries.append((module.entity, record.id))
        # The version the import left it at: undo leaves it alone once someone changed it.
        batch_rows.append({"batch_id": batch_id, "entity": module.entity, "record_id": record.id,
                           "action": "create", "source_row": r.sheet_row, "before": None, "version": record.version})
    if entries:
        _log(session, entries, actor.user_id, batch_id, stamp, action="import")
    if batch_rows:
        bulk_insert(session, ImportBatchRow.__table__, batch_rows)
    _progress(session, batch_id, rows_done, stamp, result)
    return result


def _refused(row: PreparedRow, exc: ServiceError, headers: dict[str, str]) -> None:
    if isinstance(exc, ValidationError):
        for name, message in exc.field_errors.items():
            row.fail(headers.get(name, name), message)
    else:  # a rule about one field (a payment's amount) names that column
        field_name = getattr(exc, "field", "")
        row.fail(headers.get(field_name, "") if field_name else "", exc.template, **exc.params)


def _insert_records(session: Session, module: ModuleSpec, plan: Plan, rows: Sequence[PreparedRow], actor_id: int,
                    stamp: dt.datetime) -> list[int]:
    model = module.service.model
    table = model.__table__
    names = sorted({n for r in rows for n in r.builtin})
    empty = {n: _column_default(model, n) for n in names}
    categories = plan_categories(session, plan) if module.entity == "product" else {}
    params: list[dict[str, Any]] = []
    for r in rows:
        values = {**empty, **r.builtin}
        if module.entity == "product" and (path := r.extra.get("category_path")):
            values["category_id"] = categories[path]
        values.update(owner_id=r.owner_id, creator_id=actor_id, created_at=r.created_at or stamp, updated_at=stamp,
                      version=1, custom=r.custom)
        if module.entity == "customer":
            values["normalized_name"] = r.extra.get("_normalized") or normalize_company_name(values.get("name") or "")[:200]
        params.append(values)
    if module.entity == "product":
        for p in params:
            p.setdefault("category_id", None)
    keys = set().union(*(p.keys() for p in params))
    defaults = {k: _column_default(model, k) for k in keys}
    # Every row holds the same keys but where a module adds one to some rows only.
    params = [p if len(p) == len(keys) else {**defaults, **p} for p in params]
    ids = allocate_ids(session, table, len(params))
    for rid, p in zip(ids, params, strict=True):
        p["id"] = rid
    indexed_insert(session, module.entity, table, params, [r.extra.get("_initials") for r in rows])
    return ids


def indexed_insert(session: Session, entity: str, table: sa.Table, params: Sequence[dict[str, Any]],
                   initials: Sequence[str | None] | None = None) -> None:
    """Insert rows (ids given) and their search-index rows with pinyin initials.

    PostgreSQL: the insert trigger indexes each row; the initials follow in one executemany
    UPDATE. SQLite: an FTS5 update is a delete plus an insert, which would triple the index's
    cost, so inside this write transaction the insert trigger is dropped, the rows go in, their
    index rows are inserted once with the initials (the trigger's own expressions:
    ``search._source_columns``), and the trigger is created again. DDL is transactional in
    SQLite: a rollback or a kill -9 brings the trigger back with everything else. The
    dashboard rollup's insert trigger is bypassed the same way (``record_insert``). ``initials``:
    the rows' initials where the plan has them (None: worked out here)."""
    known = initials if initials is not None else [None] * len(params)
    names = [(p["id"], ini if ini is not None else fast_initials(p.get("name") or ""))
             for p, ini in zip(params, known, strict=True)]
    if entity not in search_index.INDEXES:
        record_insert(session, table, params)
        return
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        bulk_insert(session, table, params)
        _initials(session, entity, names)
        return
    idx = search_index.INDEXES[entity]
    trigger = f"{idx.table}_ai"
    ddl = _trigger_sql(session, trigger)
    if ddl is None:  # not the schema this knows: let the database do it its way
        record_insert(session, table, params)
        _initials(session, entity, names)
        return
    with _trigger_dropped(session, trigger, ddl):
        _index_with_initials(session, entity, table, params, names)


def _index_with_initials(session: Session, entity: str, table: sa.Table, params: Sequence[dict[str, Any]],
                         names: Sequence[tuple[int, str]]) -> None:
    """The rows, then their search-index rows with the initials (``names``: id, initials; the
    index trigger is off)."""
    conn = session.connection()
    idx = search_index.INDEXES[entity]
    record_insert(session, table, params)
    conn.exec_driver_sql("CREATE TEMPORARY TABLE IF NOT EXISTS import_tmp_initials "
                         "(id integer PRIMARY KEY, initials text NOT NULL)")
    conn.exec_driver_sql("DELETE FROM import_tmp_initials")
    conn.exec_driver_sql("INSERT INTO import_tmp_initials (id, initials) VALUES (?, ?)",
                         [(rid, ini) for rid, ini in names if ini])
    tmp = sa.table("import_tmp_initials", sa.column("id", sa.Integer), sa.column("initials", sa.String))
    model = idx.model
    ids = [rid for rid, _ in names]
    source = (select(model.id, *search_index._source_columns(session, idx), sa.func.coalesce(tmp.c.initials, ""))
              .select_from(model).outerjoin(tmp, tmp.c.id == model.id)
              .where(model.id.between(min(ids), max(ids))))
    search_table = search_index.index_table(session, entity)
    session.execute(sa.insert(search_table).from_select(["rowid", *idx.text_columns, "initials"], source))


def _trigger_sql(session: Session, name: str) -> str | None:
    """The CREATE TRIGGER statement of SQLite's trigger ``name``, or None."""
    return session.connection().exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)).scalar()


@contextmanager
def _trigger_dropped(session: Session, name: str, ddl: str) -> Iterator[None]:
    """SQLite's trigger ``name`` (created by ``ddl``) off for the block, in the caller's write
    transaction, and created again after it. DDL is transactional in SQLite: if the block
    fails, the rollback (or a kill -9) brings the trigger back with everything else."""
    conn = session.connection()
    conn.exec_driver_sql(f"DROP TRIGGER {name}")
    yield
    conn.exec_driver_sql(ddl)


def record_insert(session: Session, table: sa.Table, params: Sequence[dict[str, Any]]) -> None:
    """``bulk_insert`` of records whose ids are the chunk's own consecutive block (``allocate_ids``),
    with their dashboard rollup.

    SQLite: the rollup's insert trigger runs four upserts per record, which cost more than the
    insert itself. Inside this write transaction the trigger is dropped, the rows go in, one
    grouped upsert adds them all (``rollup.grouped_insert_sql``: derived from the trigger's own
    SQL, so it counts exactly what the trigger would) and the trigger is created again; a
    rollback or a kill brings it back with everything else. PostgreSQL keeps its trigger: its
    DDL would lock the table against every other user of the database."""
    conn = session.connection()
    if not params or conn.dialect.name != "sqlite":
        bulk_insert(session, table, params)
        return
    trigger = rollup.insert_trigger(table.name)
    ddl = _trigger_sql(session, trigger)
    grouped = rollup.grouped_insert_sql(ddl, table.name) if ddl is not None else None
    ids = [p["id"] for p in params]
    first, last = min(ids), max(ids)
    if grouped is None or last - first + 1 != len(ids):  # not a block of ids of its own: row by row
        bulk_insert(session, table, params)
        return
    with _trigger_dropped(session, trigger, ddl):
        bulk_insert(session, table, params)
        conn.exec_driver_sql(grouped, {"first_id": first, "last_id": last})


def plan_categories(session: Session, plan: Plan) -> dict[str, int]:
    cache = getattr(plan, "_category_ids", None)
    if cache is None:
        cache = create_categories(session, plan.new_categories) if plan.new_categories else {}
        plan._category_ids = cache  # type: ignore[attr-defined]
    return cache


def _insert_contacts(session: Session, rows: Sequence[PreparedRow], ids: Sequence[int], actor_id: int,
                     stamp: dt.datetime) -> list[tuple[PreparedRow, int]]:
    params: list[dict[str, Any]] = []
    owners: list[PreparedRow] = []
    for r, customer_id in zip(rows, ids, strict=True):
        name = str(r.extra.get("contact.name") or "").strip()
        if not name:
            continue
        mobile, phone = contact_phone(str(r.extra.get("contact.mobile") or ""))
        params.append({
            "customer_id": customer_id, "name": name[:100], "position": str(r.extra.get("contact.position") or "")[:100],
            "mobile": mobile, "phone": phone[:50], "is_primary": True, "owner_id": r.owner_id, "creator_id": actor_id,
            "created_at": r.created_at or stamp, "updated_at": stamp, "version": 1, "custom": {},
        })
        owners.append(r)
    if not params:
        return []
    table = Contact.__table__
    cids = allocate_ids(session, table, len(params))
    for cid, p in zip(cids, params, strict=True):
        p["id"] = cid
    indexed_insert(session, "contact", table, params, [r.extra.get("_contact_initials") for r in owners])
    return list(zip(owners, cids, strict=True))


def _initials(session: Session, entity: str, names: Sequence[tuple[int, str]]) -> None:
    """Fill the search index's pinyin initials (``names``: id, initials; the insert triggers
    wrote "" for them)."""
    values = [(ini, rid) for rid, ini in names if ini]
    if not values:
        return
    conn = session.connection()
    table = search_index.INDEXES[entity].table
    if conn.dialect.paramstyle == "qmark":
        conn.exec_driver_sql(f"UPDATE {table} SET initials = ? WHERE rowid = ?", values)
    else:
        conn.exec_driver_sql(f"UPDATE {table} SET initials = %s WHERE record_id = %s", values)


def _log(session: Session, entries: Sequence[tuple[str, int]], actor_id: int, batch_id: int, stamp: dt.datetime,
         *, action: str) -> None:
    """One operation-log entry per record: "imported by batch N"."""
    table = AuditEntry.__table__
    params = [{"entity": e, "record_id": rid, "action": action, "actor_id": actor_id, "at": stamp, "version": 1}
              for e, rid in entries]
    entry_ids = allocate_ids(session, table, len(params))
    for eid, p in zip(entry_ids, params, strict=True):
        p["id"] = eid
    bulk_insert(session, table, params)
    bulk_insert(session, AuditChange.__table__,
                [{"entry_id": eid, "field": "import_batch", "old": None, "new": batch_id} for eid in entry_ids])


def _update_record(session: Session, module: ModuleSpec, plan: Plan, r: PreparedRow, actor_id: int, batch_id: int,
                   stamp: dt.datetime) -> dict[str, Any] | None:
    """Apply an update row's diff to the version planned; None when that version is gone."""
    model = module.service.model
    assert r.match_id is not None
    diff = plan.diffs[r.match_id]
    version = plan.versions[r.match_id]
    policy_names = {spec.name: spec.key for spec in module.service.policy(session, _actor(session, actor_id)).custom_specs}
    values: dict[str, Any] = {}
    custom_changes: dict[str, Any] = {}
    for name, (_old, new) in diff.items():
        if name in policy_names:
            custom_changes[policy_names[name]] = new
        else:
            values[name] = new
    if module.entity == "customer" and "name" in values:
        values["normalized_name"] = normalize_company_name(values["name"])[:200]
    if custom_changes:
        stored = session.scalar(select(model.custom).where(model.id == r.match_id)) or {}
        values["custom"] = {**stored, **custom_changes}
    done = session.execute(update(model.__table__).where(
        model.__table__.c.id == r.match_id, model.__table__.c.version == version, model.__table__.c.deleted_at.is_(None),
    ).values(**values, version=version + 1, updated_at=stamp))
    if done.rowcount != 1:
        return None
    audit.write_audit(session, entity=module.entity, record_id=r.match_id, action="update", actor_id=actor_id,
                      changes={**diff, "import_batch": (None, batch_id)}, version=version + 1)
    if "name" in values and module.entity in search_index.INDEXES:
        _initials(session, module.entity, [(r.match_id, fast_initials(values["name"]))])
    return {"fields": {k: audit.jsonable(o) for k, (o, _n) in diff.items() if k not in policy_names},
            "custom": {policy_names[k]: audit.jsonable(o) for k, (o, _n) in diff.items() if k in policy_names}}


def _actor(session: Session, actor_id: int) -> Any:
    from crm_desktop.services.org.actor import load_actor

    return load_actor(session, actor_id)


# --- undo ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class UndoResult:
    batch_id: int
    deleted: int
    restored: int
    #: (entity, record id) of records someone changed since the import: left as they are.
    changed_since: tuple[tuple[str, int], ...]


def undo_batch(uow: UnitOfWork, batch: ImportBatch, models: dict[str, type[Any]]) -> UndoResult:
    """Delete what the batch created and restore what it updated (records at the version the
    import left them; others are reported and left), in ``uow``."""
    session = uow.session
    assert uow.actor is not None
    begin_write(session)
    rows = session.execute(select(ImportBatchRow).where(ImportBatchRow.batch_id == batch.id)
                           .order_by(ImportBatchRow.id.desc())).scalars().all()
    changed: list[tuple[str, int]] = []
    deleted = restored = 0
    # Records that hang on others go first: payments, follow-ups and contacts before the
    # contracts and customers they belong to.
    created: dict[str, dict[int, int]] = {}
    for row in rows:
        if row.action == "create":
            created.setdefault(row.entity, {})[row.record_id] = row.version
    order = sorted(created, key=lambda e: UNDO_ORDER.index(e) if e in UNDO_ORDER else len(UNDO_ORDER))
    for entity in order:
        model = models[entity]
        versions = created[entity]
        ids = sorted(versions, reverse=True)
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            untouched = {rid for rid, version in session.execute(select(model.id, model.version).where(
                model.id.in_(part), model.deleted_at.is_(None))) if version == versions[rid]}
            if entity == "customer":
                # A customer that gained contacts, follow-ups or deals since is someone's work now.
                others = set(session.scalars(select(Contact.customer_id).where(
                    Contact.customer_id.in_(untouched),
                    Contact.id.notin_(list(created.get("contact", {}))))))
                untouched -= others
            changed += [(entity, rid) for rid in part if rid not in untouched]
            if not untouched:
                continue
            depends = _dependants(session, entity, untouched)
            session.execute(delete(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.record_id.in_(untouched)))
            session.execute(delete(TeamMember).where(TeamMember.entity == entity, TeamMember.record_id.in_(untouched)))
            session.execute(delete(ApprovalInstance).where(ApprovalInstance.entity == entity,
                                                           ApprovalInstance.record_id.in_(untouched)))
            gone: set[int] = set()
            try:
                with session.begin_nested():
                    session.execute(delete(model).where(model.id.in_(untouched)))
                gone = set(untouched)
            except sa.exc.IntegrityError:
                for rid in sorted(untouched):  # something else refers to some of them: one by one
                    try:
                        with session.begin_nested():
                            session.execute(delete(model).where(model.id == rid))
                        gone.add(rid)
                    except sa.exc.IntegrityError:
                        changed.append((entity, rid))
            deleted += len(gone)
            _after_delete(uow, entity, {rid: depends[rid] for rid in gone if rid in depends})
    for row in rows:
        if row.action != "update":
            continue
        model = models[row.entity]
        rec = session.get(model, row.record_id)
        if rec is None or rec.version != row.version or rec.deleted_at is not None:
            changed.append((row.entity, row.record_id))
            continue
        before = row.before or {}
        diff: dict[str, tuple[Any, Any]] = {}
        for name, old in (before.get("fields") or {}).items():
            new_value = _from_json(model, name, old)
            diff[name] = (getattr(rec, name), new_value)
            setattr(rec, name, new_value)
        if before.get("custom"):
            stored = dict(rec.custom or {})
            for key, old in before["custom"].items():
                diff[f"cf_{key}"] = (stored.get(key), old)
                if old is None:
                    stored.pop(key, None)
                else:
                    stored[key] = old
            rec.custom = stored
        session.flush()
        audit.write_audit(session, entity=row.entity, record_id=rec.id, action="update", actor_id=uow.actor.user_id,
                          changes={**diff, "import_undo": (None, batch.id)}, version=rec.version)
        uow.add_event(RecordUpdated(row.entity, rec.id, uow.actor.user_id,
                                    before={k: audit.jsonable(o) for k, (o, _n) in diff.items()},
                                    after={k: audit.jsonable(n) for k, (_o, n) in diff.items()}))
        restored += 1
    session.execute(delete(ImportBatchRow).where(ImportBatchRow.batch_id == batch.id))
    batch.status, batch.undone_at = "undone", now()
    batch.message = f"undone: {deleted} deleted, {restored} restored, {len(changed)} changed since"
    return UndoResult(batch.id, deleted, restored, tuple(changed))


#: The order undo deletes created records in (what refers to a record goes before it).
UNDO_ORDER = ("payment", "followup", "contact", "contract", "opportunity", "customer", "lead", "product")


def _dependants(session: Session, entity: str, ids: set[int]) -> dict[int, int]:
    """record id → the record whose totals follow it (a payment's contract, a follow-up's
    customer), read before the delete."""
    from crm_desktop.models import FollowUp, Payment

    if entity == "payment":
        return dict(session.execute(select(Payment.id, Payment.contract_id).where(Payment.id.in_(ids))).all())
    if entity == "followup":
        return dict(session.execute(select(FollowUp.id, FollowUp.target_id).where(
            FollowUp.id.in_(ids), FollowUp.target_entity == "customer")).all())
    return {}


def _after_delete(uow: UnitOfWork, entity: str, depends: dict[int, int]) -> None:
    """Bring the totals of what the deleted records fed back in line: a contract's received
    amount, a customer's follow-up summary."""
    if entity == "payment":
        from crm_desktop.services.sales.payments import recompute_received

        for contract_id in sorted(set(depends.values())):
            recompute_received(uow, contract_id)
    elif entity == "followup":
        from crm_desktop.services.customers.followups import refresh_summary

        for customer_id in sorted(set(depends.values())):
            refresh_summary(uow, "customer", customer_id)


def _from_json(model: type[Any], name: str, value: Any) -> Any:
    """An audit-log (JSON) value back as the column's Python value."""
    if value is None:
        return None
    column = model.__table__.c[name]
    python_type: Any
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return value
    if python_type is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if python_type is dt.date:
        return dt.date.fromisoformat(value)
    if python_type.__name__ == "Decimal":
        from decimal import Decimal

        return Decimal(str(value))
    return value

