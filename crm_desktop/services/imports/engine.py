"""Spreadsheet import: the services the wizard and ``crm-admin import`` call.

- ``inspect_file``: sheets, the detected header row, each column's proposed field.
- ``dry_run``: counts of new / updated / skipped / failed, a preview, the diffs of updates,
  every error with row, column and reason. Writes nothing.
- ``run_import``: the same plan, written in transactions of ``batch_size`` rows under an
  ``import_batches`` record (see ``write``); returns the counts and the failed rows.
- ``resume_import`` continues a batch a crash or kill left "running"/"interrupted";
  ``undo_import`` removes what a batch created and restores what it updated.
- ``write_error_file``: the failed rows as they were in the file, plus a reason column (xlsx).

Every call checks the import permission first (and create; update needs edit), uses the
importer's field schema and data scope, and is one or more units of work. Thread rule: call
off the GUI thread; ``progress(done, total)`` is called on the calling thread and may raise
``ImportCancelled`` to stop between chunks (the chunks written stay: undo or resume them).
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import itertools
import os
import pickle
import subprocess
import sys
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import (
    Contact,
    Contract,
    Customer,
    FollowUp,
    ImportBatch,
    ImportMapping,
    Lead,
    Opportunity,
    Payment,
    Product,
)
from crm_desktop.services.errors import NotFound, RuleViolation
from crm_desktop.services.imports import write
from crm_desktop.services.imports.mapping import ColumnMatch, header_signature
from crm_desktop.services.imports.modules import MODULES, module_spec
from crm_desktop.services.imports.new_fields import suggest_type, with_new_fields
from crm_desktop.services.imports.plan import Plan, Planner, now
from crm_desktop.services.imports.prepare import PreparedRow, RowError
from crm_desktop.services.imports.reading import (
    FileProblem,
    Table,
    TextTable,
    open_table,
    read_table,
    sheet_names,
)
from crm_desktop.services.imports.values import text_of
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.uow import UnitOfWork, read_only, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

MODELS: dict[str, type[Any]] = {"customer": Customer, "lead": Lead, "contact": Contact, "product": Product,
                                "opportunity": Opportunity, "contract": Contract, "payment": Payment,
                                "followup": FollowUp}
IMPORTABLE = tuple(MODULES)
PREVIEW_ROWS = 20
Progress = Callable[[int, int], None]


class ImportCancelled(Exception):
    """Raised by a progress callback to stop an import between chunks."""


@dataclass(frozen=True)
class ImportOptions:
    entity: str
    sheet: str | None = None
    #: 0-based index of the header row in the sheet; None: detected.
    header_row: int | None = None
    #: header text → field name (or pseudo-target); None: remembered or automatic.
    mapping: Mapping[str, str | None] | None = None
    #: skip · update · create · stop
    on_duplicate: str = "skip"
    #: Records without an owner column go to this user (default: the importer).
    owner_id: int | None = None
    #: reject · add (dictionary values not in the dictionary)
    unknown_values: str = "reject"
    #: Automation rules and approval flows run for imported records (off by default).
    run_rules: bool = False
    #: Import nothing unless every row is valid.
    all_or_nothing: bool = False
    batch_size: int = 2000
    remember_mapping: bool = True
    #: header → field type (FieldType value): columns that become new custom fields first.
    new_fields: Mapping[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__} | {
            "mapping": dict(self.mapping) if self.mapping is not None else None,
            "new_fields": dict(self.new_fields) if self.new_fields else None}


#: What the wizard calls the columns that are not fields (context "fields").
PSEUDO_LABELS: dict[str, str] = {
    "owner": QT_TRANSLATE_NOOP("fields", "Owner"),
    "created_at": QT_TRANSLATE_NOOP("fields", "Created"),
    "contact.name": QT_TRANSLATE_NOOP("fields", "Contact person"),
    "contact.mobile": QT_TRANSLATE_NOOP("fields", "Contact phone"),
    "contact.position": QT_TRANSLATE_NOOP("fields", "Contact's position"),
    "customer_ref": QT_TRANSLATE_NOOP("fields", "Customer"),
    "category": QT_TRANSLATE_NOOP("fields", "Category"),
    "stage": QT_TRANSLATE_NOOP("fields", "Stage"),
    "lost_reason": QT_TRANSLATE_NOOP("fields", "Lost reason"),
    "contract_ref": QT_TRANSLATE_NOOP("fields", "Contract"),
    "line.product": QT_TRANSLATE_NOOP("fields", "Product"),
    "line.quantity": QT_TRANSLATE_NOOP("fields", "Quantity"),
    "line.price": QT_TRANSLATE_NOOP("fields", "Unit price"),
}


@dataclass(frozen=True)
class FileInfo:
    sheets: tuple[str, ...]
    sheet: str
    header_row: int
    headers: tuple[str, ...]
    columns: tuple[ColumnMatch, ...]
    #: The first rows under the header, as text.
    preview: tuple[tuple[str, ...], ...]
    #: Fields the columns may go to: (name, English label; translate in context "fields").
    targets: tuple[tuple[str, str], ...]
    #: Per column: the type a new custom field for it would take (FieldType value), or ""
    #: when the column is mapped or the importer may not add fields.
    new_field_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowPreview:
    sheet_row: int
    action: str
    values: Mapping[str, Any]
    note: str = ""


@dataclass(frozen=True)
class DryRunResult:
    entity: str
    sheet: str
    header_row: int
    columns: tuple[ColumnMatch, ...]
    new: int
    updated: int
    skipped: int
    failed: int
    preview: tuple[RowPreview, ...]
    #: sheet row → {field: (old, new)}
    diffs: Mapping[int, Mapping[str, tuple[Any, Any]]]
    errors: tuple[RowError, ...]

    @property
    def total(self) -> int:
        return self.new + self.updated + self.skipped + self.failed


@dataclass(frozen=True)
class ImportResult:
    batch_id: int
    created: int
    updated: int
    skipped: int
    failed: int
    errors: tuple[RowError, ...]
    #: The sheet rows that failed (their numbers), for the error file.
    failed_rows: tuple[int, ...] = ()
    cancelled: bool = False
    #: 0-based index of the header row in the sheet (what the error file copies).
    header_row: int = 0

    def summary(self) -> str:
        return (f"imported={self.created} updated={self.updated} skipped={self.skipped} "
                f"failed={self.failed} batch={self.batch_id}")


@dataclass(frozen=True)
class BatchDTO:
    id: int
    entity: str
    file_name: str
    status: str
    total_rows: int
    rows_done: int
    created: int
    updated: int
    skipped: int
    failed: int
    message: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


def inspect_file(db: Database, actor: Actor, path: Path, *, entity: str, sheet: str | None = None,
                 header_row: int | None = None) -> FileInfo:
    """What the wizard's first steps show. FileProblem when the file cannot be read."""
    table = open_table(Path(path), sheet=sheet)
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, entity, "import")
        from crm_desktop.services.imports.mapping import (
            HEADER_SCAN,
            find_header_row,
            header_texts,
            targets_for,
        )
        from crm_desktop.services.imports.plan import resolve_mapping
        from crm_desktop.services.imports.prepare import Preparer
        from crm_desktop.services.records.schema import schema_for

        module = module_spec(entity)
        schema = schema_for(uow.session, uow.actor, entity)
        allowed = Preparer(uow.session, uow.actor, module, schema).importable()
        if not table.height:
            raise FileProblem(QT_TRANSLATE_NOOP("errors", "The sheet is empty."))
        if header_row is None:
            header_row = find_header_row(table.head(HEADER_SCAN), targets_for(
                [s for s in allowed.values() if s is not None], dict(module.extra)))
        headers = header_texts(table.head(min(header_row, table.height - 1) + 1)[-1])
        columns = resolve_mapping(uow.session, uow.actor, module, schema, headers, None, allowed)
        targets = tuple((n, s.label if s is not None else PSEUDO_LABELS.get(n, n)) for n, s in allowed.items())
        may_add = uow.actor.can("setting", "manage")
    preview = tuple(tuple(text_of(c) for c in r) for r in table.head(header_row + 11)[header_row + 1:])
    new_types = tuple(
        suggest_type(m.header, (r[m.column] if m.column < len(r) else None for r in table.iter_rows(header_row + 1)))
        .value if may_add and m.target is None and m.header else "" for m in columns)
    return FileInfo(tuple(sheet_names(Path(path))), table.sheet, header_row, tuple(headers), tuple(columns), preview,
                    targets, new_types)


