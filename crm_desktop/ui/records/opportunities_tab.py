"""The Opportunities tab (商机): the generic record tab with the customer's and the stage's names,
and the opportunity form: customer picker, product lines (``LinesEditor``) and the customer's
contacts.

The amount follows the lines' total (the form shows it as the lines change) until the user types
an amount; clearing the typed amount makes it follow the lines again — the service keeps the same
rule (``amount_manual``). The customer is chosen once and never changed. Double-click opens the
detail page with the stage bar (detail_opportunity.py).
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services import contacts as contact_ops
from crm_desktop.services import opportunities as opportunity_ops
from crm_desktop.services.customers import customers
from crm_desktop.services.errors import CONTEXT as ERRORS_CONTEXT
from crm_desktop.services.opportunities import opportunities
from crm_desktop.services.product_lines import LineDTO, LineInput
from crm_desktop.services.records import Page, RecordDTO, RecordService
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import field_label, register_field_labels, service_text
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.contacts_tab import (
    CUSTOMER_CHOICES_LIMIT,
    ContactDialog,
    CustomerNamedExport,
    customer_names,
)
from crm_desktop.ui.records.detail_opportunity import with_stage_names
from crm_desktop.ui.records.field_editors import FieldEditor
from crm_desktop.ui.records.lines_editor import LinesEditor
from crm_desktop.ui.records.list_export import ListExporter, add_export
from crm_desktop.ui.records.list_model import ColumnSpec
from crm_desktop.ui.records.record_dialog import ERROR_STYLE, HELP_STYLE, FieldSpec, RecordDialog, open_record_form
from crm_desktop.ui.records.record_tab import RecordTab, RecordTexts

if TYPE_CHECKING:
    from crm_desktop.db import Database
    from crm_desktop.services.actor import Actor

OPPORTUNITY_FIELD_LABELS = {
    "customer_name": QT_TRANSLATE_NOOP("fields", "Customer"),
    "stage_name": QT_TRANSLATE_NOOP("fields", "Stage"),
    "contact_ids": QT_TRANSLATE_NOOP("fields", "Contacts"),
    "lines": QT_TRANSLATE_NOOP("fields", "Product lines"),
}
register_field_labels(OPPORTUNITY_FIELD_LABELS)


class NamedOpportunities:
    """The opportunity service with each listed row's ``customer_name`` and ``stage_name`` added,
    read once per page inside the page's worker call. Every other call is the service's own.
    Thread rule: any thread."""

    def __init__(self, service: RecordService[Any]) -> None:
        self._service = service

    def __getattr__(self, name: str) -> Any:
        return getattr(self._service, name)

    def list_page(self, db: Database, actor: Actor, **kwargs: Any) -> Page:
        page = self._service.list_page(db, actor, **kwargs)
        names = customer_names(db, actor, page.rows)
        rows = [dataclasses.replace(r, values={**r.values, "customer_name": names.get(int(r.values["customer_id"]), "")})
                if r.values.get("customer_id") is not None else r for r in page.rows]
        return Page(rows=tuple(with_stage_names(db, actor, rows)), next_cursor=page.next_cursor)


class _WithLinesAndContacts:
    """The service as the form's save sees it: create/update also carry the lines and contacts
    the form held when Save was pressed (read on the GUI thread, passed to the worker)."""

    def __init__(self, service: Any, *, lines: Sequence[LineInput] | None, contact_ids: Sequence[int] | None) -> None:
        self._service = service
        self._lines = tuple(lines) if lines is not None else None
        self._contact_ids = tuple(contact_ids) if contact_ids is not None else None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._service, name)

    def create(self, db: Database, actor: Actor, values: Mapping[str, Any]) -> RecordDTO:
        return cast(RecordDTO, self._service.create(db, actor, values, lines=self._lines or (),
                                                    contact_ids=self._contact_ids or ()))

    def update(self, db: Database, actor: Actor, record_id: int, *, expected_version: int,
               changes: Mapping[str, Any]) -> RecordDTO:
        return cast(RecordDTO, self._service.update(db, actor, record_id, expected_version=expected_version,
                                                    changes=changes, lines=self._lines, contact_ids=self._contact_ids))


@dataclasses.dataclass(frozen=True)
class _Extras:
    """What the form reads besides the record: lines, the customer's contacts, the chosen ones."""

    lines: tuple[LineDTO, ...]
    contacts: tuple[tuple[int, str], ...]
    chosen: tuple[int, ...]


