"""The demo company's approval flows (审批流), switched on: without them a contract or a payment
submitted in the demo was approved at once, and a sales representative approved their own
payment by submitting it.

- 合同审批 (contracts, on submission): the representative's sales manager (the direct superior);
  a contract of ``BIG_CONTRACT`` or more then goes to the leader the representative chooses when
  submitting (seed 004: 新建合同须选择审批人 — usually the regional director, the general
  manager for a strategic deal).
- 回款确认 (payments, on submission): finance (the role 财务) confirms the money arrived.

A node whose approver is missing (the general manager has no superior) goes to the approval
administrator, as the flows' setting says. Made through the ordinary services, so the flows are
exactly as valid as ones an administrator draws in Administration → Approval flows.

Thread rule: plain service code (like the rest of the demo); any thread.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crm_desktop.services.org import roles
from crm_desktop.services.workflow import approvals
from crm_desktop.services.workflow.approvals import FlowDTO, FlowInput

if TYPE_CHECKING:
    from crm_desktop.db import Database
    from crm_desktop.services.org.actor import Actor

#: Contracts from this amount (yuan) also need the regional director.
BIG_CONTRACT = "100000"
FINANCE_ROLE = "财务"


def _superior(name: str, levels: int) -> dict[str, Any]:
    return {"name": name, "mode": "orsign", "approver": {"kind": "superior", "levels": levels}}


def demo_flow_inputs(finance_role_id: int | None) -> tuple[FlowInput, ...]:
    """The flows (see the module docstring); without a finance role, payments go to the approval
    administrator."""
    manager = _superior("销售经理审批", 1)
    big = {"match": "all", "groups": [{"match": "all", "conditions": [
        {"field": "amount", "op": "gte", "value": BIG_CONTRACT}]}]}
    finance: dict[str, Any] = ({"name": "财务确认", "mode": "orsign",
                                "approver": {"kind": "role", "role_id": finance_role_id}}
                               if finance_role_id is not None else {**_superior("财务确认", 1)})
    return (
        FlowInput(name="合同审批", entity="contract", binding="create", branches=(
            {"name": "大额合同（10 万元及以上）", "condition": big,
             "nodes": [manager, {"name": "领导审批（提交人选择）", "mode": "orsign",
                                 "approver": {"kind": "submitter_picks"}}]},
            {"name": "其他合同", "condition": {}, "nodes": [manager]},
        )),
        FlowInput(name="回款确认", entity="payment", binding="create", branches=(
            {"name": "全部回款", "condition": {}, "nodes": [finance]},
        )),
    )


def install_demo_flows(db: Database, admin: Actor) -> list[FlowDTO]:
    """Create the demo's contract and payment approval flows, switched on; returns them."""
    finance = next((r.id for r in roles.list_roles(db, admin) if r.name == FINANCE_ROLE), None)
    return [approvals.create_flow(db, admin, data) for data in demo_flow_inputs(finance)]


__all__ = ["BIG_CONTRACT", "demo_flow_inputs", "install_demo_flows"]
