"""Export a record tab's list to an xlsx file: the selected rows or the whole current list.

``ListExporter`` adds an "Export" button (with a menu) to any ``ListHost`` whose actor may
export the module. The user picks a file in a non-modal, non-native file dialog; the rows
are written by ``services.export.export_xlsx`` off the GUI thread with a cancellable progress
dialog. What is exported is what the list shows: the tab's current columns that are schema
fields for the actor (a field hidden from the actor's role is left out by the service's
schema, never by the UI alone), with the headers shown, and for "whole list" the current
view, filter, search and sort; select fields (a lead's status, a dictionary's items) are
written as their labels, as the list shows them. The service writes beside the target and
renames, so a failed or cancelled export never leaves half a file under the chosen name.
Thread rule: GUI thread only; the export runs through ``ui.ops.op``.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import os
from collections.abc import Callable, Generator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QCoreApplication, QObject, QStandardPaths, Qt
from PySide6.QtWidgets import QFileDialog, QMenu, QPushButton
from shiboken6 import isValid

from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import MODULES
from crm_desktop.services.records import schema as schema_service
from crm_desktop.services.records.export import ExportRequest, export_xlsx
from crm_desktop.services.records.records import Page, RecordDTO, RecordService
from crm_desktop.services.records.schema import FieldSpec, FieldType
from crm_desktop.ui.i18n import error_text
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.lists.host import ListHost

if TYPE_CHECKING:
    from crm_desktop.db import Database

#: List columns that show a base attribute under another name than its schema field.
DEFAULT_FIELD_MAP: Mapping[str, str] = {"owner_name": "owner_id"}
#: Called with a default file name and a callback that receives the chosen path.
PathChooser = Callable[[str, Callable[[Path], None]], None]

# The folder of the last export, so the next one (from any tab) starts there.
_last_folder: Path | None = None


class LabelledValues:
    """A record service whose rows carry the label of select fields (a lead's status, a
    customer's level from its dictionary) instead of the stored value, as the list shows them.
    Every other call is the wrapped service's own. Thread rule: any thread (like the service).
    """

    def __init__(self, service: RecordService[Any], labels: Mapping[str, Mapping[str, str]]) -> None:
        self._service = service
        self._labels = labels

    def __getattr__(self, name: str) -> Any:
        return getattr(self._service, name)

    def _labelled(self, record: RecordDTO) -> RecordDTO:
        values, custom = dict(record.values), dict(record.custom)
        for name, labels in self._labels.items():
            where = values if name in values else custom
            value = where.get(name)
            if isinstance(value, (list, tuple)):
                where[name] = [labels.get(str(v), v) for v in value]
            elif value not in (None, ""):
                where[name] = labels.get(str(value), value)
        return dataclasses.replace(record, values=values, custom=custom)

    def list_page(self, db: Database, actor: Actor, **kwargs: Any) -> Page:
        page = self._service.list_page(db, actor, **kwargs)
        return Page(rows=tuple(self._labelled(r) for r in page.rows), next_cursor=page.next_cursor)

    def get(self, db: Database, actor: Actor, record_id: int) -> RecordDTO:
        return self._labelled(self._service.get(db, actor, record_id))


def select_labels(db: Database, actor: Actor, specs: Sequence[FieldSpec]) -> dict[str, dict[str, str]]:
    """Stored value → label of the select fields among ``specs`` (dictionary items as stored,
    built-in choices translated). Thread rule: any thread."""
    labels: dict[str, dict[str, str]] = {}
    dictionaries: dict[str, dict[str, str]] = {}
    for spec in specs:
        if spec.dictionary and spec.type in (FieldType.SELECT, FieldType.MULTISELECT):
            if spec.dictionary not in dictionaries:
                items = schema_service.get_dictionary(db, actor, spec.dictionary, include_disabled=True)
                dictionaries[spec.dictionary] = {i.value: i.label for i in items}
            labels[spec.name] = dictionaries[spec.dictionary]
        elif spec.choices:
            labels[spec.name] = {value: QCoreApplication.translate("fields", label) for value, label in spec.choices}
    return labels


def default_file_name(module: str, today: dt.date | None = None) -> str:
    """E.g. "客户-2026-11-22.xlsx": the translated module name and today's date."""
    spec = MODULES.get(module)
    name = QCoreApplication.translate("permissions", spec.label) if spec else module
    # Characters some file systems refuse are replaced, so the default always works.
    safe = "".join("_" if c in '\\/:*?"<>|' else c for c in name)
    return f"{safe}-{(today or dt.date.today()).isoformat()}.xlsx"


class ListExporter(QObject):
    """The "Export" button of one record tab and the work behind it.

    Public for tests: ``button``, ``menu``, ``selected_action``, ``all_action``,
    ``file_dialog`` (the dialog opened last) and ``choose_path`` (a ``PathChooser``; tests
    may replace it to skip the dialog). ``field_map`` maps list columns to schema fields;
    ``service`` is what rows are read through (default: the tab's).
    """

    def __init__(
        self, tab: ListHost, *, field_map: Mapping[str, str] | None = None,
        service: RecordService[Any] | None = None,
    ) -> None:
        super().__init__(tab)
        self.tab = tab
        self.service: RecordService[Any] = service or tab.service
        self.field_map = dict(field_map or DEFAULT_FIELD_MAP)
        self.file_dialog: QFileDialog | None = None
        self.choose_path: PathChooser = self._ask_path

        self.button = QPushButton(self.tr("Export"))
        self.button.setToolTip(self.tr("Save the selected rows or the whole list as an Excel file."))
        self.menu = QMenu(self.button)
        self.selected_action = self.menu.addAction(self.tr("Selected rows"))
        self.all_action = self.menu.addAction(self.tr("Whole list (current view, filter and search)"))
        self.selected_action.triggered.connect(self.export_selected)
        self.all_action.triggered.connect(self.export_all)
        self.button.setMenu(self.menu)
        self.menu.aboutToShow.connect(self.update_actions)
        tab.view.selectionModel().selectionChanged.connect(self.update_actions)
        # Offered only to those who may export; the service checks the same permission.
        self.button.setVisible(tab.ctx.actor.can(self.service.module, "export"))
        tools = tab.tool_row
        at = tools.indexOf(tab.log_button)
        tools.insertWidget(at if at >= 0 else tools.count(), self.button)
        self.update_actions()

    def update_actions(self) -> None:
        if isValid(self.tab):
            self.selected_action.setEnabled(bool(self.tab.view.selectionModel().selectedRows()))

    # --- what to export ------------------------------------------------------------------

    def columns(self) -> list[tuple[str, str]]:
        """(schema field, header) of the tab's current columns, in order, without repeats."""
        result: list[tuple[str, str]] = []
        for spec in self.tab.model.columns:
            name = self.field_map.get(spec.field, spec.field)
            if name not in (n for n, _h in result):
                result.append((name, spec.header))
        return result

    def request(self, *, ids: list[int] | None) -> ExportRequest:
        """The list as it is now: view, filter, search and sort (or just ``ids``, in list order)."""
        model = self.tab.model
        # The view switcher and filter editor add these to the model; older models lack them.
        return ExportRequest(
            view=getattr(model, "view_key", None), filter=getattr(model, "filter", None),
            text=model.search_text or None, ids=ids, sort=model.sort_field, descending=model.descending,
        )

    # --- actions ---------------------------------------------------------------------------

    def export_selected(self) -> None:
        ids = self.tab.selected_ids()
        if ids:
            self._start(ids)

    def export_all(self) -> None:
        self._start(None)

    def _start(self, ids: list[int] | None) -> None:
        request = self.request(ids=ids)
        columns = self.columns()
        self.choose_path(default_file_name(self.service.module), lambda path: self.run(path, request, columns))

    def _ask_path(self, default_name: str, chosen: Callable[[Path], None]) -> None:
        """Open a non-modal save dialog (Qt's own, the same on every system)."""
        folder = _last_folder or Path(
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or Path.home()
        )
        dialog = QFileDialog(self.tab, self.tr("Export to Excel"))
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setNameFilter(self.tr("Excel workbook (*.xlsx)"))
        dialog.setDefaultSuffix("xlsx")
        dialog.setDirectory(str(folder))
        dialog.selectFile(default_name)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda name: chosen(Path(name)))
        dialog.finished.connect(lambda _result: setattr(self, "file_dialog", None))
        self.file_dialog = dialog
        dialog.open()

    def run(self, path: Path, request: ExportRequest, columns: list[tuple[str, str]]) -> None:
        """Write ``path`` in the background; then say how many rows went where."""
        global _last_folder
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        if not path.parent.is_dir() or not os.access(path.parent, os.W_OK):
            # Said before any work starts; the service would fail only after reading every row.
            self._failed(PermissionError(errno.EACCES, self.tr("the folder cannot be written to")), path)
            return
        _last_folder = path.parent
        db, actor, service = self.tab.ctx.db, self.tab.ctx.actor, self.service

        def work() -> Generator[tuple[int, int, str], None, int]:
            # Only fields the actor's schema shows: a hidden field is neither asked for nor written.
            fields = {f.name: f for f in schema_service.get_schema(db, actor, service.module).fields}
            wanted = [(name, header) for name, header in columns if name in fields]
            labels = select_labels(db, actor, [fields[name] for name, _h in wanted])
            export = ExportRequest(
                columns=[name for name, _h in wanted], view=request.view, filter=request.filter,
                text=request.text, ids=request.ids, sort=request.sort, descending=request.descending,
            )
            rows = cast(RecordService[Any], LabelledValues(service, labels)) if labels else service
            return (yield from export_xlsx(db, actor, rows, path, export, labels=dict(wanted)))

        (
            op(self.tab, work)
            .with_progress(self.tr("Exporting…"))
            .success(lambda n: self._done(n, path))
            .failure(lambda exc: self._failed(exc, path))
            .run()
        )

    def _done(self, count: int, path: Path) -> None:
        if isValid(self.tab):
            template = self.tr("Exported {n} row to “{file}”.") if count == 1 else self.tr(
                "Exported {n} rows to “{file}”.")
            self.tab._show_message(template.format(n=count, file=path.name))

    def _failed(self, exc: BaseException, path: Path) -> None:
        if not isValid(self.tab):
            return
        if isinstance(exc, OSError):  # a folder that is gone, read-only, or a file open in Excel
            reason = exc.strerror or str(exc)
            self.tab._show_message(
                self.tr("Not exported: could not write “{file}” ({reason}).").format(file=path.name, reason=reason)
            )
        else:
            self.tab._show_message(self.tr("Not exported: {error}").format(error=error_text(exc)))


def add_export(
    tab: ListHost, *, field_map: Mapping[str, str] | None = None, service: RecordService[Any] | None = None,
) -> ListExporter:
    """Give ``tab`` an Export button (hidden when the actor may not export its module)."""
    return ListExporter(tab, field_map=field_map, service=service)
