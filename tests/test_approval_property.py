"""Property test of the approval engine against a reference model (issue 4, acceptance 3).

Hypothesis draws flows (1–3 nodes, each sequential / countersign / or-sign over 1–4 of four
approvers) and decision orders (who decides next among those the engine says may, and
whether they approve). After every decision the approvers with an open task must be exactly
the reference model's, and the instance's final status must be the model's.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.workflow import approvals as appr
from crm_desktop.services.workflow.approvals import FlowInput
from tests.test_approvals import approver

MODES = ("sequential", "countersign", "orsign")


@dataclass
class Model:
    """The reference: which approvers may act now, and the outcome."""

    nodes: list[tuple[str, list[int]]]
    index: int = 0
    done: set[int] = field(default_factory=set)
    status: str = "pending"

    def actionable(self) -> set[int]:
        if self.status != "pending":
            return set()
        mode, people = self.nodes[self.index]
        if mode == "sequential":
            rest = [p for p in people if p not in self.done]
            return {rest[0]} if rest else set()
        return {p for p in people if p not in self.done}

    def decide(self, who: int, approve: bool) -> None:
        if not approve:
            self.status = "rejected"
            return
        mode, people = self.nodes[self.index]
        self.done.add(who)
        if mode == "orsign" or self.done >= set(people):
            self.index, self.done = self.index + 1, set()
            if self.index == len(self.nodes):
                self.status = "approved"


@pytest.fixture
def crew(sqlite_db: Database) -> tuple[Database, Actor, list[Actor]]:
    from crm_desktop.services.org import auth

    admin = auth.setup_company(sqlite_db, company="性质测试公司", admin_name="管理员", admin_mobile="13800000000",
                               password="admin1234")
    return sqlite_db, admin, [approver(sqlite_db, admin, f"1390000006{i}") for i in range(4)]


node_strategy = st.tuples(st.sampled_from(MODES), st.lists(st.integers(0, 3), min_size=1, max_size=4, unique=True))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(nodes=st.lists(node_strategy, min_size=1, max_size=3),
       decisions=st.lists(st.tuples(st.integers(0, 3), st.booleans()), max_size=12))
def test_engine_agrees_with_reference_model(
    crew: tuple[Database, Actor, list[Actor]], nodes: list[tuple[str, list[int]]],
    decisions: list[tuple[int, bool]],
) -> None:
    db, admin, people = crew
    ids = [p.user_id for p in people]
    flow = appr.create_flow(db, admin, FlowInput(name="性质", entity="customer", branches=({
        "name": "", "condition": {}, "nodes": [
            {"name": f"节点{i}", "mode": mode, "approver": {"kind": "users", "users": [ids[p] for p in who]}}
            for i, (mode, who) in enumerate(nodes)]},)))
    cust = customers.create(db, admin, {"name": "性质测试客户"})
    inst = appr.submit(db, admin, "customer", cust.id, flow.id)
    model = Model([(mode, [ids[p] for p in who]) for mode, who in nodes])
    for pick, approve in decisions:
        open_now = {t.approver_id for t in inst.tasks if t.state == "pending" and t.round == inst.round}
        assert open_now == model.actionable()
        if not open_now:
            break
        who = sorted(open_now)[pick % len(open_now)]
        actor = people[ids.index(who)]
        task = next(t.id for t in inst.tasks if t.approver_id == who and t.state == "pending")
        inst = appr.decide(db, actor, task, approve=approve, comment="" if approve else "不同意")
        model.decide(who, approve)
        assert inst.status == model.status
    assert inst.status == model.status
