"""Which part of the automation package takes which event and command: the tables
``crm_desktop.bootstrap`` wires to the bus (Cosmic Python's ``EVENT_HANDLERS`` shape).

- ``EVENT_HANDLERS``: domain event class → in-transaction handlers, in the order they run.
  The rules engine runs on every event that can fire rules (``engine.CHANGES``); the
  approval engine starts requested approvals and withdraws those of a deleted record; a
  contract's completed approval may mark its opportunity won (``won_on_approval``: a service's
  own reaction to the event, so the approval engine never calls the opportunity service).
- ``COMMAND_HANDLERS``: command class → the one handler that answers it.
- ``on_rolled_back``: a unit of work rolled back by a failing rule logs the failure.

Each handler is marked with the part it belongs to (``RULES`` or ``APPROVALS``) so that the
composition root can build an app with a part switched off.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from crm_desktop.automation import approvals, engine
from crm_desktop.services.commands import DecideApproval, ResubmitApproval, TryRule
from crm_desktop.services.events import (
    ApprovalDecided,
    ApprovalRequested,
    DomainEvent,
    RecordDeleted,
    StatusChanged,
)
from crm_desktop.services.sales import won_on_approval
from crm_desktop.services.workflow.automation import TrialDTO

if TYPE_CHECKING:
    from crm_desktop.services.uow import UnitOfWork

RULES = "rules"
APPROVALS = "approvals"


def try_rule(command: TryRule, uow: UnitOfWork) -> TrialDTO:
    """What the rule would do on the record: it runs, the caller rolls the unit of work back."""
    trace, error = engine.try_rule(uow, command.rule_id, command.record_id)
    return TrialDTO(
        matched=any(f[0] == command.rule_id for f in trace.fired) or bool(error),
        fired=tuple((name, entity, rid) for _id, name, entity, rid in trace.fired),
        changes=tuple(trace.changes), messages=tuple(trace.messages), created=tuple(trace.created),
        skipped=tuple((name, reason) for _id, name, reason in trace.skipped), error=error,
    )


EventHandler = Callable[[Any, Any], None]

#: Domain event class → (part, handler), in the order the handlers run.
EVENT_HANDLERS: Mapping[type[DomainEvent], Sequence[tuple[str, EventHandler]]] = {
    **{cls: ((RULES, engine.on_event),) for cls in engine.CHANGES},
    ApprovalRequested: ((APPROVALS, approvals.on_requested),),
    RecordDeleted: ((APPROVALS, approvals.on_deleted),),
    # After the contract's own rules: the opportunity is won once the approval's effects are in.
    **{cls: ((RULES, engine.on_event), (APPROVALS, won_on_approval.on_contract_approved))
       for cls in (ApprovalDecided, StatusChanged)},
}

#: Command class → (part, its one handler).
COMMAND_HANDLERS: Mapping[type, tuple[str, Callable[[Any, Any], Any]]] = {
    DecideApproval: (APPROVALS, approvals.on_decide),
    ResubmitApproval: (APPROVALS, approvals.on_resubmit),
    TryRule: (RULES, try_rule),
}

on_rolled_back = engine.on_rolled_back

__all__ = ["APPROVALS", "COMMAND_HANDLERS", "EVENT_HANDLERS", "RULES", "on_rolled_back", "try_rule"]
