"""Rule actions. Each takes the engine's context and one action object, does its work in the
save's transaction through the same validation and audit path as a user's save, and returns a
short description for the run log.

Action objects (JSON):

- ``{"type": "set_field", "field": "level", "value": "A"}`` or ``{..., "from_field": "name"}``
- ``{"type": "message", "to": "owner"|"superior"|"team"|"users"|"role", "user_ids": [..], "role_id": n,
  "title": "…", "body": "…"}``; ``{field}`` in title/body is replaced by the record's value
  (``{followup.content}`` too, for followup_added rules; ``{customer.name}``, ``{opportunity.name}``:
  the related record's, ``RELATED_TARGETS``). "team" is the record's team members.
- ``{"type": "assign_owner", "user_id": n}`` or ``{"type": "assign_owner", "round_robin": [ids]}``:
  round robin gives each record to the next enabled user of the list after the one this rule
  assigned last (``AutomationRule.round_robin_last_id``, read under the rule's row lock and
  written in the save's transaction: two saves at once get two different users, and a save
  that fails does not move the pointer).
- ``{"type": "add_team", "user_ids": [..], "access": "read"|"write"}``
- ``{"type": "create_record", "entity": "contact", "mapping": {target: {"field": src} | {"value": v}}}``
  (supported targets: contact, customer, lead, contract, opportunity; the new record's owner is the
  source's owner; a contract made from an opportunity is a draft with the opportunity's product
  lines; an opportunity needs ``customer_id``, e.g. ``{"customer_id": {"field": "id"}}`` on a customer).
  Needs a user: refused in rules run by a scheduled job (date_reached).
- ``{"type": "create_task", "title": "Call {name}", "description": "…", "priority": "high",
  "due_in_days": n, "to": "owner"|"superior"|"users", "user_ids": [..]}``: a task about the record
  (issue 16) for the first recipient (default: the record's owner), due n local days from now
  (none: in their inbox), created by the acting user (a job: the owner).
- ``{"type": "start_approval", "flow_id": n}``: submits the record to an approval flow
  (``crm_desktop.automation.approvals.start``) with the record's owner as submitter.

set_field and message may act on a related record instead (``"on": "customer"`` or
``"opportunity"``, ``rule_format.RELATED_TARGETS``): the field is the related record's and
checked by its service; the recipients (owner, superior, team) are the related record's; the
value copied, the placeholders and the rule's condition stay the rule's record's. The write
is the same audited path, recorded as the related record's RecordUpdated, so its own rules run
one level deeper. A record without that related record (a contract without an opportunity, a
follow-up on a lead, a customer in the recycle bin) skips the action: the run log says so.

Actions never run rules themselves: what they write is recorded as domain events while the
unit of work's ``depth`` is one more than the running rule's, and the engine, subscribed to
those events, runs the rules they fire one level deeper.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update

from crm_desktop.automation import approvals
from crm_desktop.automation.context import Context, condition_specs
from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import (
    AutomationRule,
    FollowUp,
    Message,
    TeamMember,
    User,
    user_roles,
)
from crm_desktop.services.activities.common import RELATED_MODELS
from crm_desktop.services.activities.tasks import TaskInput, insert_task
from crm_desktop.services.customers.contacts import add_contact
from crm_desktop.services.customers.customers import insert_record
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.events import OwnerChanged, RecordUpdated
from crm_desktop.services.records import audit
from crm_desktop.services.records.registry import record_service
from crm_desktop.services.sales.contracts import (
    contract_from_opportunity,
    insert_contract,
)
from crm_desktop.services.sales.opportunities import insert_opportunity
from crm_desktop.services.workflow.approval_state import flow_switched_off
from crm_desktop.services.workflow.rule_format import (
    ACTIONS,
    CREATE_TARGETS,
    RECIPIENTS,
    RELATED_ACTIONS,
    RELATED_TARGETS,
)

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\}")


def run(ctx: Context, action: Mapping[str, Any]) -> str:
    kind = action.get("type")
    handler = _HANDLERS.get(str(kind))
    if handler is None:
        raise ValidationError({"type": QT_TRANSLATE_NOOP("errors", "Unknown action.")})
    return handler(ctx, action)


# --- the related record -------------------------------------------------------------------

def related(ctx: Context, action: Mapping[str, Any]) -> Context | None:
    """What the action acts on: ``ctx`` itself (no ``"on"``), or the record's related record
    (``RELATED_TARGETS``) as a context of its own — None when the record has none."""
    on = action.get("on")
    if on in (None, "", "record"):
        return ctx
    if on not in RELATED_TARGETS.get(ctx.service.module, ()) or action.get("type") not in RELATED_ACTIONS:
        raise ValidationError({"on": QT_TRANSLATE_NOOP("errors", "This record has no such related record.")})
    related_id = _related_id(ctx, str(on))
    if related_id is None:
        return None
    service = record_service(str(on))
    row = ctx.uow.session.get(service.model, related_id)
    if row is None or row.deleted_at is not None:
        return None
    return Context(ctx.uow, service, row, ctx.kinds, {}, {}, ctx.depth, ctx.trace, condition_specs(ctx.uow, service.module),
                   rule_id=ctx.rule_id)


def _related_id(ctx: Context, on: str) -> int | None:
    row = ctx.row
    if isinstance(row, FollowUp):  # a follow-up's customer is its target's (none for a lead)
        if row.target_entity == on:
            return row.target_id
        if row.target_entity not in RELATED_TARGETS or on not in RELATED_TARGETS[row.target_entity]:
            return None
        target = ctx.uow.session.get(record_service(row.target_entity).model, row.target_id)
        return getattr(target, f"{on}_id", None) if target is not None else None
    return getattr(row, f"{on}_id", None)


def related_values(ctx: Context, text: str) -> dict[str, Any]:
    """The values of the related records ``text`` names as ``{customer.name}`` (read only then:
    a message that names none costs nothing); a missing related record's are empty."""
    out: dict[str, Any] = {}
    for on in RELATED_TARGETS.get(ctx.service.module, ()):
        if "{" + on + "." not in text:
            continue
        target = related(ctx, {"type": "message", "on": on})
        if target is not None:
            out |= {f"{on}.{name}": value for name, value in target.values().items()}
    return out


