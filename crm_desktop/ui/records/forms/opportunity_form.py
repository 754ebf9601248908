"""The opportunity form (商机): customer picker, product lines (``LinesEditor``) and the
customer's contacts.

The amount follows the lines' total (the form shows it as the lines change) until the user types
an amount; clearing the typed amount makes it follow the lines again — the service keeps the same
rule (``amount_manual``). The customer is chosen once and never changed.
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

from crm_desktop.services.customers import contacts as contact_ops
from crm_desktop.services.errors import CONTEXT as ERRORS_CONTEXT
from crm_desktop.services.records.records import RecordDTO, RecordService
from crm_desktop.services.sales import opportunities as opportunity_ops
from crm_desktop.services.sales.opportunities import opportunities
from crm_desktop.services.sales.product_lines import LineDTO, LineInput
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import service_text
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.forms.contact_form import ContactDialog
from crm_desktop.ui.records.forms.layout import form_fields
from crm_desktop.ui.records.forms.pickers import customer_choices, read_first
from crm_desktop.ui.records.forms.record_dialog import (
    ERROR_STYLE,
    HELP_STYLE,
    RecordDialog,
    open_record_form,
)
from crm_desktop.ui.records.shared.field_editors import FieldEditor
from crm_desktop.ui.records.shared.lines_editor import LinesEditor
from crm_desktop.ui.records.specs.opportunity import OPPORTUNITY

if TYPE_CHECKING:
    from crm_desktop.db import Database
    from crm_desktop.services.org.actor import Actor


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
        self.resize(960, 700)  # fits a 1366×768 screen: the fields scroll, Save/Cancel stay visible
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
        # The customer's contacts (and an opportunity's stored lines) were read, not typed.
        read_in: list[QWidget] = [self.contacts_list]
        if record_id is not None:
            read_in += [self.lines_editor, *(e for n, e in self.editors.items() if n == "amount")]
        self.mark_clean(*read_in)

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


def open_opportunity_form(
    ctx: AppContext, parent: QWidget, *, record_id: int | None = None, customer_id: int | None = None,
    title: str = "", on_saved: Callable[[RecordDTO], None] | None = None,
    on_opened: Callable[[RecordDialog], None] | None = None,
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
        texts = OPPORTUNITY.texts
        assert texts is not None
        default = texts.new_title if record_id is None else texts.edit_title
        fields = form_fields(OPPORTUNITY, editing=record_id is not None, pickers={"customer_id": choices or ()})
        open_record_form(ctx, cast(RecordService[Any], opportunities), fields, record_id=record_id,
                         title=title or QCoreApplication.translate(texts.context, default),
                         parent=parent, on_saved=on_saved, on_opened=opened, on_failed=on_failed,
                         dialog_class=OpportunityDialog)

    if record_id is not None:
        show(None)
        return
    db, actor = ctx.db, ctx.actor
    read_first(parent, lambda: customer_choices(db, actor), show, on_failed)


__all__ = ["OpportunityDialog", "open_opportunity_form"]