class OpportunityDialog(ContactDialog):
    """The opportunity form: the record's fields, the customer picker (new opportunities only), the
    product lines and the customer's contacts (multi-select).

    Public for tests besides RecordDialog's: ``lines_editor``, ``contacts_list``,
    ``lines_error_label``, ``amount_follows_lines()``, ``checked_contact_ids()``,
    ``check_contact(id, on=True)``, ``is_loading()``, ``select_customer(id)``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        record = self.record
        self._base_service = self._service
        self._loading_extras = 0
        self._lines_baseline: list[LineInput] = []
        self._contacts_baseline: list[int] = []
        self._customer_id: int | None = int(record.values["customer_id"]) if record is not None else None
        self._amount_follows = record is None or not record.values.get("amount_manual")
        self.lines_editor = LinesEditor(self._ctx)
        self.lines_editor.changed.connect(self._lines_changed)
        self.lines_error_label = QLabel()
        self.lines_error_label.setStyleSheet(ERROR_STYLE)
        self.lines_error_label.setWordWrap(True)
        self.lines_error_label.hide()
        self.contacts_list = QListWidget()
        self.contacts_list.setMaximumWidth(220)
        self.contacts_error_label = QLabel()
        self.contacts_error_label.setStyleSheet(ERROR_STYLE)
        self.contacts_error_label.setWordWrap(True)
        self.contacts_error_label.hide()
        self.amount_note = QLabel()
        self.amount_note.setStyleSheet(HELP_STYLE)
        amount = self.editors.get("amount")
        if isinstance(amount, FieldEditor):
            amount.changed.connect(self._amount_typed)
            cell = amount.parentWidget()
            if cell is not None and cell.layout() is not None:
                cell.layout().addWidget(self.amount_note)
        combo = self.editors.get("customer_id")
        if isinstance(combo, QComboBox):
            combo.currentIndexChanged.connect(lambda _i: self._customer_changed())

        lines_box = QGroupBox(self.tr("Product lines"))
        lines_layout = QVBoxLayout(lines_box)
        lines_layout.addWidget(self.lines_editor)
        lines_layout.addWidget(self.lines_error_label)
        contacts_box = QGroupBox(self.tr("Contacts"))
        contacts_layout = QVBoxLayout(contacts_box)
        contacts_layout.addWidget(self.contacts_list)
        contacts_layout.addWidget(self.contacts_error_label)
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.addWidget(lines_box, 1)
        row_layout.addWidget(contacts_box)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.message_label), row, 1)
        self.setMinimumWidth(920)
        self.resize(960, 780)
        self._show_amount_note()
        if record is not None:
            self._load_extras(record.id, int(record.values["customer_id"]))

    # --- loading ------------------------------------------------------------------------------

    def is_loading(self) -> bool:
        return self._loading_extras > 0

    def _load_extras(self, record_id: int | None, customer_id: int | None) -> None:
        db, actor = self._ctx.db, self._ctx.actor

        def read() -> _Extras:
            lines = opportunity_ops.get_lines(db, actor, record_id) if record_id is not None else ()
            chosen = tuple(c.id for c in opportunity_ops.get_contacts(db, actor, record_id)) if record_id else ()
            people = contact_ops.list_for_customer(db, actor, customer_id) if customer_id is not None else []
            return _Extras(tuple(lines), tuple((c.id, str(c.values.get("name") or c.id)) for c in people), chosen)

        self._loading_extras += 1
        op(self, read).success(lambda extras: self._loaded(extras, record_id, customer_id)).failure(
            self._extras_failed).run()

    def _extras_failed(self, exc: BaseException) -> None:
        if isValid(self):
            self._loading_extras -= 1
            self._failed(exc)

    def _loaded(self, extras: _Extras, record_id: int | None, customer_id: int | None) -> None:
        if not isValid(self):
            return
        self._loading_extras -= 1
        if customer_id != self._customer_id:
            return  # another customer was chosen meanwhile; its read follows
        if record_id is not None:
            self.lines_editor.set_lines(extras.lines)
            self._lines_baseline = self.lines_editor.lines()
            self._contacts_baseline = sorted(extras.chosen)
        keep = set(self.checked_contact_ids()) if record_id is None else set(extras.chosen)
        self.contacts_list.clear()
        for contact_id, name in extras.contacts:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, contact_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if contact_id in keep else Qt.CheckState.Unchecked)
            self.contacts_list.addItem(item)
        if not extras.contacts:
            placeholder = QListWidgetItem(self.tr("No contacts") if customer_id else self.tr("Choose a customer"))
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.contacts_list.addItem(placeholder)
        self._show_amount_note()

    def _customer_changed(self) -> None:
        value = self.value("customer_id")
        self._customer_id = int(value) if value not in (None, "") else None
        self._load_extras(None, self._customer_id)

    # --- contacts -----------------------------------------------------------------------------

    def checked_contact_ids(self) -> list[int]:
        found = []
        for row in range(self.contacts_list.count()):
            item = self.contacts_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) is not None and item.checkState() == Qt.CheckState.Checked:
                found.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return sorted(found)

    def check_contact(self, contact_id: int, on: bool = True) -> None:
        for row in range(self.contacts_list.count()):
            item = self.contacts_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == contact_id:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    # --- the amount rule ----------------------------------------------------------------------

    def amount_follows_lines(self) -> bool:
        return self._amount_follows

    def _amount_typed(self, *_args: object) -> None:
        # Typing an amount fixes it; clearing it lets it follow the lines again.
        self._amount_follows = self.value("amount") in (None, "")
        self._show_amount_note()

    def _lines_changed(self) -> None:
        self.lines_error_label.hide()
        if self._amount_follows:
            self.set_value("amount", self.lines_editor.total())
        self._show_amount_note()

    def _show_amount_note(self) -> None:
        if self._amount_follows:
            self.amount_note.setText(self.tr("Follows the product lines; type an amount to fix it."))
            if self.lines_editor.table.rowCount() or self.record is None:
                self.set_value("amount", self.lines_editor.total())
        else:
            self.amount_note.setText(self.tr("Typed by hand; clear it to follow the product lines."))

    # --- saving -------------------------------------------------------------------------------

    def _lines_changed_since_load(self) -> bool:
        return self.record is None or self.lines_editor.lines() != self._lines_baseline

    def _contacts_changed_since_load(self) -> bool:
        return self.record is None or self.checked_contact_ids() != self._contacts_baseline

    def _all_values(self) -> dict[str, Any]:
        values = super()._all_values()
        if self._amount_follows and "amount" in values:
            values["amount"] = None  # the service computes it from the lines
        return values

    def _changes(self) -> dict[str, Any]:
        changes = super()._changes()
        if "amount" not in self.editors:
            return changes
        record = self.record
        manual = bool(record and record.values.get("amount_manual"))
        touched = self._lines_changed_since_load() or self._contacts_changed_since_load()
        if self._amount_follows:
            changes.pop("amount", None)
            if manual or touched:  # None: "follow the lines" (and lines alone still make a save)
                changes["amount"] = None
        elif touched or not manual:
            changes["amount"] = self.value("amount")
        return changes

    def save(self) -> None:
        if self.is_loading():
            return
        self.lines_error_label.hide()
        self.contacts_error_label.hide()
        lines = self.lines_editor.lines() if self._lines_changed_since_load() else None
        contact_ids = self.checked_contact_ids() if self._contacts_changed_since_load() else None
        self._service = cast(RecordService[Any], _WithLinesAndContacts(
            self._base_service, lines=lines, contact_ids=contact_ids))
        super().save()

    def _show_field_errors(self, errors: Mapping[str, str]) -> None:
        rest: dict[str, str] = {}
        line_errors: list[str] = []
        for key, template in errors.items():
            if key == "lines" or key.startswith("lines."):
                number = key.partition(".")[2]
                text = service_text(ERRORS_CONTEXT, template)
                line_errors.append(self.tr("Line {n}: {error}").format(n=number, error=text) if number else text)
            elif key == "contact_ids":
                self.contacts_error_label.setText(service_text(ERRORS_CONTEXT, template))
                self.contacts_error_label.show()
            else:
                rest[key] = template
        if line_errors:
            self.lines_error_label.setText("\n".join(line_errors))
            self.lines_error_label.show()
        if rest:
            super()._show_field_errors(rest)


def opportunity_fields(choices: Sequence[tuple[str, str]] | None) -> tuple[FieldSpec, ...]:
    """The form's built-in fields in order; ``choices`` are the customers offered (None: an
    existing opportunity, whose customer is not in the form)."""
    tr = QCoreApplication.translate
    fields = [FieldSpec("name", tr("fields", "Opportunity name"), required=True)]
    if choices is not None:
        fields.append(FieldSpec("customer_id", field_label("customer_id"), "choice", options=(("", ""), *choices),
                                required=True))
    fields += [FieldSpec("amount", tr("fields", "Amount")),
               FieldSpec("expected_close_date", tr("fields", "Expected close date")),
               FieldSpec("remark", tr("fields", "Remark"), "multiline")]
    return tuple(fields)


def open_opportunity_form(
    ctx: AppContext, parent: QWidget, *, record_id: int | None = None, customer_id: int | None = None,
    title: str = "", on_saved: Callable[[RecordDTO], None] | None = None,
    on_opened: Callable[[OpportunityDialog], None] | None = None,
    on_failed: Callable[[BaseException], None] | None = None,
) -> None:
    """Open the opportunity form, new (the customers the actor can see are read first; with
    ``customer_id`` that one is chosen and fixed) or for ``record_id``. Returns at once; the
    dialog goes to ``on_opened`` and, like ``open_record_form``, to ``parent.record_dialog``."""

    def opened(dialog: RecordDialog) -> None:
        assert isinstance(dialog, OpportunityDialog)
        if customer_id is not None:
            dialog.select_customer(customer_id)
            dialog.editors["customer_id"].setEnabled(False)
        if on_opened is not None:
            on_opened(dialog)

    def show(choices: Sequence[tuple[str, str]] | None) -> None:
        if not isValid(parent):
            return
        open_record_form(ctx, cast(RecordService[Any], opportunities), opportunity_fields(choices),
                         record_id=record_id, title=title or QCoreApplication.translate(
                             "OpportunitiesTab", "New opportunity" if record_id is None else "Edit opportunity"),
                         parent=parent, on_saved=on_saved, on_opened=opened, on_failed=on_failed,
                         dialog_class=OpportunityDialog)

    if record_id is not None:
        show(None)
        return
    db, actor = ctx.db, ctx.actor
    loading = op(parent, lambda: customers.list_page(db, actor, sort="name", descending=False,
                                                     limit=CUSTOMER_CHOICES_LIMIT)).success(
        lambda page: show([(str(r.id), str(r.values.get("name") or r.id)) for r in page.rows]))
    if on_failed is not None:
        loading = loading.failure(on_failed)
    loading.run()


def edit_opportunity(window: Any) -> None:
    """The detail window's Edit: the opportunity form, then the window reads again."""
    data = window.data
    open_opportunity_form(
        window.ctx, window, record_id=window.record_id,
        title=QCoreApplication.translate("RecordDetailWindow", "Edit: {name}").format(name=data.title if data else ""),
        on_saved=lambda _record: window.target.changed(),
        on_opened=lambda dialog: setattr(window, "edit_dialog", dialog), on_failed=window._failed_write)


