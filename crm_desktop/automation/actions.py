"""Rule actions. Each takes the engine's context and one action object, does its work in the
save's transaction through the same validation and audit path as a user's save, and returns a
short description for the run log.

Action objects (JSON):

- ``{"type": "set_field", "field": "level", "value": "A"}`` or ``{..., "from_field": "name"}``
- ``{"type": "message", "to": "owner"|"superior"|"team"|"users"|"role", "user_ids": [..], "role_id": n,
  "title": "…", "body": "…"}``; ``{field}`` in title/body is replaced by the record's value
  (``{followup.content}`` too, for followup_added rules). "team" is the record's team members.
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
- ``{"type": "start_approval", "flow_id": n}``: submits the record to an approval flow
  (``crm_desktop.automation.approvals.start``) with the record's owner as submitter.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update

from crm_desktop.automation import engine
from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import AutomationRule, Message, TeamMember, User, user_roles
from crm_desktop.services import audit
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.events import OwnerChanged, RecordUpdated

ACTIONS = ("set_field", "message", "assign_owner", "add_team", "create_record", "start_approval")
CREATE_TARGETS = ("contact", "customer", "lead", "contract", "opportunity")
RECIPIENTS = ("owner", "superior", "team", "users", "role")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\}")


def service_for(entity: str) -> Any:
    """The RecordService of an entity (imported late: the services import this package's caller)."""
    from crm_desktop.services.contacts import contacts
    from crm_desktop.services.customers import customers
    from crm_desktop.services.followups import followups
    from crm_desktop.services.leads import leads

    services: dict[str, Any] = {"customer": customers, "lead": leads, "contact": contacts, "followup": followups}
    # --- sales chain: contracts and payments ---
    from crm_desktop.services.contracts import contracts
    from crm_desktop.services.payments import payments

    services |= {"contract": contracts, "payment": payments}
    # --- sales chain: products and opportunities ---
    from crm_desktop.services.opportunities import opportunities
    from crm_desktop.services.products import products

    services |= {"product": products, "opportunity": opportunities}
    if entity not in services:
        raise ValidationError({"entity": QT_TRANSLATE_NOOP("errors", "Unknown field.")})
    return services[entity]


def run(ctx: engine.Context, action: Mapping[str, Any]) -> str:
    kind = action.get("type")
    handler = _HANDLERS.get(str(kind))
    if handler is None:
        raise ValidationError({"type": QT_TRANSLATE_NOOP("errors", "Unknown action.")})
    return handler(ctx, action)


# --- set a field ------------------------------------------------------------------------

def _set_field(ctx: engine.Context, action: Mapping[str, Any]) -> str:
    name = str(action.get("field") or "")
    values = ctx.values()
    value = values.get(str(action["from_field"])) if action.get("from_field") else action.get("value")
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
                      actor_id=_actor_id(ctx), changes=diff, version=row.version)
    before = {k: audit.jsonable(o) for k, (o, _n) in diff.items()}
    after = {k: audit.jsonable(n) for k, (_o, n) in diff.items()}
    ctx.uow.add_event(RecordUpdated(ctx.service.module, row.id, _actor_id(ctx), before=before, after=after))
    if ctx.trace is not None:
        ctx.trace.changes.extend((ctx.service.module, row.id, k, before[k], after[k]) for k in diff)
    engine.fire(ctx.uow, ctx.service, row, event="edited", before=before, after=after, depth=ctx.depth + 1,
                trace=ctx.trace)
    return f"set {name}"


# --- messages ---------------------------------------------------------------------------

def fill(text: str, values: Mapping[str, Any]) -> str:
    """``{field}`` replaced by the value (empty when unknown); other braces kept as typed."""
    def one(m: re.Match[str]) -> str:
        value = values.get(m.group(1))
        return "" if value is None else str(audit.jsonable(value))
    return _PLACEHOLDER.sub(one, text)


def recipients(ctx: engine.Context, action: Mapping[str, Any]) -> list[int]:
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


def _message(ctx: engine.Context, action: Mapping[str, Any]) -> str:
    values = ctx.values()
    title = fill(str(action.get("title") or ""), values)[:200]
    body = fill(str(action.get("body") or ""), values)
    to = recipients(ctx, action)
    for user_id in to:
        ctx.uow.session.add(Message(recipient_id=user_id, title=title, body=body, entity=ctx.service.module,
                                    record_id=ctx.row.id, read=False))
        if ctx.trace is not None:
            ctx.trace.messages.append((user_id, title, body))
    ctx.uow.session.flush()
    return f"message to {len(to)} user(s)"


