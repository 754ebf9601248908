"""The company setting "mark the opportunity won when its contract is approved" and what it does.

Promises (thread rule: any thread; the handler runs in the unit of work of the event):

- ``get_win_on_approval`` (any signed-in user) / ``set_win_on_approval`` ("setting"/"manage"):
  a company-wide switch stored in ``settings`` under ``WIN_ON_APPROVAL_KEY``; off by default.
- ``on_contract_approved``: subscribed (by ``crm_desktop.bootstrap``, through the automation
  package's event table) to the contract's approval-completed event — ApprovalDecided of its
  "create" flow, or, for a contract approved at once because no flow is on, the StatusChanged
  of ``approval_status`` to "approved". While the switch is on, the contract's opportunity (if
  any, live and still open) is closed as won in the same transaction, like the Won button does
  (``opportunities.win_row``: stage history with the contract's number, audit, StatusChanged
  and the opportunity's status_changed rules). The approval engine knows nothing of it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from crm_desktop.models import ApprovalInstance, Contract, Opportunity, Setting
from crm_desktop.services.events import ApprovalDecided, DomainEvent, StatusChanged
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.sales.opportunities import win_row
from crm_desktop.services.uow import UnitOfWork, read_only, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

WIN_ON_APPROVAL_KEY = "win_opportunity_on_contract_approval"


def _enabled(session: Session) -> bool:
    row = session.get(Setting, WIN_ON_APPROVAL_KEY)
    return bool(row is not None and row.value is True)


def get_win_on_approval(db: Database, actor: Actor) -> bool:
    """Whether an approved contract marks its opportunity won (default: no)."""
    with read_only(db, actor) as uow:
        return _enabled(uow.session)


def set_win_on_approval(db: Database, actor: Actor, enabled: bool) -> None:
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        row = uow.session.get(Setting, WIN_ON_APPROVAL_KEY)
        if row is None:
            uow.session.add(Setting(key=WIN_ON_APPROVAL_KEY, value=bool(enabled)))
        else:
            row.value = bool(enabled)


def _contract_approved(event: DomainEvent, uow: UnitOfWork) -> bool:
    """Whether ``event`` is a contract's approval completing with "approved"."""
    if event.entity != "contract":
        return False
    if isinstance(event, ApprovalDecided):
        if not event.approved:
            return False
        inst = uow.session.get(ApprovalInstance, event.instance_id) if event.instance_id else None
        # A flow on the execution status approves a move, not the contract.
        return inst is None or (inst.target or {}).get("kind") == "create"
    if isinstance(event, StatusChanged):  # approved at once: no flow was on
        return event.field_name == "approval_status" and event.new == "approved" and event.old != "approved"
    return False


def on_contract_approved(event: DomainEvent, uow: UnitOfWork) -> None:
    """The in-transaction handler (see the module doc)."""
    if not _contract_approved(event, uow) or uow.actor is None or not _enabled(uow.session):
        return
    contract = uow.session.get(Contract, event.record_id)
    if contract is None or contract.opportunity_id is None:
        return
    opportunity = uow.session.get(Opportunity, contract.opportunity_id)
    if opportunity is None or opportunity.deleted_at is not None or opportunity.status != "open":
        return
    win_row(uow, opportunity, note=f"{contract.number} {contract.name}".strip())


__all__ = ["WIN_ON_APPROVAL_KEY", "get_win_on_approval", "on_contract_approved", "set_win_on_approval"]
