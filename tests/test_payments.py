"""Payment plans and payments (issue 5): approval, outstanding rule, received amounts, plan
status and reminders, scope. Every test runs on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from crm_desktop.automation.approvals import ApprovalPending
from crm_desktop.db import Database
from crm_desktop.services.customers import jobs
from crm_desktop.services.errors import NotFound, RuleViolation, ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.sales import contracts as ct
from crm_desktop.services.sales import payments as pay
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.payments import Overpayment, PlanInput, payments
from crm_desktop.services.workflow import approvals as appr
from crm_desktop.services.workflow.approvals import FlowInput
from tests.test_approvals import approver, only_task, titles
from tests.test_contracts import SALES, approved_contract, one_node
from tests.test_customers import make_user


@pytest.mark.shared_role("an approved payment re-derives its contract's received amount, a record its approver may not change")
def test_payments_plans_and_received_amounts(db: Database, admin: Actor) -> None:
    rep = make_user(db, admin, "13900000201", perms=SALES)
    other = make_user(db, admin, "13900000202", perms=SALES)
    finance = approver(db, admin, "13900000203")
    cid = approved_contract(db, rep, "莆田鞋业有限公司", amount="1000.10")

    # Plans: instalments unique per contract; status computed.
    today = dt.date.today()
    p1 = pay.add_plan(db, rep, cid, PlanInput(1, "300.05", today + dt.timedelta(days=3), "transfer", remind_days=5))
    p2 = pay.add_plan(db, rep, cid, PlanInput(2, "700.05", today + dt.timedelta(days=60), remind_days=5))
    with pytest.raises(ValidationError):
        pay.add_plan(db, rep, cid, PlanInput(1, "1", today))
    assert [p.status for p in pay.list_plans(db, rep, cid)] == ["pending", "pending"]
    assert pay.list_plans(db, rep, cid, today=today + dt.timedelta(days=4))[0].status == "overdue"
    with pytest.raises(NotFound):
        pay.list_plans(db, other, cid)

    # The job reminds the contract's owner once, N days before.
    assert jobs.run_jobs(db).plan_reminders == 1
    assert jobs.run_jobs(db).plan_reminders == 0
    assert any(t.startswith("Payment due") for t in titles(db, rep.user_id))

    # Payments go through their own flow.
    appr.create_flow(db, admin, FlowInput(name="回款审批", entity="payment", binding="create",
                                          branches=({"name": "", "condition": {}, "nodes": [one_node(finance.user_id)]},)))
    a = payments.create(db, rep, {"contract_id": cid, "plan_id": p1.id, "amount": "100.03", "paid_date": today.isoformat(),
                                  "method": "transfer"})
    assert a.values["number"].startswith("HK-") and a.values["approval_status"] == "draft"
    assert isinstance(a.values["amount"], Decimal)
    a = pay.submit(db, rep, a.id)
    assert a.values["approval_status"] == "pending"
    with pytest.raises(ApprovalPending):
        payments.update(db, rep, a.id, expected_version=a.version, changes={"remark": "x"})

    # Over the outstanding amount (counting approved and pending payments): refused, clearly.
    with pytest.raises(Overpayment) as err:
        payments.create(db, rep, {"contract_id": cid, "amount": "900.08", "paid_date": today.isoformat()})
    assert err.value.outstanding == Decimal("900.07") and "900.07" in str(err.value)
    with pytest.raises(ValidationError):
        payments.create(db, rep, {"contract_id": cid, "amount": "0", "paid_date": today.isoformat()})

    # Approved: received amounts re-derived, exactly, in Decimal.
    appr.decide(db, finance, only_task(db, finance), approve=True)
    c = contracts.get(db, rep, cid)
    assert c.values["received_amount"] == Decimal("100.03") and c.values["outstanding_amount"] == Decimal("900.07")
    assert [p.status for p in pay.list_plans(db, rep, cid)] == ["partly_received", "pending"]
    with pytest.raises(RuleViolation):
        payments.update(db, rep, a.id, expected_version=payments.get(db, rep, a.id).version, changes={"remark": "x"})

    # Rejected, edited (back to draft), resubmitted and approved: the rest of plan 1 and plan 2.
    b = payments.create(db, rep, {"contract_id": cid, "plan_id": p1.id, "amount": "200.01", "paid_date": today.isoformat()})
    pay.submit(db, rep, b.id)
    appr.decide(db, finance, only_task(db, finance), approve=False, comment="金额不对")
    b = payments.get(db, rep, b.id)
    assert b.values["approval_status"] == "rejected"
    b = payments.update(db, rep, b.id, expected_version=b.version, changes={"amount": "200.02"})
    assert b.values["approval_status"] == "draft"
    pay.submit(db, rep, b.id)
    appr.decide(db, finance, only_task(db, finance), approve=True)
    d = payments.create(db, rep, {"contract_id": cid, "plan_id": p2.id, "amount": "700.05", "paid_date": today.isoformat()})
    pay.submit(db, rep, d.id)
    appr.decide(db, finance, only_task(db, finance), approve=True)
    c = contracts.get(db, rep, cid)
    assert c.values["received_amount"] == Decimal("1000.10") and c.values["outstanding_amount"] == Decimal("0.00")
    assert [p.status for p in pay.list_plans(db, rep, cid)] == ["received", "received"]
    assert sum((p.received_amount for p in pay.list_plans(db, rep, cid)), Decimal("0")) == Decimal("1000.10")

    # Fully paid: another payment is refused unless the setting allows overpayment.
    with pytest.raises(Overpayment):
        payments.create(db, rep, {"contract_id": cid, "amount": "0.01", "paid_date": today.isoformat()})
    pay.set_allow_overpayment(db, admin, True)
    assert pay.get_allow_overpayment(db, rep)
    extra = payments.create(db, rep, {"contract_id": cid, "amount": "0.01", "paid_date": today.isoformat()})
    pay.set_allow_overpayment(db, admin, False)
    payments.delete(db, rep, extra.id)

    # Scope: the other salesperson sees no payment and cannot pay on the contract.
    assert payments.visible_ids(db, other) == set()
    with pytest.raises(NotFound):
        payments.create(db, other, {"contract_id": cid, "amount": "1", "paid_date": today.isoformat()})
    assert {p.id for p in pay.contract_payments(db, rep, cid)} == {a.id, b.id, d.id}

    # A payment needs an approved contract; a plan of that contract.
    cust_id = contracts.get(db, rep, cid).values["customer_id"]
    draft = contracts.create(db, rep, {"name": "草稿合同", "customer_id": cust_id})
    with pytest.raises(ValidationError):
        payments.create(db, rep, {"contract_id": draft.id, "amount": "1", "paid_date": today.isoformat()})
    other_cid = approved_contract(db, rep, "另一家客户")
    with pytest.raises(ValidationError):
        payments.create(db, rep, {"contract_id": other_cid, "plan_id": p1.id, "amount": "1",
                                  "paid_date": today.isoformat()})
    ct.void(db, admin, other_cid)
    with pytest.raises(ValidationError):
        payments.create(db, rep, {"contract_id": other_cid, "amount": "1", "paid_date": today.isoformat()})
