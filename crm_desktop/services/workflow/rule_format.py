"""What a stored trigger rule may say: its event kinds, the status fields, its action kinds and
recipients, and the fields its condition may test.

The rules are stored data (``AutomationRule``): the services check them before storing
(``services.automation``) and the automation engine runs them; both read this module, so the
stored form is defined once, below both.

Event kinds (``EVENTS``; when each fires is the engine's promise, see
``crm_desktop.automation.engine``): created · edited · field_changed · owner_changed ·
status_changed · followup_added · pool_put · pool_claimed · approval_approved ·
approval_rejected · date_reached · task_created · task_completed · task_overdue (a task about
the record; issue 16).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from crm_desktop.services.records.schema import (
    CUSTOM_PREFIX,
    EntitySchema,
    FieldSpec,
    load_fields,
    system_schema,
    with_derived,
)

EVENTS = (
    "created", "edited", "field_changed", "owner_changed", "status_changed", "followup_added", "pool_put",
    "pool_claimed", "approval_approved", "approval_rejected", "date_reached",
    "task_created", "task_completed", "task_overdue",
)
#: Rule events that name a field (``AutomationRule.field``) and may give from / to values.
FIELD_EVENTS = ("field_changed", "status_changed")
#: The status fields of each entity (what a status_changed rule may watch).
STATUS_FIELDS: dict[str, tuple[str, ...]] = {"customer": ("deal_status",), "lead": ("status",),
                                             "contract": ("execution_status",),
                                             # a stage move fires status_changed on "stage_id" too
                                             # (field_changed rules on "stage_id" see it)
                                             "opportunity": ("status",)}
#: Prefix of a follow-up's fields in the values a followup_added rule sees.
FOLLOWUP_PREFIX = "followup."

ACTIONS = ("set_field", "message", "assign_owner", "add_team", "create_record", "start_approval", "create_task")
CREATE_TARGETS = ("contact", "customer", "lead", "contract", "opportunity")
RECIPIENTS = ("owner", "superior", "team", "users", "role")
#: Records related to a rule's record that an action may act on instead of it (the action's
#: ``"on"``; absent or "record": the record itself), per entity: a contact's, opportunity's,
#: contract's, payment's or follow-up's customer (a follow-up's is its target's), a contract's
#: opportunity. Seed 001: "adding a contract or a follow-up updates the related customer".
RELATED_TARGETS: dict[str, tuple[str, ...]] = {
    "contact": ("customer",), "opportunity": ("customer",), "contract": ("customer", "opportunity"),
    "payment": ("customer",), "followup": ("customer",),
}
#: The action kinds that may name a related record (``"on"``).
RELATED_ACTIONS = ("set_field", "message")


def followup_fields(session: Session) -> tuple[FieldSpec, ...]:
    """A follow-up's fields named as a followup_added rule sees them (``followup.content``, …)."""
    return tuple(replace(f, name=FOLLOWUP_PREFIX + f.name) for f in load_fields(session, "followup"))


def followup_values(row: Any) -> dict[str, Any]:
    """A follow-up's values under ``FOLLOWUP_PREFIX`` (what a followup_added rule sees besides
    its record's own values)."""
    names = ("id", "kind", "content", "followed_at", "next_contact_at", "owner_id", "created_at")
    values = {FOLLOWUP_PREFIX + n: getattr(row, n) for n in names}
    values.update({FOLLOWUP_PREFIX + CUSTOM_PREFIX + k: v for k, v in (row.custom or {}).items()})
    return values


def condition_schema(session: Session, entity: str, event: str) -> EntitySchema:
    """The fields a rule of ``event`` on ``entity`` may test (the entity's and its derived
    ones, plus the follow-up's)."""
    schema = with_derived(system_schema(session, entity))
    if event == "followup_added":
        schema = EntitySchema(entity=entity, fields=schema.fields + followup_fields(session), access={})
    return schema


__all__ = ["ACTIONS", "CREATE_TARGETS", "EVENTS", "FIELD_EVENTS", "FOLLOWUP_PREFIX", "RECIPIENTS", "RELATED_ACTIONS",
           "RELATED_TARGETS", "STATUS_FIELDS",
           "condition_schema", "followup_fields", "followup_values"]
