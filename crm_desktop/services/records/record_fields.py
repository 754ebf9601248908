"""How a record's field values pass the service boundary, per actor.

Reading: fields the actor's roles hide are dropped, so they never reach a list, detail,
search or export. Writing: read-only and hidden fields are refused, custom fields are
validated and coerced by type (required, options from the dictionary, unique) and stored
in the record's ``custom`` JSON under their key. Every text value, built-in or custom, is
checked here for what one backend would refuse and the other keep — a NUL character, text
longer than the field's ``max_length`` — so both answer with the same ValidationError.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import RecordMixin
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.records.schema import (
    CUSTOM_PREFIX,
    Access,
    EntitySchema,
    FieldSpec,
    FieldType,
    coerce,
    column_max_length,
    options_for,
)
from crm_desktop.services.records.validation import text_problem


@dataclass(frozen=True)
class FieldPolicy:
    """The fields of one module as one actor may read and write them.

    ``schema`` is None for a model without a registered schema: then every listed built-in
    field is readable and writable and there are no custom fields.
    """

    model: type[RecordMixin]
    builtin: tuple[str, ...]
    required: tuple[str, ...]
    schema: EntitySchema | None

    def _access(self, name: str) -> Access:
        if self.schema is None:
            return Access.EDIT
        return self.schema.access.get(name, Access.EDIT)

    @cached_property
    def custom_specs(self) -> tuple[Any, ...]:
        return tuple(f for f in self.schema.fields if f.is_custom) if self.schema else ()

    @cached_property
    def shown(self) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
        """(readable built-in field names, (custom field name, JSON key) pairs).

        Worked out once per policy (one per service call), not once per row of a page."""
        builtin = tuple(f for f in self.builtin if self._access(f) is not Access.HIDDEN)
        custom = tuple((spec.name, spec.key) for spec in self.custom_specs)
        return builtin, custom

    # --- reading ----------------------------------------------------------------------

    def readable(self, row: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """(built-in values, custom values by field name) with hidden fields left out.

        ``row`` is a record or a result row with the same attribute names."""
        builtin, custom_keys = self.shown
        values = {f: getattr(row, f) for f in builtin}
        stored = row.custom or {}
        custom = {name: stored.get(key) for name, key in custom_keys}
        return values, custom

    def current(self, row: RecordMixin) -> dict[str, Any]:
        """Every writable value, built-in and custom, for diffs and conflicts."""
        stored = row.custom or {}
        values = {f: getattr(row, f) for f in self.builtin}
        values.update({spec.name: stored.get(spec.key) for spec in self.custom_specs})
        return values

    # --- writing ----------------------------------------------------------------------

    def _listed(self, session: Session, name: str, raw: Any) -> bool:
        """A built-in select takes only its options (its dictionary's enabled values, or its
        fixed choices), as custom selects do; empty is always allowed here (required is separate)."""
        spec = self.schema.get(name) if self.schema is not None else None
        if spec is None or spec.type is not FieldType.SELECT or raw is None or not str(raw).strip():
            return True
        options = options_for(session, spec)
        return options is None or str(raw) in options

    def _text_problem(self, name: str, spec: FieldSpec | None, value: Any) -> str | None:
        """Why a value of field ``name`` cannot be stored as text (a multiselect: any of its values)."""
        if isinstance(value, (list, tuple)):
            return next((p for v in value if (p := self._text_problem(name, spec, v))), None)
        if not isinstance(value, str):
            return None
        limit = spec.max_length if spec is not None else column_max_length(self.model, name)
        return text_problem(value, limit)

    def prepare(
        self, session: Session, values: Mapping[str, Any], *, partial: bool, record_id: int | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Check and convert input. Returns (built-in values, custom values by key).

        Raises ValidationError naming every bad field at once.
        """
        errors: dict[str, str] = {}
        builtin: dict[str, Any] = {}
        custom: dict[str, Any] = {}
        custom_by_name = {spec.name: spec for spec in self.custom_specs}
        for name, raw in values.items():
            if name in self.builtin:
                if self._access(name) is not Access.EDIT:
                    errors[name] = QT_TRANSLATE_NOOP("errors", "You may not change this field.")
                elif problem := self._text_problem(name, self.schema.get(name) if self.schema else None, raw):
                    errors[name] = problem
                elif not self._listed(session, name, raw):
                    errors[name] = QT_TRANSLATE_NOOP("errors", "Choose a listed value.")
                else:
                    builtin[name] = raw
            elif name in custom_by_name:
                spec = custom_by_name[name]
                if self._access(name) is not Access.EDIT:
                    errors[name] = QT_TRANSLATE_NOOP("errors", "You may not change this field.")
                    continue
                try:
                    value = coerce(spec, raw, options=options_for(session, spec))
                except ValueError as exc:
                    errors[name] = str(exc)
                    continue
                if problem := self._text_problem(name, spec, value):
                    errors[name] = problem
                else:
                    custom[spec.key] = value
            elif name.startswith(CUSTOM_PREFIX) and self._access(name) is Access.HIDDEN:
                errors[name] = QT_TRANSLATE_NOOP("errors", "You may not change this field.")
            else:
                errors[name] = QT_TRANSLATE_NOOP("errors", "Unknown field.")
        for name in self.required:
            if (not partial or name in values) and not str(values.get(name) or "").strip():
                errors.setdefault(name, QT_TRANSLATE_NOOP("errors", "Required."))
        for spec in custom_by_name.values():
            if not partial and spec.key not in custom and spec.default not in (None, "", []):
                custom[spec.key] = coerce(spec, spec.default)
            present = spec.key in custom
            if spec.required and (not partial or present) and custom.get(spec.key) in (None, "", []):
                errors.setdefault(spec.name, QT_TRANSLATE_NOOP("errors", "Required."))
            if spec.unique and present and custom[spec.key] not in (None, "", []):
                if self._taken(session, spec.key, custom[spec.key], record_id):
                    errors.setdefault(spec.name, QT_TRANSLATE_NOOP("errors", "Another record already has this value."))
        if errors:
            raise ValidationError(errors)
        return builtin, custom

    def _taken(self, session: Session, key: str, value: Any, record_id: int | None) -> bool:
        model = self.model
        query = select(func.count(model.id)).where(
            model.custom[key].as_string() == str(value), model.deleted_at.is_(None))
        if record_id is not None:
            query = query.where(model.id != record_id)
        return (session.scalar(query) or 0) > 0

    def names_by_key(self) -> dict[str, str]:
        return {spec.key: spec.name for spec in self.custom_specs}