#: Data rows planned at a time when a csv file is streamed: its memory stays that of a segment
#: (a million prepared rows would take gigabytes), and a segment's duplicate lookups are one
#: round of queries. A sheet (read whole by calamine anyway) is planned in larger segments.
SEGMENT_ROWS = 20_000
SHEET_SEGMENT_ROWS = 200_000


def _planner(db: Database, actor: Actor, table: Table | TextTable, options: ImportOptions) -> Planner:
    """The import's planner, its date columns' day/month orders read from the whole table."""
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        planner = Planner(uow.session, uow.actor, table, entity=options.entity, header_row=options.header_row,
                          mapping=options.mapping, policy=options.on_duplicate, owner_id=options.owner_id,
                          unknown_values=options.unknown_values)
    return planner  # its date orders are settled by whoever plans (here or a worker process)


def _segment_size(table: Table | TextTable, entity: str) -> int:
    if entity == "contract":  # a contract's lines are gathered from anywhere in the file
        return 1 << 62
    return SHEET_SEGMENT_ROWS if isinstance(table, Table) else SEGMENT_ROWS


#: An import of more data rows than this is planned in a worker process, a segment ahead of
#: this one, which writes (on two cores, planning and writing take about as long each).
PARALLEL_ROWS = 60_000


def _segments(db: Database, actor: Actor, planner: Planner, table: Table | TextTable, options: ImportOptions, *,
              start: int = 0, path: Path | None = None, release: bool = False) -> Iterator[tuple[Plan, int]]:
    """(plan, data rows covered) per segment of the table's data rows from ``start`` on, each
    planned in its own read transaction — in a worker process when the import is large (see
    ``PARALLEL_ROWS``). ``release``: the table's cells are dropped as they are planned."""
    # A csv only: a workbook is read whole, and read again by the worker it would cost more
    # than the overlap gains on the sizes a workbook has.
    if (isinstance(table, TextTable) and planner.total - start > PARALLEL_ROWS and planner.entity != "contract"
            and path is not None and not getattr(sys, "frozen", False)  # a bundle's entry point has no freeze_support()
            and _spare_core()):
        return _worker_segments(db, actor, planner, table, options, start=start, path=path)
    return _planned_segments(db, actor, planner, table, start=start, path=path, release=release)


