"""Opportunities and stage groups (issue 5): lines and Decimal money, stages, closing, scope, rules."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from crm_desktop.db import Database
from crm_desktop.models import Opportunity, StageChange, User
from crm_desktop.services.customers.contacts import contacts
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.followups import add_followup
from crm_desktop.services.errors import (
    NotFound,
    PermissionDenied,
    RuleViolation,
    ValidationError,
)
from crm_desktop.services.org import departments as depts
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import RECORD_ACTIONS
from crm_desktop.services.records.export import ExportRequest, export_xlsx
from crm_desktop.services.records.filters import Condition, Filter, Op
from crm_desktop.services.sales.opportunities import (
    advance,
    get_contacts,
    get_lines,
    list_for_customer,
    lose,
    mark_invalid,
    opportunities,
    reopen,
    set_stage,
    stage_bar,
    stage_history,
    win,
)
from crm_desktop.services.sales.product_lines import LineInput
from crm_desktop.services.sales.products import products, set_on_shelf
from crm_desktop.services.sales.stages import (
    StageGroupInput,
    StageInput,
    create_group,
    list_groups,
    update_group,
)
from crm_desktop.services.workflow import automation as auto
from crm_desktop.services.workflow.automation import RuleInput
from tests.test_customers import ALL_SALES, log, make_user
from tests.test_export import run, sheet

SALES = {**ALL_SALES, "opportunity": RECORD_ACTIONS, "product": ("view",)}


def test_lines_money_stages_and_history(db: Database, admin: Actor) -> None:
    rep = make_user(db, admin, "13700000001", perms=SALES)
    other = make_user(db, admin, "13700000002", perms=SALES)
    pen = products.create(db, admin, {"name": "钢笔", "code": "PEN", "unit": "支", "price": "35"})
    ink = products.create(db, admin, {"name": "墨水", "code": "INK", "price": "12.5"})
    old = products.create(db, admin, {"name": "旧款", "code": "OLD", "price": "1"})
    set_on_shelf(db, admin, [old.id], on_shelf=False)
    c = customers.create(db, rep, {"name": "厦门星辰科技有限公司"})
    wang = contacts.create(db, rep, {"customer_id": c.id, "name": "王经理"})
    stranger = contacts.create(db, rep, {"customer_id": customers.create(db, rep, {"name": "别家"}).id, "name": "李"})

    # 3 × 33.33 with 10 % off = 89.991 → 89.99; the amount follows the lines, exactly.
    o = opportunities.create(db, rep, {"name": "钢笔采购", "customer_id": c.id, "expected_close_date": "2026-12-31"},
                             lines=[LineInput(pen.id, "33.33", "3", "10"), LineInput(ink.id, "12.5", "2")],
                             contact_ids=[wang.id])
    assert o.values["amount"] == Decimal("114.99") and isinstance(o.values["amount"], Decimal)
    assert o.values["amount_manual"] is False and o.values["status"] == "open" and o.version == 1
    assert o.values["expected_close_date"] == dt.date(2026, 12, 31)
    lines = get_lines(db, rep, o.id)
    assert [(l.product_name, l.unit, l.standard_price, l.subtotal) for l in lines] == [
        ("钢笔", "支", Decimal("35.00"), Decimal("89.99")), ("墨水", "", Decimal("12.50"), Decimal("25.00"))]
    assert [x.values["name"] for x in get_contacts(db, rep, o.id)] == ["王经理"]
    with pytest.raises(ValidationError) as err:  # off-shelf product: refused for a new line
        opportunities.create(db, rep, {"name": "x", "customer_id": c.id}, lines=[LineInput(old.id, "1")])
    assert set(err.value.field_errors) == {"lines.1"}
    with pytest.raises(ValidationError) as err:
        opportunities.create(db, rep, {"name": "x", "customer_id": c.id}, contact_ids=[stranger.id])
    assert set(err.value.field_errors) == {"contact_ids"}

    # A typed amount wins over the lines; clearing it makes the amount follow again.
    o = opportunities.update(db, rep, o.id, expected_version=1, changes={"amount": "100"})
    assert o.values["amount"] == Decimal("100.00") and o.values["amount_manual"] is True
    o = opportunities.update(db, rep, o.id, expected_version=o.version, changes={},
                             lines=[LineInput(pen.id, "35", "1")])
    assert o.values["amount"] == Decimal("100.00")
    o = opportunities.update(db, rep, o.id, expected_version=o.version, changes={"amount": ""})
    assert o.values["amount"] == Decimal("35.00") and o.values["amount_manual"] is False
    # A product taken off the shelf stays on the lines it is on, and can be saved again.
    set_on_shelf(db, admin, [pen.id], on_shelf=False)
    o = opportunities.update(db, rep, o.id, expected_version=o.version, changes={},
                             lines=[LineInput(pen.id, "35", "2")])
    assert o.values["amount"] == Decimal("70.00")
    assert log(db, admin, opportunities, o.id)[-1][1]["lines"] == ("钢笔 × 1 @ 35.00 = 35.00", "钢笔 × 2 @ 35.00 = 70.00")
    with pytest.raises(ValidationError):
        opportunities.update(db, rep, o.id, expected_version=o.version, changes={"customer_id": c.id})
    with pytest.raises(ValidationError):
        opportunities.update(db, rep, o.id, expected_version=o.version, changes={"status": "won"})

    # Stages: the default group, first stage; advance, set back, history with names and actors.
    bar = stage_bar(db, rep, o.id)
    assert [s.name for s in bar.stages] == ["初步接洽", "需求确认", "方案报价", "谈判审核"]
    assert bar.current_stage_id == bar.stages[0].id and bar.win_rate == 10
    advance(db, rep, o.id)
    advance(db, rep, o.id, note="报价已发")
    set_stage(db, rep, o.id, stage_id=bar.stages[1].id)
    with pytest.raises(ValidationError):
        set_stage(db, rep, o.id, stage_id=999999)
    assert stage_bar(db, rep, o.id).win_rate == 30
    with pytest.raises(ValidationError):  # lost needs a reason
        lose(db, rep, o.id, reason=" ")
    lost = lose(db, rep, o.id, reason="价格太高")
    assert lost.values["status"] == "lost" and lost.values["lost_reason"] == "价格太高" and lost.values["closed_at"]
    assert stage_bar(db, rep, o.id).win_rate == 0
    with pytest.raises(RuleViolation):  # closed: no stage change
        advance(db, rep, o.id)
    with pytest.raises(RuleViolation):
        set_stage(db, rep, o.id, stage_id=bar.stages[2].id)
    with pytest.raises(RuleViolation):
        win(db, rep, o.id)
    reopen(db, rep, o.id)
    set_stage(db, rep, o.id, stage_id=bar.stages[3].id)
    with pytest.raises(RuleViolation):  # last stage: win instead
        advance(db, rep, o.id)
    assert win(db, rep, o.id).values["status"] == "won" and stage_bar(db, rep, o.id).win_rate == 100
    history = [(h.from_stage_name, h.to_stage_name, h.from_status, h.to_status, h.note, h.actor_name)
               for h in stage_history(db, rep, o.id)]
    assert history == [
        ("", "初步接洽", "", "open", "", "用户01"),
        ("初步接洽", "需求确认", "open", "open", "", "用户01"),
        ("需求确认", "方案报价", "open", "open", "报价已发", "用户01"),
        ("方案报价", "需求确认", "open", "open", "", "用户01"),
        ("需求确认", "需求确认", "open", "lost", "价格太高", "用户01"),
        ("需求确认", "需求确认", "lost", "open", "", "用户01"),
        ("需求确认", "谈判审核", "open", "open", "", "用户01"),
        ("谈判审核", "谈判审核", "open", "won", "", "用户01"),
    ]
    assert [a for a, _c in log(db, admin, opportunities, o.id)][-3:] == ["status", "stage", "status"]
    o2 = opportunities.create(db, rep, {"name": "无效的", "customer_id": c.id, "amount": "5"})
    assert mark_invalid(db, rep, o2.id).values["status"] == "invalid"

    # Scope: another salesperson neither sees nor edits; the customer tab shows the rep's two.
    with pytest.raises(NotFound):
        opportunities.get(db, other, o.id)
    with pytest.raises(NotFound):
        advance(db, other, o2.id)
    with pytest.raises(NotFound):
        get_lines(db, other, o.id)
    with pytest.raises(ValidationError) as err:  # a customer the actor cannot see
        opportunities.create(db, other, {"name": "抢单", "customer_id": c.id})
    assert set(err.value.field_errors) == {"customer_id"}
    assert {r.id for r in list_for_customer(db, rep, c.id)} == {o.id, o2.id}
    with pytest.raises(NotFound):
        list_for_customer(db, other, c.id)
    assert opportunities.count(db, other) == 0


def test_stage_groups_by_department(db: Database, admin: Actor) -> None:
    top = admin.department_id
    east = depts.create_department(db, admin, "华东销售", parent_id=top)
    shanghai = depts.create_department(db, admin, "上海组", parent_id=east.id)
    groups = list_groups(db, admin)
    assert [(g.name, g.is_default) for g in groups] == [("默认阶段", True)]
    project = create_group(db, admin, StageGroupInput("项目型", (StageInput("立项", 20), StageInput("招投标", 50)),
                                                      department_ids=(east.id,)))
    with pytest.raises(ValidationError) as err:
        create_group(db, admin, StageGroupInput("坏的", (StageInput("a", 101), StageInput("", 5), StageInput("a", 5))))
    assert set(err.value.field_errors) == {"stages.1", "stages.2", "stages.3"}  # rate, empty, repeated
    with pytest.raises(RuleViolation):  # the last default cannot get departments
        update_group(db, admin, groups[0].id, StageGroupInput("默认阶段", (StageInput("x", 1),), department_ids=(top,)))

    rep = make_user(db, admin, "13700000001", perms=SALES)
    with db.sessions() as s:  # moved to a sub-department of the group's department
        s.execute(update(User).where(User.id == rep.user_id).values(department_id=shanghai.id))
        s.commit()
    c = customers.create(db, rep, {"name": "上海客户"})
    o = opportunities.create(db, rep, {"name": "项目", "customer_id": c.id})
    bar = stage_bar(db, rep, o.id)
    assert bar.group_name == "项目型" and [s.win_rate for s in bar.stages] == [20, 50]
    # Renaming, reordering and adding keeps ids; removing a stage in use is refused.
    first, second = project.stages
    updated = update_group(db, admin, project.id, StageGroupInput(
        "项目型", (StageInput("招投标", 60, second.id), StageInput("立项", 20, first.id), StageInput("签约", 90)),
        department_ids=(east.id,)))
    assert [(s.id, s.name) for s in updated.stages][:2] == [(second.id, "招投标"), (first.id, "立项")]
    with pytest.raises(RuleViolation):
        update_group(db, admin, project.id, StageGroupInput("项目型", (StageInput("招投标", 60, second.id),)))
    with pytest.raises(PermissionDenied):
        list_groups(db, rep)


def test_list_filter_export_and_the_seed_001_rules(db: Database, admin: Actor, tmp_path: Path) -> None:
    rep = make_user(db, admin, "13700000001", perms=SALES)
    c = customers.create(db, rep, {"name": "厦门星辰科技有限公司"})
    # Seed 001: a follow-up whose content contains 感兴趣 creates an opportunity for the customer.
    auto.create_rule(db, admin, RuleInput(
        name="感兴趣转商机", entity="customer", event="followup_added",
        condition={"match": "all", "groups": [{"match": "all", "conditions": [
            {"field": "followup.content", "op": "contains", "value": "感兴趣"}]}]},
        actions=({"type": "create_record", "entity": "opportunity",
                  "mapping": {"name": {"field": "name"}, "customer_id": {"field": "id"}}},),
    ))
    won_rule = auto.create_rule(db, admin, RuleInput(
        name="赢单通知", entity="opportunity", event="status_changed", to_value="won",
        actions=({"type": "message", "to": "owner", "title": "赢单：{name}", "body": "{amount}"},),
    ))
    assert won_rule.field == "status"
    add_followup(db, rep, target_entity="customer", target_id=c.id, content="客户说还在比较")
    assert opportunities.count(db, rep) == 0
    add_followup(db, rep, target_entity="customer", target_id=c.id, content="对新产品很感兴趣")
    made = list_for_customer(db, rep, c.id)
    assert [(m.values["name"], m.values["customer_id"], m.owner_id, m.values["status"]) for m in made] == [
        ("厦门星辰科技有限公司", c.id, rep.user_id, "open")]
    assert stage_history(db, rep, made[0].id)[0].to_stage_name == "初步接洽"
    win(db, rep, made[0].id)
    assert [m.title for m in auto.list_messages(db, rep)] == ["赢单：厦门星辰科技有限公司"]

    # list_page + filter + export, in the actor's scope.
    for i, amount in enumerate(("10", "20000", "300000")):
        opportunities.create(db, rep, {"name": f"商机{i}", "customer_id": c.id, "amount": amount})
    opportunities.create(db, admin, {"name": "管理员的", "customer_id": customers.create(db, admin, {"name": "x"}).id,
                                     "amount": "999999"})
    big = Filter((Condition("amount", Op.GTE, "20000"),))
    page = opportunities.list_page(db, rep, sort="amount", descending=True, filter=big)
    assert [r.values["name"] for r in page.rows] == ["商机2", "商机1"]
    assert opportunities.count(db, admin, filter=big) == 3
    path = tmp_path / "商机.xlsx"
    assert run(export_xlsx(db, rep, opportunities, path, ExportRequest(
        columns=["name", "amount", "status"], filter=big, sort="amount", descending=False))) == 2
    assert sheet(path)[1:] == [("商机1", 20000, "open"), ("商机2", 300000, "open")]
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Opportunity)) == 5
        assert s.scalar(select(func.count()).select_from(StageChange)) == 6  # 5 first stages + 1 won
    # Transfer and the recycle bin come from RecordService.
    other = make_user(db, admin, "13700000002", perms=SALES)
    assert opportunities.transfer(db, rep, [page.rows[0].id], new_owner_id=other.user_id) == 1
    assert opportunities.count(db, rep) == 3
    opportunities.delete(db, other, page.rows[0].id)
    assert opportunities.count(db, other) == 0 and len(opportunities.recycle_bin(db, other)) == 1
    load_workbook(path)  # the file is a real workbook
