"""A small hand-checked company for the dashboard tests (service and UI).

Today is Sunday 15 March 2026 (Shanghai). HQ has two sales departments: 销售一部 (manager
m1 with reps r1 and r2 reporting to him) and 销售二部 (rep r3). The general manager sees
everything, m1 his chain, reps themselves. The figures each test expects are worked out by
hand in the docstrings of the tests, from the rows written here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from crm_desktop.db import Database
from crm_desktop.models import (
    Contact,
    Contract,
    Customer,
    Department,
    FollowUp,
    Opportunity,
    Payment,
    Pool,
    Role,
    RoleDataScope,
    RolePermission,
    Stage,
    StageGroup,
    User,
)
from crm_desktop.services.dashboard.period import COMPANY_TZ
from crm_desktop.services.org.actor import Actor, load_actor

TODAY = dt.date(2026, 3, 15)
MODULES = ("customer", "contact", "opportunity", "contract", "payment", "followup")


def local(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    """A Shanghai wall-clock time as the aware instant stored."""
    return dt.datetime(y, m, d, hh, mm, tzinfo=COMPANY_TZ).astimezone(dt.UTC)


@dataclass
class Company:
    ids: dict[str, int]
    stages: dict[str, int]
    group_id: int
    depts: dict[str, int]

    def actor(self, db: Database, name: str) -> Actor:
        with db.sessions() as s:
            return load_actor(s, self.ids[name])


def _role(name: str, scope: str, *, targets: tuple[str, ...] = ("view",)) -> Role:
    perms = [RolePermission(module=m, action="view") for m in MODULES]
    perms += [RolePermission(module="target", action=a) for a in targets]
    return Role(name=name, description="", is_super=False, permissions=perms,
                scopes=[RoleDataScope(module=m, scope=scope) for m in MODULES])


def build_company(db: Database) -> Company:
    with db.sessions.begin() as s:
        top = s.scalar(select(Department).where(Department.parent_id.is_(None)))
        assert top is not None
        d1 = Department(name="销售一部", parent_id=top.id, sort_order=1)
        d2 = Department(name="销售二部", parent_id=top.id, sort_order=2)
        s.add_all([d1, d2])
        s.flush()
        gm_role, mgr_role, rep_role = (_role("总经理", "all", targets=("view", "set")),
                                       _role("销售经理", "self_and_subordinates"), _role("销售", "self", targets=()))
        gm = User(mobile="13900000001", name="总经理王", password_hash="x", department_id=top.id, roles=[gm_role])
        m1 = User(mobile="13900000002", name="经理李", password_hash="x", department_id=d1.id, roles=[mgr_role])
        s.add_all([gm, m1])
        s.flush()
        r1 = User(mobile="13900000003", name="销售张", password_hash="x", department_id=d1.id, roles=[rep_role],
                  superior_id=m1.id)
        r2 = User(mobile="13900000004", name="销售赵", password_hash="x", department_id=d1.id, roles=[rep_role],
                  superior_id=m1.id)
        r3 = User(mobile="13900000005", name="销售钱", password_hash="x", department_id=d2.id, roles=[rep_role])
        s.add_all([r1, r2, r3])
        s.flush()
        ids = {"gm": gm.id, "m1": m1.id, "r1": r1.id, "r2": r2.id, "r3": r3.id}
        group = StageGroup(name="直销", department_ids=[], enabled=True, sort_order=-1)
        s.add(group)
        s.flush()
        stages = {}
        for order, (name, rate) in enumerate((("初步接洽", 10), ("需求确认", 50), ("商务谈判", 80))):
            stage = Stage(group_id=group.id, name=name, win_rate=rate, sort_order=order)
            s.add(stage)
            s.flush()
            stages[name] = stage.id
        pool = Pool(name="公海")
        s.add(pool)
        s.flush()

        def rec(owner: str) -> dict[str, object]:
            return {"owner_id": ids[owner], "creator_id": ids[owner], "custom": {}}

        def customer(owner: str, name: str, created: dt.datetime, **kw: object) -> Customer:
            c = Customer(name=name, created_at=created, updated_at=created, **rec(owner), **kw)
            s.add(c)
            s.flush()
            return c

        # New customers: r1 at 00:30 on 1 March (16:30 UTC on 28 Feb: March), r1 at 23:30 on 28 Feb
        # (February), r2 and r3 in March; a pooled one and a recycled one in March count nowhere.
        c1 = customer("r1", "厦门一号", local(2026, 3, 1, 0, 30), last_followup_at=local(2026, 3, 10))
        customer("r1", "厦门二号", local(2026, 2, 28, 23, 30))
        c3 = customer("r2", "福州三号", local(2026, 3, 10), last_followup_at=local(2026, 2, 1))
        c4 = customer("r3", "泉州四号", local(2026, 3, 5))
        pooled = customer("r1", "公海五号", local(2026, 3, 6), pool_id=pool.id)
        pooled.owner_id = None
        customer("r1", "回收六号", local(2026, 3, 7), deleted_at=local(2026, 3, 8))
        s.add(Contact(name="联系人甲", customer_id=c1.id, created_at=local(2026, 3, 2), **rec("r1")))
        # Contracts (approved unless said): r1 1000 on 31 March (signed 23:30: still March), r1's
        # draft 500 (not a sale), r2 2000, r3 3000, r1 400 in February.
        for n, (owner, day, amount, status) in enumerate((
                ("r1", dt.date(2026, 3, 31), "1000", "approved"), ("r1", dt.date(2026, 3, 2), "500", "draft"),
                ("r2", dt.date(2026, 3, 5), "2000", "approved"), ("r3", dt.date(2026, 3, 6), "3000", "approved"),
                ("r1", dt.date(2026, 2, 10), "400", "approved"))):
            s.add(Contract(number=f"HT-{n}", name=f"合同{n}", customer_id=c1.id, amount=Decimal(amount),
                           order_date=day, approval_status=status, **rec(owner)))
        s.flush()
        contract_id = s.scalar(select(Contract.id).limit(1))
        for n, (owner, day, amount) in enumerate((("r1", dt.date(2026, 3, 3), "300"),
                                                 ("r2", dt.date(2026, 2, 20), "100"))):
            s.add(Payment(number=f"HK-{n}", contract_id=contract_id, customer_id=c1.id, amount=Decimal(amount),
                          paid_date=day, approval_status="approved", **rec(owner)))
        # Follow-ups: r1 twice in March (one at 23:30 on 31 March), r2 at 00:30 on 1 April (April).
        for owner, moment in (("r1", local(2026, 3, 4)), ("r1", local(2026, 3, 31, 23, 30)),
                              ("r2", local(2026, 4, 1, 0, 30))):
            s.add(FollowUp(target_entity="customer", target_id=c1.id, content="拜访", followed_at=moment,
                           created_at=moment, **rec(owner)))
        # Opportunities created in March: r1 open at stage 1 (100) and 2 (200, closing 20 March),
        # r2 open at stage 3 (300, closing 25 March) and won (400), r3 lost (50).
        for owner, stage, amount, status, closing, customer_row in (
                ("r1", "初步接洽", "100", "open", None, c1), ("r1", "需求确认", "200", "open", dt.date(2026, 3, 20), c1),
                ("r2", "商务谈判", "300", "open", dt.date(2026, 3, 25), c3), ("r2", "商务谈判", "400", "won", None, c3),
                ("r3", "初步接洽", "50", "lost", None, c4)):
            s.add(Opportunity(name=f"商机{amount}", customer_id=customer_row.id, amount=Decimal(amount),
                              stage_group_id=group.id, stage_id=stages[stage], status=status,
                              expected_close_date=closing, created_at=local(2026, 3, 3), **rec(owner)))
    return Company(ids, stages, group.id, {"top": top.id, "d1": d1.id, "d2": d2.id})