def _no_related(action: Mapping[str, Any]) -> str:
    """The run log's words for an action skipped because the related record does not exist."""
    return f"{action.get('type')} skipped: no {action.get('on')}"


# --- set a field ------------------------------------------------------------------------

def _set_field(ctx: Context, action: Mapping[str, Any]) -> str:
    name = str(action.get("field") or "")
    target = related(ctx, action)
    if target is None:
        return _no_related(action)
    # The value copied is the rule's record's, whichever record is written.
    value = ctx.values().get(str(action["from_field"])) if action.get("from_field") else action.get("value")
    if target is not ctx:
        # Locked and read again, not compared with a version this save read earlier: the rule's
        # write commutes with someone else's edit of the customer (theirs then sees ours).
        ctx.uow.session.refresh(target.row, with_for_update=True)
    done = _write_field(target, name, value)
    return done if target is ctx else f"{target.service.module} {target.row.id}: {done}"


def _write_field(ctx: Context, name: str, value: Any) -> str:
    """Set ``name`` of ``ctx``'s record through its service's validation, audit and events."""
    session, row = ctx.uow.session, ctx.row
    # The service's own validation (types, options, required, unique, system fields refused).
    builtin, custom = ctx.service.prepare_values(session, ctx.policy, {name: value}, partial=True, record_id=row.id)
    names = ctx.policy.names_by_key()
    wanted = builtin | {names[k]: v for k, v in custom.items()}
    current = ctx.policy.current(row)
    diff = {f: (current[f], v) for f, v in wanted.items() if audit.jsonable(current[f]) != audit.jsonable(v)}
    if not diff:
        return f"{name} unchanged"
    for f in builtin:
        setattr(row, f, builtin[f])
    if custom:
        row.custom = {**(row.custom or {}), **custom}  # a new dict: JSON change tracking
    session.flush()
    audit.write_audit(session, entity=ctx.service.module, record_id=row.id, action="update",
                      actor_id=ctx.actor_id(), changes=diff, version=row.version)
    before = {k: audit.jsonable(o) for k, (o, _n) in diff.items()}
    after = {k: audit.jsonable(n) for k, (_o, n) in diff.items()}
    if ctx.trace is not None:
        ctx.trace.changes.extend((ctx.service.module, row.id, k, before[k], after[k]) for k in diff)
    ctx.uow.add_event(RecordUpdated(ctx.service.module, row.id, ctx.actor_id(), before=before, after=after))
    return f"set {name}"


# --- messages ---------------------------------------------------------------------------

def fill(text: str, values: Mapping[str, Any]) -> str:
    """``{field}`` replaced by the value (empty when unknown); other braces kept as typed."""
    def one(m: re.Match[str]) -> str:
        value = values.get(m.group(1))
        return "" if value is None else str(audit.jsonable(value))
    return _PLACEHOLDER.sub(one, text)


