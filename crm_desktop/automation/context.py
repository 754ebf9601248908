"""What a rule run works with: the record event being handled (``Context``), what runs did
(``Trace``), and what the engine keeps per unit of work (``state_of``).

Shared by the engine (which runs rules) and the actions (which rules run), so that neither
imports the other's caller. Thread rule: a unit of work's state is used on its own thread.
"""
from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select

from crm_desktop.models import CustomField
from crm_desktop.services.records.record_fields import FieldPolicy
from crm_desktop.services.records.schema import (
    BUILTIN_FIELDS,
    CUSTOM_PREFIX,
    EntitySchema,
    FieldSpec,
    FieldType,
    system_schema,
)
from crm_desktop.services.workflow.rule_format import FOLLOWUP_PREFIX

if TYPE_CHECKING:
    from crm_desktop.services.records.records import RecordService
    from crm_desktop.services.uow import UnitOfWork


@dataclass
class Trace:
    """What runs did: rules fired, field changes, messages, records created."""

    fired: list[tuple[int | None, str, str, int]] = field(default_factory=list)  # rule id, name, entity, record
    changes: list[tuple[str, int, str, Any, Any]] = field(default_factory=list)  # entity, id, field, old, new
    messages: list[tuple[int, str, str]] = field(default_factory=list)  # recipient, title, body
    created: list[tuple[str, int]] = field(default_factory=list)
    skipped: list[tuple[int | None, str, str]] = field(default_factory=list)  # rule id, name, reason


@dataclass
class UowState:
    """What the engine keeps for one unit of work. Within one transaction neither the rules nor
    the custom fields change (no service edits them and records events in the same unit of
    work), so a bulk write (a pool recycle, a date job) reads them once, not once per record."""

    #: Set while a rule is tried: every run of the unit of work reports into it.
    trace: Trace | None = None
    stamps: dict[tuple[Any, ...], Sequence[Any]] = field(default_factory=dict)
    specs: dict[str, dict[str, FieldSpec]] = field(default_factory=dict)
    schemas: dict[str, EntitySchema] = field(default_factory=dict)


_STATES: weakref.WeakKeyDictionary[Any, UowState] = weakref.WeakKeyDictionary()
_STATES_LOCK = threading.Lock()


def state_of(uow: UnitOfWork) -> UowState:
    """The engine's state for ``uow`` (made on first use, gone with the unit of work)."""
    with _STATES_LOCK:
        found = _STATES.get(uow)
        if found is None:
            found = _STATES[uow] = UowState()
        return found


def entity_schema(uow: UnitOfWork, entity: str) -> EntitySchema:
    """Every field of the entity, no field permissions (rules act for the company), read once
    per unit of work."""
    state = state_of(uow)
    found = state.schemas.get(entity)
    if found is None:
        found = state.schemas[entity] = system_schema(uow.session, entity)
    return found


_CUSTOM_TYPES = select(CustomField.key, CustomField.type).where(
    CustomField.entity == bindparam("entity"), CustomField.hidden.is_(False))


def condition_specs(uow: UnitOfWork, entity: str) -> dict[str, FieldSpec]:
    """Every field of the entity by name, with what conditions and values need of it (type,
    custom key) — built from one narrow query instead of the whole schema, which a save whose
    rules do not match never needs. A new dict each call (callers add to it)."""
    state = state_of(uow)
    found = state.specs.get(entity)
    if found is None:
        found = {f.name: f for f in BUILTIN_FIELDS[entity]}
        for key, type_ in uow.session.connection().execute(_CUSTOM_TYPES, {"entity": entity}):
            found[CUSTOM_PREFIX + key] = FieldSpec(entity=entity, name=CUSTOM_PREFIX + key, label="",
                                                   type=FieldType(type_), builtin=False, key=key)
        state.specs[entity] = found
    return dict(found)


@dataclass
class Context:
    """One record event being handled: the record, its service, and the change."""

    uow: UnitOfWork
    service: RecordService[Any]
    row: Any
    #: The rule events this record event fires (``engine.CHANGES``).
    kinds: tuple[str, ...]
    before: dict[str, Any]
    after: dict[str, Any]
    depth: int
    trace: Trace | None
    #: Every field by name, as conditions need them (type, custom key); see ``condition_specs``.
    specs: dict[str, FieldSpec]
    #: Values that are not the record's own (a new follow-up's, as ``followup.content``).
    extra: dict[str, Any] = field(default_factory=dict)
    #: The rule whose actions are running (actions that keep per-rule state read it).
    rule_id: int | None = None
    full_schema: EntitySchema | None = None

    @property
    def schema(self) -> EntitySchema:
        """The entity's complete schema, read when an action first needs it (a save whose rules
        do not match never does)."""
        if self.full_schema is None:
            self.full_schema = entity_schema(self.uow, self.service.module)
        return self.full_schema

    @cached_property
    def policy(self) -> FieldPolicy:
        return FieldPolicy(self.service.model, self.service.fields, self.service.required, self.schema)

    def values(self) -> dict[str, Any]:
        """Every field's current value by name (custom ones as ``cf_key``), plus id, owner and ``extra``."""
        row = self.row
        values = {f: getattr(row, f) for f in self.service.fields}
        stored = row.custom or {}
        values.update({name: stored.get(spec.key) for name, spec in self.specs.items()
                       if spec.key is not None and not name.startswith(FOLLOWUP_PREFIX)})
        return values | {"id": row.id, "owner_id": row.owner_id} | self.extra

    def actor_id(self) -> int | None:
        return self.uow.actor.user_id if self.uow.actor is not None else None


__all__ = ["Context", "Trace", "UowState", "condition_specs", "entity_schema", "state_of"]
