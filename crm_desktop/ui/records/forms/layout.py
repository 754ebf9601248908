"""How a form shows the schema's fields: ``FormField`` and ``form_fields(spec)``.

The schema (``services.schema.FieldSpec``) says what a field is; a ``FormField`` says only how
one form presents it: the field it shows (by ``name``), the label, and for a reference picker
(a customer, a contract, a category) the choices the form's opener read. ``form_fields``
builds them from an entity's view spec, so every form of an entity (the list's New / Edit, the
detail window's Edit, "New contact" on a customer's page) has the same fields in the same order.
Thread rule: GUI thread (labels are translated).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from crm_desktop.services.records.schema import FieldType
from crm_desktop.ui.records.specs.base import ViewSpec, schema_field


@dataclass(frozen=True)
class FormField:
    """One row of a form: the schema field ``name``, its translated ``label``, and the editor
    ``kind`` ("text", "multiline" or "choice") used where the form has no schema or the schema
    cannot fill a picker (``options``: (stored value, label) pairs). ``required`` only marks
    the label — the schema and the service decide what is required."""

    name: str
    label: str
    kind: str = "text"
    options: tuple[tuple[str, str], ...] = ()
    required: bool = False


Choices = Sequence[tuple[str, str]]


def form_fields(spec: ViewSpec, *, editing: bool = False, pickers: Mapping[str, Choices] | None = None,
                ) -> tuple[FormField, ...]:
    """The form's built-in fields in the spec's order (the schema adds the others after them).

    ``pickers`` gives the choices of reference fields (after the blank one the spec names);
    ``editing`` leaves out the fields chosen only for a new record.
    """
    assert spec.form is not None, f"{spec.entity} has no form"
    layout, pickers = spec.form, pickers or {}
    found: list[FormField] = []
    for name in layout.fields:
        if editing and name in layout.new_only:
            continue
        schema = schema_field(spec.entity, name)
        required = bool(schema and schema.required)
        label = spec.form_label(name)
        if name in layout.pickers:
            options = (("", layout.pickers[name]), *pickers.get(name, ()))
            found.append(FormField(name, label, "choice", options=tuple(options), required=required))
        else:
            kind = "multiline" if schema is not None and schema.type is FieldType.TEXTAREA else "text"
            found.append(FormField(name, label, kind, required=required))
    return tuple(found)


__all__ = ["Choices", "FormField", "form_fields"]