def recipients(ctx: Context, action: Mapping[str, Any]) -> list[int]:
    session, to = ctx.uow.session, action.get("to")
    if to == "owner":
        ids = [ctx.row.owner_id]
    elif to == "superior":
        ids = [session.scalar(select(User.superior_id).where(User.id == ctx.row.owner_id))]
    elif to == "team":
        ids = list(session.scalars(select(TeamMember.user_id).where(
            TeamMember.entity == ctx.service.module, TeamMember.record_id == ctx.row.id).order_by(TeamMember.user_id)))
    elif to == "users":
        ids = [int(u) for u in action.get("user_ids") or ()]
    elif to == "role":
        ids = list(session.scalars(select(user_roles.c.user_id).where(user_roles.c.role_id == int(action["role_id"]))))
    else:
        raise ValidationError({"to": QT_TRANSLATE_NOOP("errors", "Choose who receives the message.")})
    wanted = [i for i in dict.fromkeys(ids) if i is not None]
    if not wanted:
        return []
    enabled = set(session.scalars(select(User.id).where(User.id.in_(wanted), User.enabled.is_(True))))
    return [i for i in wanted if i in enabled]


def _message(ctx: Context, action: Mapping[str, Any]) -> str:
    target = related(ctx, action)
    if target is None:
        return _no_related(action)
    # The placeholders are the rule's record's, and its related records' as {customer.name}.
    title, body = str(action.get("title") or ""), str(action.get("body") or "")
    values = ctx.values() | related_values(ctx, title + body)
    title, body = fill(title, values)[:200], fill(body, values)
    # Owner, superior and team are the related record's; the message opens it (its owner may
    # not see the rule's record).
    to = recipients(target, action)
    for user_id in to:
        ctx.uow.session.add(Message(recipient_id=user_id, title=title, body=body, entity=target.service.module,
                                    record_id=target.row.id, read=False))
        if ctx.trace is not None:
            ctx.trace.messages.append((user_id, title, body))
    ctx.uow.session.flush()
    return f"message to {len(to)} user(s)"


# --- owner and team ---------------------------------------------------------------------

def _assign_owner(ctx: Context, action: Mapping[str, Any]) -> str:
    row, session = ctx.row, ctx.uow.session
    if action.get("round_robin") is not None:
        new = _next_in_turn(ctx, [int(u) for u in action["round_robin"]])
    else:
        new = int(action["user_id"])
    ctx.service.check_owner(session, new)
    old = row.owner_id
    if old == new:
        return "owner unchanged"
    row.owner_id = new
    session.flush()
    audit.write_audit(session, entity=ctx.service.module, record_id=row.id, action="owner_change",
                      actor_id=ctx.actor_id(), changes={"owner_id": (old, new)}, version=row.version)
    if ctx.trace is not None:
        ctx.trace.changes.append((ctx.service.module, row.id, "owner_id", old, new))
    ctx.uow.add_event(OwnerChanged(ctx.service.module, row.id, ctx.actor_id(), old_owner_id=old, new_owner_id=new))
    return f"owner {new}"


def _next_in_turn(ctx: Context, user_ids: list[int]) -> int:
    """The enabled user after the one this rule assigned last (the first one the first time),
    and remember them. The rule's row is locked until the save commits, so concurrent saves
    take turns (SQLite: the save already holds the database's write lock)."""
    session = ctx.uow.session
    rule_id = ctx.rule_id
    enabled = set(session.scalars(select(User.id).where(User.id.in_(user_ids), User.enabled.is_(True))))
    turn = [u for u in dict.fromkeys(user_ids) if u in enabled]
    if not turn:
        raise ValidationError({"round_robin": QT_TRANSLATE_NOOP("errors", "Choose an enabled user as owner.")})
    if rule_id is None:  # a rule that is not stored (never the case outside tests): the first one
        return turn[0]
    last = session.scalar(select(AutomationRule.round_robin_last_id).where(AutomationRule.id == rule_id)
                          .with_for_update())
    order = list(dict.fromkeys(user_ids))
    if last in order:  # the user after the last one in the list's order, skipping disabled users
        position = order.index(last)
        after = order[position + 1:] + order[:position + 1]
        new = next(u for u in after if u in enabled)
    else:
        new = turn[0]
    session.execute(update(AutomationRule).where(AutomationRule.id == rule_id).values(round_robin_last_id=new)
                    .execution_options(synchronize_session=False))
    return new


def _add_team(ctx: Context, action: Mapping[str, Any]) -> str:
    access = str(action.get("access") or "read")
    if access not in ("read", "write"):
        raise ValidationError({"access": QT_TRANSLATE_NOOP("errors", "Choose read or read-write.")})
    row, session, module = ctx.row, ctx.uow.session, ctx.service.module
    added = 0
    for user_id in dict.fromkeys(int(u) for u in action.get("user_ids") or ()):
        if user_id == row.owner_id:
            continue
        member = session.get(TeamMember, (module, row.id, user_id))
        old = member.access if member else None
        if old == access:
            continue
        ctx.service.check_owner(session, user_id)  # an enabled user
        if member is None:
            session.add(TeamMember(entity=module, record_id=row.id, user_id=user_id, access=access))
        else:
            member.access = access
        audit.write_audit(session, entity=module, record_id=row.id, action="team", actor_id=ctx.actor_id(),
                          changes={f"team:{user_id}": (old, access)}, version=row.version)
        if ctx.trace is not None:
            ctx.trace.changes.append((module, row.id, f"team:{user_id}", old, access))
        added += 1
    session.flush()
    return f"team +{added}"