def _spare_core() -> bool:
    """Whether a core is free for the worker process: on a busy machine the two processes
    only take turns, and the worker's extra work (sending rows, starting) makes it slower
    than one process (measured: 16-19 s against 15 s for 100,000 rows at a load of 3.5 on two
    cores; its writer spent 8.6 s of CPU where one process spends 12.3 s)."""
    cores = os.cpu_count() or 1
    if cores < 2:
        return False
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # Windows has no load average
        return True
    return load <= cores - 1


def _planned_segments(db: Database, actor: Actor, planner: Planner, table: Table | TextTable, *, start: int = 0,
                      path: Path | None = None, release: bool = False,
                      size: int | None = None) -> Iterator[tuple[Plan, int]]:
    """``_segments`` planned here (``size``: rows a segment, by default ``_segment_size``)."""
    planner.settle_dates()
    others = _other_sheets(path, table) if path is not None and planner.entity == "contract" else {}
    size = size or _segment_size(table, planner.entity)
    first = planner.header_row + 1
    index = start
    if isinstance(table, Table) and release and start + size >= planner.total:
        block = table.rows[first + start:]  # one segment: the sheet's cells go once it is prepared
        table.rows.clear()
        blocks: Iterator[list[Any]] = iter([block])
    else:
        rows = table.iter_rows(first + start)
        blocks = iter(lambda: list(itertools.islice(rows, size)), [])
    for block in blocks:
        count = len(block)
        with read_only(db, actor) as uow:
            assert uow.actor is not None
            plan = planner.plan(uow.session, uow.actor, block, first_index=index, other_sheets=others, release=True)
        index += count
        yield plan, min(index, planner.total)