# --- owner and team ---------------------------------------------------------------------

def _assign_owner(ctx: engine.Context, action: Mapping[str, Any]) -> str:
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
                      actor_id=_actor_id(ctx), changes={"owner_id": (old, new)}, version=row.version)
    ctx.uow.add_event(OwnerChanged(ctx.service.module, row.id, _actor_id(ctx), old_owner_id=old, new_owner_id=new))
    if ctx.trace is not None:
        ctx.trace.changes.append((ctx.service.module, row.id, "owner_id", old, new))
    engine.fire(ctx.uow, ctx.service, row, event="owner_changed", before={"owner_id": old}, after={"owner_id": new},
                depth=ctx.depth + 1, trace=ctx.trace)
    return f"owner {new}"


def _next_in_turn(ctx: engine.Context, user_ids: list[int]) -> int:
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


def _add_team(ctx: engine.Context, action: Mapping[str, Any]) -> str:
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
        audit.write_audit(session, entity=module, record_id=row.id, action="team", actor_id=_actor_id(ctx),
                          changes={f"team:{user_id}": (old, access)}, version=row.version)
        if ctx.trace is not None:
            ctx.trace.changes.append((module, row.id, f"team:{user_id}", old, access))
        added += 1
    session.flush()
    return f"team +{added}"


# --- related record ---------------------------------------------------------------------

def _create_record(ctx: engine.Context, action: Mapping[str, Any]) -> str:
    from crm_desktop.services.contacts import add_contact
    from crm_desktop.services.customers import insert_record

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
    service = service_for(target)
    if target in ("contact", "opportunity") and mapped.get("customer_id") in (None, ""):
        raise ValidationError({"customer_id": QT_TRANSLATE_NOOP("errors", "Required.")})
    if target == "contact":  # keeps the one-primary-contact rule of the customer
        new = add_contact(ctx.uow, mapped, owner_id=owner)
    elif target == "contract":  # a draft contract of the opportunity, with its product lines
        new = _contract_for(ctx, mapped, owner)
    elif target == "opportunity":  # the owner's stage group and first stage, like one entered by hand
        from crm_desktop.services.opportunities import insert_opportunity

        new = insert_opportunity(ctx.uow, mapped, owner_id=owner)
    else:
        new = insert_record(ctx.uow, service, mapped, owner_id=owner)
    if ctx.trace is not None:
        ctx.trace.created.append((target, new.id))
    engine.fire(ctx.uow, service, new, event="created", depth=ctx.depth + 1, trace=ctx.trace)
    return f"created {target} {new.id}"


def _contract_for(ctx: engine.Context, mapped: Mapping[str, Any], owner: int) -> Any:
    """From an opportunity: its draft contract with its name, customer and lines (the mapping
    is not needed); from another record: a draft contract of the mapped values, without lines."""
    from crm_desktop.services.contracts import contract_from_opportunity, insert_contract

    if ctx.service.module != "opportunity":
        return insert_contract(ctx.uow, mapped, owner_id=owner)
    return contract_from_opportunity(ctx.uow, ctx.row, owner_id=owner)


# --- approval -----------------------------------------------------------------------------

def _start_approval(ctx: engine.Context, action: Mapping[str, Any]) -> str:
    # Imported here: the approval engine builds on the record services, which import this package.
    from crm_desktop.automation import approvals

    flow_id = int(action["flow_id"])
    if approvals.flow_switched_off(ctx.uow, flow_id):
        return f"approval flow {flow_id} is switched off: not started"  # switched off = lets things through
    approvals.start(ctx.uow, ctx.service, ctx.row, flow_id=flow_id, submitter_id=ctx.row.owner_id)
    return f"approval flow {flow_id} started"


def _actor_id(ctx: engine.Context) -> int | None:
    return ctx.uow.actor.user_id if ctx.uow.actor is not None else None


_HANDLERS = {
    "set_field": _set_field, "message": _message, "assign_owner": _assign_owner, "add_team": _add_team,
    "create_record": _create_record, "start_approval": _start_approval,
}

__all__ = ["ACTIONS", "CREATE_TARGETS", "RECIPIENTS", "fill", "recipients", "run", "service_for"]