# --- related record ---------------------------------------------------------------------

def _create_record(ctx: Context, action: Mapping[str, Any]) -> str:
    target = str(action.get("entity") or "")
    if ctx.uow.actor is None:
        raise ValidationError({"entity": QT_TRANSLATE_NOOP(
            "errors", "Creating a record needs a signed-in user: it cannot run in a scheduled job.")})
    if target not in CREATE_TARGETS:
        raise ValidationError({"entity": QT_TRANSLATE_NOOP("errors", "This record cannot be created by a rule.")})
    values = ctx.values()
    mapped: dict[str, Any] = {}
    for dst, src in (action.get("mapping") or {}).items():
        if isinstance(src, Mapping) and "field" in src:
            mapped[str(dst)] = values.get(str(src["field"]))
        elif isinstance(src, Mapping):
            mapped[str(dst)] = src.get("value")
        else:
            mapped[str(dst)] = values.get(str(src))
    owner = ctx.row.owner_id
    if owner is None:
        raise ValidationError({"owner_id": QT_TRANSLATE_NOOP("errors", "Choose an enabled user as owner.")})
    service = record_service(target)
    if target in ("contact", "opportunity") and mapped.get("customer_id") in (None, ""):
        raise ValidationError({"customer_id": QT_TRANSLATE_NOOP("errors", "Required.")})
    # Held until it is in the trace, so that a trial lists it before what its own rules make.
    with ctx.uow.holding_events():
        if target == "contact":  # keeps the one-primary-contact rule of the customer
            new = add_contact(ctx.uow, mapped, owner_id=owner)
        elif target == "contract":  # a draft contract of the opportunity, with its product lines
            new = _contract_for(ctx, mapped, owner)
        elif target == "opportunity":  # the owner's stage group and first stage, like one entered by hand
            new = insert_opportunity(ctx.uow, mapped, owner_id=owner)
        else:
            new = insert_record(ctx.uow, service, mapped, owner_id=owner)
        if ctx.trace is not None:
            ctx.trace.created.append((target, new.id))
    # (The new record's "created" rules have run now, one level deeper.)
    return f"created {target} {new.id}"


def _contract_for(ctx: Context, mapped: Mapping[str, Any], owner: int) -> Any:
    """From an opportunity: its draft contract with its name, customer and lines (the mapping
    is not needed); from another record: a draft contract of the mapped values, without lines."""
    if ctx.service.module != "opportunity":
        return insert_contract(ctx.uow, mapped, owner_id=owner)
    return contract_from_opportunity(ctx.uow, ctx.row, owner_id=owner)


# --- a task ------------------------------------------------------------------------------

def _create_task(ctx: Context, action: Mapping[str, Any]) -> str:
    values = ctx.values()
    owner = (recipients(ctx, {"to": "owner", **action}) or [None])[0]
    if owner is None:
        raise ValidationError({"owner_id": QT_TRANSLATE_NOOP("errors", "Choose an enabled user as owner.")})
    days = action.get("due_in_days")
    due = dt.date.today() + dt.timedelta(days=int(days)) if days not in (None, "") else None
    related = ((ctx.service.module, ctx.row.id),) if ctx.service.module in RELATED_MODELS else ()
    data = TaskInput(title=fill(str(action.get("title") or ""), values)[:200],
                     description=fill(str(action.get("description") or ""), values),
                     priority=str(action.get("priority") or "none"), due_date=due, related=related)
    task = insert_task(ctx.uow, data, owner_id=owner, creator_id=ctx.actor_id() or owner, check_scope=False)
    if ctx.trace is not None:
        ctx.trace.created.append(("task", task.id))
    return f"created task {task.id}"


# --- approval -----------------------------------------------------------------------------

def _start_approval(ctx: Context, action: Mapping[str, Any]) -> str:
    flow_id = int(action["flow_id"])
    if flow_switched_off(ctx.uow, flow_id):
        return f"approval flow {flow_id} is switched off: not started"  # switched off = lets things through
    approvals.start(ctx.uow, ctx.service, ctx.row, flow_id=flow_id, submitter_id=ctx.row.owner_id)
    return f"approval flow {flow_id} started"


_HANDLERS = {
    "set_field": _set_field, "message": _message, "assign_owner": _assign_owner, "add_team": _add_team,
    "create_record": _create_record, "start_approval": _start_approval, "create_task": _create_task,
}

__all__ = ["ACTIONS", "CREATE_TARGETS", "RECIPIENTS", "RELATED_TARGETS", "fill", "recipients", "related", "related_values",
           "run"]
