"""How a stored choice reads: the label the field schema gives a value of a built-in select
(a lead's status, a customer's deal status, a contract's approval status), translated.

The schema (``services.schema.BUILTIN_FIELDS``) is the one place these labels are written;
lists, detail tabs and menus read them here.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from crm_desktop.services.records.schema import BUILTIN_FIELDS

FIELDS = "fields"


def choices_of(entity: str, field: str) -> dict[str, str]:
    """Stored value → untranslated label (context "fields") of a built-in select."""
    spec = next((f for f in BUILTIN_FIELDS.get(entity, ()) if f.name == field), None)
    return dict(spec.choices) if spec is not None else {}


def choice_label(entity: str, field: str, value: str) -> str:
    """The translated label of ``value`` (the stored value itself if the schema has none)."""
    label = choices_of(entity, field).get(value)
    return QCoreApplication.translate(FIELDS, label) if label else value


def field_text(text: str) -> str:
    """A built-in field's label (context "fields", where the schema marks them)."""
    return QCoreApplication.translate(FIELDS, text)


__all__ = ["choice_label", "choices_of", "field_text"]
