"""The one way to open an entity's form: ``open_form(ctx, spec, parent, ...)``.

The list tabs (New / Edit) and the detail window (Edit) call it, so a record reads the same
in every form. The spec's ``FormKind`` picks the opener: the schema-generated record form, or
one that adds pickers and parts of its own (contacts, opportunities, contracts, payments,
products). Thread rule: GUI thread only; every opener reads through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from PySide6.QtWidgets import QWidget

from crm_desktop.services.records.records import RecordDTO
from crm_desktop.services.records.registry import record_service
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.forms.contact_form import open_contact_form
from crm_desktop.ui.records.forms.contract_form import open_contract_form
from crm_desktop.ui.records.forms.layout import form_fields
from crm_desktop.ui.records.forms.opportunity_form import open_opportunity_form
from crm_desktop.ui.records.forms.payment_form import open_payment_form
from crm_desktop.ui.records.forms.product_form import open_product_form
from crm_desktop.ui.records.forms.record_dialog import RecordDialog, open_record_form
from crm_desktop.ui.records.specs.base import FormKind, ViewSpec


class Opener(Protocol):
    def __call__(self, ctx: AppContext, parent: QWidget, *, record_id: int | None, title: str,
                 on_saved: Callable[[RecordDTO], None] | None, on_opened: Callable[[RecordDialog], None] | None,
                 on_failed: Callable[[BaseException], None] | None) -> None: ...


def _record_form(spec: ViewSpec) -> Opener:
    def open_generic(ctx: AppContext, parent: QWidget, *, record_id: int | None, title: str,
                     on_saved: Callable[[RecordDTO], None] | None, on_opened: Callable[[RecordDialog], None] | None,
                     on_failed: Callable[[BaseException], None] | None) -> None:
        open_record_form(ctx, record_service(spec.entity), form_fields(spec, editing=record_id is not None),
                         record_id=record_id, title=title, parent=parent, on_saved=on_saved, on_opened=on_opened,
                         on_failed=on_failed)
    return open_generic


#: The forms with pickers and parts of their own, by kind.
OPENERS: Mapping[FormKind, Opener] = {
    FormKind.CONTACT: open_contact_form, FormKind.OPPORTUNITY: open_opportunity_form,
    FormKind.CONTRACT: open_contract_form, FormKind.PAYMENT: open_payment_form, FormKind.PRODUCT: open_product_form,
}


def open_form(
    ctx: AppContext, spec: ViewSpec, parent: QWidget, *, record_id: int | None, title: str,
    on_saved: Callable[[RecordDTO], None] | None = None, on_opened: Callable[[RecordDialog], None] | None = None,
    on_failed: Callable[[BaseException], None] | None = None,
) -> None:
    """Open ``spec``'s form for a new record (``record_id=None``) or an existing one; the dialog
    goes to ``on_opened`` (and to ``parent.record_dialog`` when the parent has one). Returns at once."""
    assert spec.form is not None, f"{spec.entity} has no form"
    opener = OPENERS.get(spec.form.kind) or _record_form(spec)
    opener(ctx, parent, record_id=record_id, title=title, on_saved=on_saved, on_opened=on_opened,
           on_failed=on_failed)


__all__ = ["OPENERS", "open_form"]
