"""Export a module's list to an xlsx file (openpyxl write-only, streamed page by page).

The rows are read through the same service path as the list (permission, data scope, base
filter, view, filter, search), and the columns through the actor's schema, so a hidden field
is neither a header nor a value. Text that a spreadsheet would take for a formula
(= + - @ at the start) is written as text, in the header as in the rows.
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.errors import NotFound, ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.records.filters import Filter
from crm_desktop.services.records.records import RecordDTO, RecordService
from crm_desktop.services.records.schema import FieldSpec, FieldType, schema_for
from crm_desktop.services.uow import read_only

if TYPE_CHECKING:
    from crm_desktop.db import Database

PAGE = 1000
FORMULA_STARTS = ("=", "+", "-", "@")
Progress = Generator[tuple[int, int, str], None, int]


@dataclass(frozen=True)
class ExportRequest:
    """What to export: the current list (view, filter, search) or just the selected ids."""

    columns: Sequence[str] = ()  # field names in order; empty = every visible field
    view: str | None = None
    filter: Filter | None = None
    text: str | None = None
    ids: Sequence[int] | None = None
    sort: str = "updated_at"
    descending: bool = True


def _cell_value(spec: FieldSpec | None, value: Any, owner_name: str) -> Any:
    if spec is not None and spec.name == "owner_id":
        return owner_name
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone().replace(tzinfo=None)  # Excel has no time zones: local time
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if spec is not None and spec.type in (FieldType.MONEY, FieldType.DECIMAL, FieldType.PERCENT):
        try:
            return float(value)
        except (TypeError, ValueError):
            return str(value)
    return value


def _text_cell(ws: Any, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"  # never a formula
        cell.quotePrefix = True  # and shown as typed text in Excel/WPS
    return cell


def export_xlsx(
    db: Database,
    actor: Actor,
    service: RecordService[Any],
    path: Path,
    request: ExportRequest,
    *,
    labels: Mapping[str, str] | None = None,
) -> Progress:
    """Write the rows to ``path``; yields (done, total, text) and returns the row count.

    The file appears only when complete (written beside it, then renamed), so a cancelled or
    failed export never leaves half a spreadsheet under the chosen name.
    Thread rule: run off the GUI thread (ui.ops runs generators with a progress dialog).
    """
    with read_only(db, actor) as uow:
        require(uow.actor, service.module, "export")
        schema = schema_for(uow.session, uow.actor, service.module)
    names = list(request.columns) or [f.name for f in schema.fields]
    specs = []
    for name in names:
        spec = schema.get(name)
        if spec is None:  # unknown or hidden for this actor
            raise ValidationError({"columns": QT_TRANSLATE_NOOP("errors", "Unknown field.")})
        specs.append(spec)
    total = len(request.ids) if request.ids is not None else service.count(
        db, actor, text=request.text, filter=request.filter, view=request.view)
    yield 0, total, ""

    # The temporary file first: a folder that cannot take it fails before any work, and from
    # here on every exit (error, Cancel closing this generator) removes it.
    fd, tmp = tempfile.mkstemp(prefix=".export-", suffix=".xlsx", dir=str(path.parent))
    os.close(fd)
    wb = Workbook(write_only=True)
    try:
        ws = wb.create_sheet(title=service.module)
        header = []
        for spec in specs:
            # A header is text someone typed too (a custom field's label): never a formula.
            cell = _text_cell(ws, (labels or {}).get(spec.name, spec.label))
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        done = 0
        for rows in _rows(db, actor, service, request):
            for row in rows:
                ws.append([_text_cell(ws, _cell_value(spec, _value(row, spec), row.owner_name)) for spec in specs])
                done += 1
            yield done, total, ""
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        _discard(wb)
        Path(tmp).unlink(missing_ok=True)
        raise
    return done


def _discard(wb: Workbook) -> None:
    """Close an unsaved write-only workbook's sheets and remove their temporary files.

    Left alone, each sheet's row writer is finalised by the garbage collector after its file
    is gone ("I/O operation on closed file" raised inside a finaliser, at a random moment)."""
    for ws in wb.worksheets:
        try:
            ws.close()
            ws._writer.cleanup()  # openpyxl's own temp file; no public way to drop it
        except Exception:  # noqa: BLE001 - best effort on a path that is failing anyway
            pass


def _rows(
    db: Database, actor: Actor, service: RecordService[Any], request: ExportRequest
) -> Generator[Sequence[RecordDTO], None, None]:
    """Batches of rows: the selected ids (each read through the service, so scope holds),
    or the whole filtered list page by page."""
    if request.ids is not None:
        batch: list[RecordDTO] = []
        for record_id in request.ids:
            try:
                batch.append(service.get(db, actor, record_id))
            except NotFound:
                continue  # deleted or out of scope since it was selected
            if len(batch) == 100:
                yield batch
                batch = []
        yield batch
        return
    cursor = None
    while True:
        page = service.list_page(db, actor, sort=request.sort, descending=request.descending, after=cursor,
                                 limit=PAGE, text=request.text, filter=request.filter, view=request.view)
        yield page.rows
        cursor = page.next_cursor
        if cursor is None:
            return


def _value(row: RecordDTO, spec: FieldSpec) -> Any:
    if spec.is_custom:
        return row.custom.get(spec.name)
    if spec.name in ("owner_id",):
        return row.owner_id
    if spec.name in ("created_at", "updated_at"):
        return getattr(row, spec.name)
    return row.values.get(spec.name)