class OpportunitiesTab(RecordTab):
    """商机: the opportunity list with create/edit (lines, contacts), recycle bin, transfer, log,
    export; double-click opens the detail page. Public for tests besides RecordTab's:
    ``exporter``, ``display_text(row, field)``."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, cast(RecordService[Any], NamedOpportunities(opportunities)), parent=parent)
        # The export's "Customer" column carries the customer's name, as the list shows it.
        self.exporter: ListExporter = add_export(
            self, field_map={"customer_name": "customer_id", "owner_name": "owner_id"},
            service=cast(RecordService[Any], CustomerNamedExport(opportunities)))

    def make_columns(self) -> Sequence[ColumnSpec]:
        tr = QCoreApplication.translate
        return (
            ColumnSpec("name", tr("fields", "Opportunity name"), 200),
            ColumnSpec("customer_name", field_label("customer_name"), 200, sortable=False),
            ColumnSpec("amount", tr("fields", "Amount"), 110),
            ColumnSpec("stage_name", field_label("stage_name"), 100, sortable=False),
            ColumnSpec("status", tr("fields", "Status"), 80),
            ColumnSpec("expected_close_date", tr("fields", "Expected close date"), 120),
            ColumnSpec("owner_name", self.tr("Owner"), 90, sortable=False),
            ColumnSpec("updated_at", self.tr("Updated"), 140),
        )

    def make_fields(self) -> Sequence[FieldSpec]:
        return opportunity_fields(())

    def make_texts(self) -> RecordTexts:
        return RecordTexts(
            count_one=self.tr("{n} opportunity"),
            count_many=self.tr("{n} opportunities"),
            search_placeholder=self.tr("Search opportunity name"),
            new_title=self.tr("New opportunity"),
            edit_title=self.tr("Edit opportunity"),
            confirm_delete=self.tr("Move {n} selected opportunities to the recycle bin? They can be restored "
                                   "from there."),
            recycle_bin_title=self.tr("Recycle bin: opportunities"),
            log_title=self.tr("Operation log: {name}"),
        )

    def display_text(self, row: int, field: str) -> str:
        column = self.model.column_of(field)
        assert column is not None
        return str(self.model.data(self.model.index(row, column)))

    def _form_saved(self, saved: RecordDTO) -> None:
        if isValid(self):
            self._show_message(self.tr("Saved “{name}”.").format(name=self.title_of(saved)))

    def new_record(self) -> None:  # type: ignore[override]
        open_opportunity_form(self.ctx, self, title=self.texts.new_title, on_saved=self._form_saved,
                              on_failed=self._failed)

    def edit_selected(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            open_opportunity_form(self.ctx, self, record_id=ids[0], title=self.texts.edit_title,
                                  on_saved=self._form_saved, on_failed=self._failed)


__all__ = [
    "NamedOpportunities", "OpportunitiesTab", "OpportunityDialog", "edit_opportunity", "open_opportunity_form",
    "opportunity_fields",
]
