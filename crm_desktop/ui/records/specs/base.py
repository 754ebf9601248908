"""What a view spec is: one entity's screens described as data (Camelot's ``Admin`` classes).

A ``ViewSpec`` names an entity's list columns, its form layout, the facts in its detail
window's header, its detail tabs and the actions it offers. Types, labels, options and
"required" come from the services' field schema (``services.schema.BUILTIN_FIELDS``); a spec
only says what the schema cannot: order, widths, and the few places where a screen words a
field differently (a contact's name is its "Contact name"). Texts are kept untranslated with
their translation context and translated when a screen is built, so a language switch (which
rebuilds the screens) needs nothing else.

Specs are plain data: they import no list, detail or form module, so all three read them.
Thread rule: any thread (translating needs the QCoreApplication, i.e. the GUI thread).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QCoreApplication

from crm_desktop.services.records.schema import BUILTIN_FIELDS, FieldSpec
from crm_desktop.ui.i18n import register_field_labels
from crm_desktop.ui.records.shared.list_model import ColumnSpec

#: The translation context of the schema's labels.
FIELDS = "fields"


def schema_field(entity: str, name: str) -> FieldSpec | None:
    """The built-in schema field ``name`` of ``entity``; for a name the list adds to rows
    (``customer_name``, ``owner_name``) the reference it names (``customer_id``, ``owner_id``)."""
    fields = {f.name: f for f in BUILTIN_FIELDS.get(entity, ())}
    if name in fields:
        return fields[name]
    if name.endswith("_name"):
        return fields.get(name[: -len("_name")] + "_id")
    return None


def schema_label(entity: str, name: str) -> str:
    """The untranslated schema label of a field (context "fields"); the name if it has none."""
    spec = schema_field(entity, name)
    return spec.label if spec is not None else name


class FormKind(StrEnum):
    """Which form an entity's records open in: the generated record form, or one that adds
    pickers and parts of its own (forms/ has one opener per kind)."""

    RECORD = "record"
    CONTACT = "contact"
    OPPORTUNITY = "opportunity"
    CONTRACT = "contract"
    PAYMENT = "payment"
    PRODUCT = "product"


@dataclass(frozen=True)
class Column:
    """One column of a list (or of a related-records list on a detail page).

    ``label`` is untranslated in ``context``; None takes the schema's label of ``field`` (or
    of the reference it names: ``customer_name`` reads as ``customer_id``). ``sortable`` None
    means: sortable when ``field`` is one of the entity's schema fields (the service sorts
    those in SQL; names it adds to rows it cannot). ``right``/``center`` align the cells,
    ``formatter`` turns a value into its text, ``tooltip`` repeats the text as a tooltip.
    """

    field: str
    width: int = 120
    label: str | None = None
    context: str = FIELDS
    sortable: bool | None = None
    right: bool = False
    center: bool = False
    formatter: Callable[[Any], str] | None = None
    tooltip: bool = False

    def source(self, entity: str) -> tuple[str, str]:
        """(context, untranslated header) of this column in a list of ``entity``."""
        if self.label is not None:
            return self.context, self.label
        return FIELDS, schema_label(entity, self.field)

    def header(self, entity: str) -> str:
        """The translated header."""
        return QCoreApplication.translate(*self.source(entity))

    def is_sortable(self, entity: str) -> bool:
        if self.sortable is not None:
            return self.sortable
        return any(f.name == self.field for f in BUILTIN_FIELDS.get(entity, ()))


@dataclass(frozen=True)
class RecordTexts:
    """Sentences that name the module (translated whole, so each language words them well).

    Templates take ``{n}`` (a count) or ``{name}`` (the record's title). A spec keeps them
    untranslated in ``context``; ``translated()`` is what a screen shows.
    """

    count_one: str
    count_many: str
    search_placeholder: str
    new_title: str
    edit_title: str
    confirm_delete: str
    recycle_bin_title: str
    log_title: str
    context: str = ""

    def translated(self) -> RecordTexts:
        if not self.context:
            return self
        texts = {f.name: QCoreApplication.translate(self.context, getattr(self, f.name))
                 for f in dataclasses.fields(self) if f.name != "context"}
        return RecordTexts(**texts)


@dataclass(frozen=True)
class FormLayout:
    """The record form: ``fields`` are the built-in fields in the order the form shows them
    (the schema adds its other fields after them, custom fields last).

    ``labels`` word a field unlike the schema (untranslated, "fields"); ``pickers`` are
    reference fields chosen from a list the form's opener reads (value: the text of the blank
    choice); ``new_only`` fields are chosen once and left out when editing.
    """

    fields: tuple[str, ...]
    kind: FormKind = FormKind.RECORD
    labels: Mapping[str, str] = field(default_factory=dict)
    pickers: Mapping[str, str] = field(default_factory=dict)
    new_only: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ViewSpec:
    """Everything that makes one entity's screens (see the module docstring).

    ``title`` is the entity's name in the detail window's title (context "RecordDetailWindow").
    ``header_facts`` are the fields shown in one line under the name; ``header_part`` names a
    widget under the header (details/tab_kinds.py: the stage bar, the contract's actions, the
    product's pictures); ``detail_tabs`` are the window's tabs in order (keys of
    details/tab_kinds.py). ``actions`` are what the entity offers besides New / Edit / Delete /
    Transfer (the list tab and the detail window show those they render). ``related_columns``
    are the columns of this entity's rows listed on another record's page, by that record's
    entity. ``message_fields`` and ``message_labels`` name fields in messages outside a form
    (``ui.i18n.field_label``): the schema's label, or the given one for names it lacks.
    """

    entity: str
    title: str = ""
    texts: RecordTexts | None = None
    columns: tuple[Column, ...] = ()
    form: FormLayout | None = None
    header_facts: tuple[str, ...] = ()
    header_part: str | None = None
    detail_tabs: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    related_columns: Mapping[str, tuple[Column, ...]] = field(default_factory=dict)
    message_fields: tuple[str, ...] = ()
    message_labels: Mapping[str, str] = field(default_factory=dict)

    def list_columns(self) -> tuple[ColumnSpec, ...]:
        """The list's default columns, translated."""
        return tuple(ColumnSpec(c.field, c.header(self.entity), c.width, c.is_sortable(self.entity))
                     for c in self.columns)

    def offers(self, action: str) -> bool:
        return action in self.actions

    def form_label(self, name: str) -> str:
        """How the form labels a field (translated)."""
        layout_labels = self.form.labels if self.form is not None else {}
        return QCoreApplication.translate(FIELDS, layout_labels.get(name) or schema_label(self.entity, name))

    def register_message_labels(self) -> None:
        """Name this entity's fields in messages (``ui.i18n.field_label``)."""
        labels = {name: schema_label(self.entity, name) for name in self.message_fields}
        register_field_labels({**labels, **self.message_labels})


__all__ = ["FIELDS", "Column", "FormKind", "FormLayout", "RecordTexts", "ViewSpec", "schema_field", "schema_label"]