def _worker_segments(db: Database, actor: Actor, planner: Planner, table: Table | TextTable, options: ImportOptions,
                     *, start: int, path: Path) -> Iterator[tuple[Plan, int]]:
    """``_segments`` planned by a worker process (``plan_worker``): it plans the next segment
    while the caller writes this one. It gets what this planner settled (mapping, header row,
    date orders, ceiling), so its plans are this planner's; its rows come back as tuples (a
    pickled dataclass costs four times as much). A plain child process on pipes, not
    multiprocessing: that would run the caller's main module again in the child."""
    job = {
        "url": db.engine.url.render_as_string(hide_password=False), "actor": actor, "path": str(path),
        "sheet": planner.sheet, "table": table.state() if isinstance(table, TextTable) else None,
        "options": dataclasses.replace(options, header_row=planner.header_row, mapping=_mapping_of(planner),
                                       new_fields=None).to_json(),
        "orders": planner.date_orders() if planner.dates_settled else None, "ceiling": planner.ceiling,
        "start": start, "size": _segment_size(table, planner.entity),
    }
    package_root = str(Path(__file__).resolve().parents[3])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p))
    worker = subprocess.Popen(
        [sys.executable, "-c", "from crm_desktop.services.imports.engine import plan_worker; plan_worker()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
    assert worker.stdin is not None and worker.stdout is not None
    try:
        try:
            pickle.dump(job, worker.stdin)
            worker.stdin.close()
        except BrokenPipeError:
            pass  # it did not start: found out below
        received = False
        while True:
            try:
                message = pickle.load(worker.stdout)
            except EOFError:
                if not received:  # it could not start (no python to run it?): plan here
                    yield from _planned_segments(db, actor, planner, table, start=start, path=path, release=True)
                    return
                raise RuntimeError("The import's planning process ended unexpectedly.") from None
            received = True
            kind = message[0]
            if kind == "done":
                return
            if kind == "problem":
                raise FileProblem(message[1], **message[2])
            if kind == "error":
                raise RuntimeError(f"The import's planning process failed: {message[1]}")
            _kind, rows, diffs, versions, new_categories, new_values, covered = message
            planner.preparer.new_dictionary_values = new_values
            yield Plan(planner.entity, planner.sheet, planner.header_row, planner.headers, planner.columns,
                       planner.matches, [PreparedRow(*r) for r in rows], planner.policy, diffs, versions,
                       new_categories, new_values), covered
    finally:
        worker.stdout.close()
        if worker.poll() is None:
            worker.kill()
        worker.wait()


def plan_worker() -> None:
    """The worker process of ``_worker_segments``: reads its job (pickled) from stdin, plans the
    segments and writes them (pickled) to stdout."""
    from crm_desktop.db import open_database

    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not get into the pickles
    job = pickle.load(sys.stdin.buffer)
    db = None
    try:
        db = open_database(job["url"], migrate_schema=False)
        options = ImportOptions(**job["options"])
        path = Path(job["path"])
        table = TextTable.from_state(job["table"]) if job["table"] else read_table(path, sheet=job["sheet"])
        actor: Actor = job["actor"]
        with read_only(db, actor) as uow:
            assert uow.actor is not None
            planner = Planner(uow.session, uow.actor, table, entity=options.entity, header_row=options.header_row,
                              mapping=options.mapping, policy=options.on_duplicate, owner_id=options.owner_id,
                              unknown_values=options.unknown_values)
        planner.ceiling = job["ceiling"]
        if job["orders"] is not None:
            planner.set_date_orders(job["orders"])
        for plan, covered in _planned_segments(db, actor, planner, table, start=job["start"], path=path,
                                               release=True, size=job["size"]):
            rows = [(r.index, r.sheet_row, r.builtin, r.custom, r.owner_id, r.created_at, r.extra, r.errors,
                     r.action, r.match_id, r.note, r.owner_given) for r in plan.rows]
            pickle.dump(("plan", rows, plan.diffs, plan.versions, plan.new_categories, plan.new_dictionary_values,
                         covered), out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()
        pickle.dump(("done",), out)
    except FileProblem as exc:
        pickle.dump(("problem", exc.message, exc.params), out)
    except BrokenPipeError:
        return  # the importing process stopped reading: it was cancelled or failed
    except Exception as exc:  # noqa: BLE001 - anything else goes up in the importing process (as text:
        pickle.dump(("error", f"{type(exc).__name__}: {exc}"), out)  # not every exception unpickles)
    finally:
        try:
            out.flush()
        except BrokenPipeError:
            pass
        if db is not None:
            db.dispose()


def _other_sheets(path: Path, table: Table) -> dict[str, list[list[Any]]]:
    """The workbook's sheets other than the one imported (a contract's lines sheet)."""
    found: dict[str, list[list[Any]]] = {}
    for name in sheet_names(Path(path)):
        if name != table.sheet:
            try:
                found[name] = read_table(Path(path), sheet=name).rows
            except FileProblem:
                continue  # an empty or unreadable extra sheet is not the import's business
    return found


def _preview(plan: Plan, count: int = PREVIEW_ROWS) -> list[RowPreview]:
    shown = []
    for row in plan.rows[:count]:
        values = {**row.builtin, **{f"cf_{k}": v for k, v in row.custom.items()},
                  **{k: v for k, v in row.extra.items() if not k.startswith("_")}}
        shown.append(RowPreview(row.sheet_row, row.action, values, row.note))
    return shown


def dry_run(db: Database, actor: Actor, path: Path, options: ImportOptions) -> DryRunResult:
    """What ``run_import`` would do, row by row; writes nothing. A csv file is planned a
    segment at a time: only the counts, the preview, the diffs and the errors are kept."""
    table = open_table(Path(path), sheet=options.sheet)
    planner = _planner(db, actor, table, options)
    counted = {"create": 0, "update": 0, "skip": 0, "fail": 0}
    preview: list[RowPreview] = []
    diffs: dict[int, Mapping[str, tuple[Any, Any]]] = {}
    errors: list[RowError] = []
    for plan, _done in _segments(db, actor, planner, table, options, path=Path(path), release=True):
        for row in plan.rows:
            counted[row.action] += 1
            if row.match_id is not None and row.match_id in plan.diffs:
                diffs[row.sheet_row] = plan.diffs[row.match_id]
        if len(preview) < PREVIEW_ROWS:
            preview += _preview(plan, PREVIEW_ROWS - len(preview))
        errors += plan.errors
    return DryRunResult(
        planner.entity, planner.sheet, planner.header_row, tuple(planner.matches), counted["create"],
        counted["update"], counted["skip"], counted["fail"], tuple(preview), diffs, tuple(errors))


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run_import(db: Database, actor: Actor, path: Path, options: ImportOptions, *,
               progress: Progress | None = None) -> ImportResult:
    """Import ``path`` (see the module doc). FileProblem before anything is written when the
    file as a whole is refused, or (``all_or_nothing``) when any row fails."""
    return _drive(import_steps(db, actor, path, options), progress)


def import_steps(db: Database, actor: Actor, path: Path,
                 options: ImportOptions) -> Generator[tuple[int, int, str], None, ImportResult]:
    """``run_import`` as a generator of (done, total, text) progress for ``ui.ops``: plans,
    opens the batch, then yields after each committed chunk; closing or throwing into it
    between chunks stops the import (the batch stays "interrupted", undoable).

    The file is planned and written a segment at a time (a csv is never whole in memory); all
    or nothing plans it whole first (a second read of a csv), and imports only when no row fails."""
    path = Path(path)
    table = open_table(path, sheet=options.sheet)
    options = _with_new_fields(db, actor, path, options)
    planner = _planner(db, actor, table, options)
    segments: Iterator[tuple[Plan, int]]
    if options.all_or_nothing or options.on_duplicate == "stop":
        # The whole file is planned before anything is written: a failed row (all or nothing)
        # or a duplicate (the stop policy: FileProblem while planning) in its last segment
        # must stop the import before its first.
        kept: list[tuple[Plan, int]] | None = None
        if planner.total <= _segment_size(table, options.entity):  # one segment: planned once
            kept = list(_segments(db, actor, planner, table, options, path=path, release=True))
            failed = sum(plan.count("fail") for plan, _done in kept)
        else:
            failed = sum(plan.count("fail") for plan, _done in _segments(db, actor, planner, table, options, path=path))
        if failed and options.all_or_nothing:
            raise FileProblem(QT_TRANSLATE_NOOP(
                "errors", "{count} rows have errors and the import is all or nothing: nothing was imported."),
                count=failed)
        if kept is None:
            planner.reset()
        segments = iter(kept) if kept is not None else _segments(db, actor, planner, table, options, path=path)
    else:
        segments = _segments(db, actor, planner, table, options, path=path, release=True)
    batch_id = _open_batch(db, actor, path, options, planner, total=planner.total)
    return (yield from _write_steps(db, actor, segments, batch_id, options, total=planner.total,
                                    header_row=planner.header_row))


def _with_new_fields(db: Database, actor: Actor, path: Path, options: ImportOptions) -> ImportOptions:
    """Create the new fields the options ask for and map their columns (the other columns as
    they would map without the new fields)."""
    if not options.new_fields:
        return options
    if options.mapping is None:
        info = inspect_file(db, actor, path, entity=options.entity, sheet=options.sheet, header_row=options.header_row)
        options = dataclasses.replace(options, header_row=info.header_row,
                                      mapping={m.header: m.target for m in info.columns if m.header})
    mapping = with_new_fields(db, actor, options.entity, options.mapping or {}, options.new_fields)
    return dataclasses.replace(options, mapping=mapping, new_fields=None)


def _open_batch(db: Database, actor: Actor, path: Path, options: ImportOptions, plan: Planner, *, total: int) -> int:
    """The batch record (status "running"), and the mapping remembered for these headers."""
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, options.entity, "import")
        batch = ImportBatch(entity=options.entity, actor_id=uow.actor.user_id, file_name=path.name[:500],
                            file_path=str(path.resolve()), file_digest=_digest(path), sheet=plan.sheet[:200],
                            status="running", options=options.to_json() | {"header_row": plan.header_row,
                                                                           "mapping": _mapping_of(plan)},
                            total_rows=total, message="")
        uow.session.add(batch)
        uow.session.flush()
        if options.remember_mapping:
            _remember(uow.session, uow.actor.user_id, options.entity, plan)
        return batch.id


def _mapping_of(plan: Planner) -> dict[str, str | None]:
    return {m.header: m.target for m in plan.matches if m.header}


def _remember(session: Any, user_id: int, entity: str, plan: Planner) -> None:
    key = (user_id, entity, header_signature(plan.headers))
    kept = session.get(ImportMapping, key)
    mapping = _mapping_of(plan)
    if kept is None:
        session.add(ImportMapping(user_id=user_id, entity=entity, signature=key[2], mapping=mapping))
    else:
        kept.mapping = mapping


def _drive(steps: Generator[tuple[int, int, str], None, ImportResult], progress: Progress | None) -> ImportResult:
    """Run ``steps`` to the end, calling ``progress`` at each (which may raise ImportCancelled)."""
    try:
        step = next(steps)
        while True:
            try:
                if progress is not None:
                    progress(step[0], step[1])
            except ImportCancelled as exc:
                step = steps.throw(exc)
                continue
            step = next(steps)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


def _write_steps(db: Database, actor: Actor, segments: Iterator[tuple[Plan, int]], batch_id: int,
                 options: ImportOptions, *, total: int,
                 header_row: int) -> Generator[tuple[int, int, str], None, ImportResult]:
    """Write the planned segments chunk by chunk, yielding (data rows done, data rows, "")
    after each commit. An ImportCancelled thrown in at a yield stops it (the batch is
    "interrupted": undo or resume it); anything else thrown in marks the batch interrupted and
    goes on up. All or nothing: every chunk in one transaction."""
    module = module_spec(options.entity)
    size = max(1, options.batch_size)
    if module.claim_check and db.backend == "postgresql" and not options.all_or_nothing:
        with read_only(db, None) as uow:
            if write.block_mode(uow.session):
                size = min(size, write.BLOCK_MODE_CHUNK)
    created = updated = skipped = 0
    # Failed rows: only their sheet rows and errors are kept (a segment's rows go once written).
    failed: list[tuple[int, list[RowError]]] = []
    late_failures = 0
    cancelled = False
    try:
        with unit_of_work(db, actor) if options.all_or_nothing else contextlib.nullcontext() as whole:
            for plan, covered in segments:
                rows = plan.rows
                failed += [(r.sheet_row, r.errors) for r in rows if r.action == "fail"]
                if plan.new_dictionary_values:
                    if whole is not None:
                        _add_dictionary_values(whole, plan.new_dictionary_values)
                    else:
                        with unit_of_work(db, actor) as uow:
                            _add_dictionary_values(uow, plan.new_dictionary_values)
                for start in range(0, max(len(rows), 1), size):
                    chunk = rows[start:start + size]
                    rows_done = chunk[-1].index + 1 if start + size < len(rows) else covered
                    if whole is not None:
                        done = write.write_chunk(whole, module, plan, chunk, batch_id=batch_id, rows_done=rows_done,
                                                 run_rules=options.run_rules)
                    else:
                        with unit_of_work(db, actor) as uow:
                            done = write.write_chunk(uow, module, plan, chunk, batch_id=batch_id,
                                                     rows_done=rows_done, run_rules=options.run_rules)
                    created, updated, skipped = created + done.created, updated + done.updated, skipped + done.skipped
                    failed += [(r.sheet_row, r.errors) for r in done.failed_rows]
                    late_failures += len(done.failed_rows)
                    yield rows_done, total, ""
    except ImportCancelled:
        cancelled = True
    except BaseException:
        _finish(db, batch_id, "interrupted", late_failures)
        raise
    _finish(db, batch_id, "interrupted" if cancelled else "done", late_failures)
    errors = tuple(e for _row, errs in failed for e in errs)
    return ImportResult(batch_id, created, updated, skipped, len(failed), errors,
                        tuple(sorted(row for row, _errs in failed)), cancelled, header_row)


def _finish(db: Database, batch_id: int, status: str, late_failures: int) -> None:
    with unit_of_work(db, None) as uow:
        batch = uow.session.get(ImportBatch, batch_id)
        assert batch is not None
        batch.status = status
        batch.finished_at = now()
        if late_failures:
            batch.failed_count += late_failures


def _add_dictionary_values(uow: UnitOfWork, values: Mapping[str, set[str]]) -> None:
    from crm_desktop.models import DictionaryItem

    assert uow.actor is not None
    require(uow.actor, "setting", "manage")
    for dictionary, items in values.items():
        known = set(uow.session.scalars(select(DictionaryItem.value).where(DictionaryItem.dictionary == dictionary)))
        for i, value in enumerate(sorted(items - known)):
            uow.session.add(DictionaryItem(dictionary=dictionary, value=value, label=value, sort_order=1000 + i,
                                           enabled=True))
    uow.session.flush()


def resume_import(db: Database, actor: Actor, batch_id: int, *, progress: Progress | None = None) -> ImportResult:
    """Continue a batch that stopped (killed, crashed, cancelled) from the first row it had
    not committed. The file must still be there, unchanged."""
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        batch = _load_batch(uow.session, uow.actor, batch_id)
        if batch.status not in ("running", "interrupted"):
            raise RuleViolation(QT_TRANSLATE_NOOP("errors", "Import batch {batch} is {status}: nothing to resume."),
                                batch=batch_id, status=batch.status)
        path, digest, stored, rows_done, total = (Path(batch.file_path), batch.file_digest, dict(batch.options),
                                                  batch.rows_done, batch.total_rows)
    if not path.exists() or _digest(path) != digest:
        raise FileProblem(QT_TRANSLATE_NOOP(
            "errors", "The file of import batch {batch} is gone or has changed since: undo the batch instead."),
            batch=batch_id)
    options = ImportOptions(**{k: stored[k] for k in ImportOptions.__dataclass_fields__ if k in stored})
    table = open_table(path, sheet=options.sheet)
    planner = _planner(db, actor, table, options)
    segments = _segments(db, actor, planner, table, options, start=rows_done, path=path, release=True)
    return _drive(_write_steps(db, actor, segments, batch_id, options, total=total, header_row=planner.header_row),
                  progress)


def _load_batch(session: Any, actor: Actor, batch_id: int) -> ImportBatch:
    batch = session.get(ImportBatch, batch_id)
    if batch is None or (batch.actor_id != actor.user_id and not actor.is_super):
        raise NotFound("import_batch", batch_id)
    require(actor, batch.entity, "import")
    return batch


def undo_import(db: Database, actor: Actor, batch_id: int) -> write.UndoResult:
    """Undo a batch: its importer (or a super administrator) only; see ``write.undo_batch``."""
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        batch = _load_batch(uow.session, uow.actor, batch_id)
        if batch.status == "undone":
            raise RuleViolation(QT_TRANSLATE_NOOP("errors", "Import batch {batch} was undone already."), batch=batch_id)
        return write.undo_batch(uow, batch, MODELS)


def get_batch(db: Database, actor: Actor, batch_id: int) -> BatchDTO:
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        return _batch_dto(_load_batch(uow.session, uow.actor, batch_id))


def _batch_dto(b: ImportBatch) -> BatchDTO:
    return BatchDTO(b.id, b.entity, b.file_name, b.status, b.total_rows, b.rows_done, b.created_count,
                    b.updated_count, b.skipped_count, b.failed_count, b.message)


# --- the error file ---------------------------------------------------------------------------


def write_error_file(source: Path, result: ImportResult | DryRunResult, out: Path, *, sheet: str | None = None,
                     header_row: int | None = None, translate: Callable[[str], str] = lambda s: s) -> Path:
    """The failed rows of ``source`` as they were, under the same header, with a reason column
    (xlsx, openpyxl write-only). Values that look like formulas are written as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    table = open_table(Path(source), sheet=sheet)
    if header_row is None:
        header_row = result.header_row
    reasons: dict[int, list[str]] = {}
    for e in result.errors:
        reasons.setdefault(e.row, []).append(f"{e.column}: {e.text(translate)}" if e.column else e.text(translate))
    book = Workbook(write_only=True)
    ws = book.create_sheet(table.sheet[:31] or "Sheet1")

    def cells(values: Sequence[Any]) -> list[Any]:
        out_cells = []
        for value in values:
            cell = WriteOnlyCell(ws, value=text_of(value) if isinstance(value, str) else value)
            if isinstance(value, str):
                cell.data_type = "s"  # "=cmd|…" stays text
            out_cells.append(cell)
        return out_cells

    rows = table.iter_rows()
    header = next(itertools.islice(rows, header_row, None), [])
    ws.append(cells([*header, translate(QT_TRANSLATE_NOOP("errors", "Reason"))]))
    for index, row in enumerate(rows, header_row + 1):  # a csv is read as a stream: one pass, in order
        if index + 1 in reasons:
            ws.append(cells([*row, "；".join(reasons[index + 1])]))
    out = Path(out)
    book.save(out)
    return out


def list_batches(db: Database, actor: Actor) -> list[BatchDTO]:
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        query = select(ImportBatch).order_by(ImportBatch.id.desc()).limit(100)
        if not uow.actor.is_super:
            query = query.where(ImportBatch.actor_id == uow.actor.user_id)
        return [_batch_dto(b) for b in uow.session.scalars(query)]
