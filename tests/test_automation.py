"""Trigger rules: event → condition → actions in the save's transaction (issue 4, "Triggers")."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from crm_desktop.automation.engine import MAX_DEPTH, RuleFailed
from crm_desktop.db import Database
from crm_desktop.models import AutomationRun, Contact, Customer, Message, Role
from crm_desktop.services.customers.contacts import contacts
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.leads import leads
from crm_desktop.services.errors import PermissionDenied, ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.records.schema import FieldType
from crm_desktop.services.records.schema_admin import (
    CustomFieldInput,
    create_custom_field,
)
from crm_desktop.services.workflow import automation as auto
from crm_desktop.services.workflow.automation import RuleInput
from tests.test_customers import make_user

THRESHOLD = "10000000"


def cond(*conditions: dict[str, Any], match: str = "all") -> dict[str, Any]:
    return {"match": "all", "groups": [{"match": match, "conditions": list(conditions)}]}


def role_id(db: Database, name: str) -> int:
    with db.sessions() as s:
        return s.scalar(select(Role.id).where(Role.name == name))  # type: ignore[return-value]


def count(db: Database, model: Any) -> int:
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def runs(db: Database) -> list[tuple[str, str, int]]:
    with db.sessions() as s:
        return [(r.rule_name, r.outcome, r.depth) for r in s.scalars(select(AutomationRun).order_by(AutomationRun.id))]


@pytest.fixture
def capital(db: Database, admin: Actor) -> str:
    """The custom money field 注册资本 (registered capital) on customers; returns its name."""
    return create_custom_field(db, admin, "customer", CustomFieldInput("注册资本", FieldType.MONEY)).name


@pytest.fixture
def team(db: Database, admin: Actor) -> tuple[Actor, Actor]:
    """(sales rep, sales manager)."""
    return make_user(db, admin, "13900000011"), make_user(db, admin, "13900000012")


def seed_001_rule(db: Database, admin: Actor, capital: str, manager_role: int) -> auto.RuleDTO:
    return auto.create_rule(db, admin, RuleInput(
        name="大客户定级", entity="customer", event="created",
        condition=cond({"field": capital, "op": "gte", "value": THRESHOLD}),
        actions=(
            {"type": "set_field", "field": "level", "value": "A"},
            {"type": "message", "to": "role", "role_id": manager_role,
             "title": "新的A级客户：{name}", "body": "注册资本 {%s}，等级 {level}" % capital},
        ),
    ))


def test_seed_001_big_customer_gets_level_a_and_manager_is_told(
    db: Database, admin: Actor, capital: str, team: tuple[Actor, Actor],
) -> None:
    rep, manager = team
    rule = seed_001_rule(db, admin, capital, role_id(db, "role-13900000012"))
    big = customers.create(db, rep, {"name": "厦门大鹏集团"}, custom={capital: "12000000"})
    assert big.values["level"] == "A"
    assert customers.get(db, rep, big.id).values["level"] == "A"
    mine = auto.list_messages(db, manager)
    assert [(m.title, m.body, m.entity, m.record_id) for m in mine] == [
        ("新的A级客户：厦门大鹏集团", "注册资本 12000000.00，等级 A", "customer", big.id)]
    assert auto.list_messages(db, rep) == []
    # The change went through the audit log like a user's save.
    log = customers.operation_log(db, admin, big.id)
    assert any(c.field == "level" and c.new == "A" for e in log for c in e.changes if e.action == "update")
    assert [(r.rule_id, r.outcome, r.record_id) for r in auto.list_runs(db, admin)] == [(rule.id, "ok", big.id)]

    small = customers.create(db, rep, {"name": "厦门小微商行"}, custom={capital: "9999999.99"})
    assert small.values["level"] == ""
    assert len(auto.list_messages(db, manager)) == 1
    assert len(auto.list_runs(db, admin)) == 1  # nothing fired, nothing logged

    assert auto.unread_count(db, manager) == 1
    assert auto.mark_read(db, manager) == 1
    assert auto.unread_count(db, manager) == 0 and auto.list_messages(db, manager)[0].read


def test_edit_rule_sees_before_values_and_disabled_rules_do_not_fire(
    db: Database, admin: Actor, capital: str, team: tuple[Actor, Actor],
) -> None:
    rep, _manager = team
    rule = auto.create_rule(db, admin, RuleInput(
        name="升级提醒", entity="customer", event="field_changed", field=capital,
        condition=cond({"field": "before:" + capital, "op": "lt", "value": THRESHOLD},
                       {"field": capital, "op": "gte", "value": THRESHOLD}),
        actions=({"type": "message", "to": "owner", "title": "{name} 注册资本变为 {%s}" % capital},),
    ))
    c = customers.create(db, rep, {"name": "泉州成长公司"}, custom={capital: "5000000"})
    c = customers.update(db, rep, c.id, expected_version=c.version, changes={"remark": "只改备注"})
    assert auto.list_messages(db, rep) == []  # another field changed: the field_changed rule stays quiet
    c = customers.update(db, rep, c.id, expected_version=c.version, changes={capital: "20000000"})
    assert [m.title for m in auto.list_messages(db, rep)] == ["泉州成长公司 注册资本变为 20000000.00"]
    auto.set_enabled(db, admin, rule.id, False)
    c = customers.update(db, rep, c.id, expected_version=c.version, changes={capital: "1"})
    c = customers.update(db, rep, c.id, expected_version=c.version, changes={capital: "30000000"})
    assert len(auto.list_messages(db, rep)) == 1


def test_failing_rule_fails_the_save_and_leaves_nothing(
    db: Database, admin: Actor, capital: str, team: tuple[Actor, Actor],
) -> None:
    rep, manager = team
    auto.create_rule(db, admin, RuleInput(
        name="坏规则", entity="customer", event="created",
        actions=(
            {"type": "message", "to": "users", "user_ids": [manager.user_id], "title": "先发消息"},
            {"type": "set_field", "field": capital, "value": "不是数字"},
        ),
    ))
    with pytest.raises(RuleFailed, match="坏规则") as caught:
        customers.create(db, rep, {"name": "漳州失败公司"})
    assert caught.value.rule_name == "坏规则"
    assert count(db, Customer) == 0 and count(db, Message) == 0
    assert [(name, outcome) for name, outcome, _d in runs(db)] == [("坏规则", "failed")]


def test_rules_firing_rules_stop_at_the_depth_bound(db: Database, admin: Actor, team: tuple[Actor, Actor]) -> None:
    rep, _manager = team
    auto.create_rule(db, admin, RuleInput(
        name="A→B", entity="customer", event="field_changed", field="level", to_value="A",
        actions=({"type": "set_field", "field": "level", "value": "B"},)))
    pong = auto.create_rule(db, admin, RuleInput(
        name="B→A", entity="customer", event="field_changed", field="level", to_value="B",
        actions=({"type": "set_field", "field": "level", "value": "A"},)))
    c = customers.create(db, rep, {"name": "循环测试公司"})
    saved = customers.update(db, rep, c.id, expected_version=c.version, changes={"level": "A"})
    assert runs(db) == [("A→B", "ok", 0), ("B→A", "ok", 1), ("A→B", "ok", 2), ("B→A", "skipped", MAX_DEPTH)]
    assert saved.values["level"] == "B"  # the last rule that ran (depth 2) set B; the save succeeded
    assert "depth bound" in auto.list_runs(db, admin, rule_id=pong.id)[0].message


def test_try_rule_reports_and_changes_nothing(
    db: Database, admin: Actor, capital: str, team: tuple[Actor, Actor],
) -> None:
    rep, manager = team
    c = customers.create(db, rep, {"name": "龙岩试运行公司"}, custom={capital: "50000000"})
    rule = seed_001_rule(db, admin, capital, role_id(db, "role-13900000012"))  # created after the customer
    trial = auto.try_rule(db, admin, rule.id, c.id)
    assert trial.matched and trial.error == ""
    assert ("customer", c.id, "level", "", "A") in trial.changes
    assert [(uid, title) for uid, title, _b in trial.messages] == [(manager.user_id, "新的A级客户：龙岩试运行公司")]
    after = customers.get(db, rep, c.id)
    assert after.values["level"] == "" and after.version == c.version
    assert count(db, Message) == 0 and runs(db) == []
    other = customers.create(db, rep, {"name": "小公司"}, custom={capital: "100"})
    # Below the threshold the condition does not hold, so the trial reports nothing fired.
    assert not auto.try_rule(db, admin, rule.id, other.id).matched


def test_lead_rule_creates_a_contact_mapped_from_the_lead(
    db: Database, admin: Actor, team: tuple[Actor, Actor],
) -> None:
    rep, _manager = team
    customer = customers.create(db, rep, {"name": "三明合作公司"})
    auto.create_rule(db, admin, RuleInput(
        name="线索联系人", entity="lead", event="created",
        condition=cond({"field": "contact_name", "op": "not_empty"}),
        actions=({"type": "create_record", "entity": "contact", "mapping": {
            "name": {"field": "contact_name"}, "mobile": {"field": "mobile"}, "email": {"field": "email"},
            "customer_id": {"value": customer.id}, "remark": {"value": "由线索自动创建"}}},),
    ))
    lead = leads.create(db, rep, {"name": "南平线索", "contact_name": "王经理", "mobile": "13912345678",
                                  "email": "wang@np.cn"})
    leads.create(db, rep, {"name": "无联系人线索"})
    made = contacts.list_page(db, rep).rows
    assert [(m.values["name"], m.values["mobile"], m.values["email"], m.values["customer_id"], m.owner_id,
             m.values["remark"]) for m in made] == [
        ("王经理", "13912345678", "wang@np.cn", customer.id, rep.user_id, "由线索自动创建")]
    assert [(r.entity, r.record_id, r.outcome) for r in auto.list_runs(db, admin)] == [("lead", lead.id, "ok")]


def test_customer_rule_creates_contact_and_owner_rules_fire_on_transfer(
    db: Database, admin: Actor, team: tuple[Actor, Actor],
) -> None:
    rep, manager = team
    auto.create_rule(db, admin, RuleInput(
        name="默认联系人", entity="customer", event="created",
        actions=({"type": "create_record", "entity": "contact", "mapping": {
            "name": {"field": "name"}, "phone": {"field": "phone"}, "customer_id": {"field": "id"}}},
            {"type": "add_team", "user_ids": [manager.user_id], "access": "read"}),
    ))
    auto.create_rule(db, admin, RuleInput(
        name="转移通知", entity="customer", event="owner_changed",
        actions=({"type": "message", "to": "owner", "title": "你收到了客户 {name}"},),
    ))
    c = customers.create(db, rep, {"name": "宁德客户", "phone": "0593-1234567"})
    with db.sessions() as s:
        contact = s.scalars(select(Contact)).one()
        assert (contact.name, contact.phone, contact.customer_id, contact.is_primary) == (
            "宁德客户", "0593-1234567", c.id, True)
    assert customers.get(db, manager, c.id).id == c.id  # on the team: the manager sees it
    assert customers.transfer(db, rep, [c.id], new_owner_id=manager.user_id) == 1
    assert [m.title for m in auto.list_messages(db, manager)] == ["你收到了客户 宁德客户"]


def test_rule_admin_permission_checks_and_order(db: Database, admin: Actor, team: tuple[Actor, Actor]) -> None:
    rep, _manager = team
    data = RuleInput(name="设置等级", entity="customer", event="created",
                     actions=({"type": "set_field", "field": "level", "value": "B"},))
    with pytest.raises(PermissionDenied):
        auto.create_rule(db, rep, data)
    with pytest.raises(ValidationError):
        auto.create_rule(db, admin, RuleInput(name="x", entity="customer", event="created",
                                              condition=cond({"field": "nope", "op": "eq", "value": 1}),
                                              actions=data.actions))
    with pytest.raises(ValidationError):
        auto.create_rule(db, admin, RuleInput(name="x", entity="customer", event="created", actions=()))
    first = auto.create_rule(db, admin, data)
    second = auto.create_rule(db, admin, RuleInput(name="再设等级", entity="customer", event="created",
                                                   actions=({"type": "set_field", "field": "level", "value": "C"},)))
    assert customers.create(db, rep, {"name": "甲"}).values["level"] == "C"  # in order: B then C
    auto.reorder_rules(db, admin, "customer", [second.id, first.id])
    assert [r.id for r in auto.list_rules(db, admin, entity="customer")] == [second.id, first.id]
    assert customers.create(db, rep, {"name": "乙"}).values["level"] == "B"
    # An edited rule is read again (the engine keeps parsed rules between saves).
    auto.update_rule(db, admin, first.id, RuleInput(name="设置等级", entity="customer", event="created",
                                                    actions=({"type": "set_field", "field": "level", "value": "C"},)))
    assert customers.create(db, rep, {"name": "丙"}).values["level"] == "C"
    auto.delete_rule(db, admin, first.id)
    assert [r.name for r in auto.list_rules(db, admin)] == ["再设等级"]
    assert {r.rule_name for r in auto.list_runs(db, admin)} == {"设置等级", "再设等级"}  # the log outlives the rule


def test_assign_owner_copy_field_and_message_the_superior(
    db: Database, admin: Actor, team: tuple[Actor, Actor],
) -> None:
    from crm_desktop.services.org import users
    from crm_desktop.services.org.users import UserInput

    rep, manager = team
    # The manager becomes the rep's direct superior.
    users.update_user(db, admin, rep.user_id, UserInput(mobile=rep.mobile, name=rep.name, department_id=rep.department_id,
                                                        role_ids=tuple(rep.role_ids), superior_id=manager.user_id))
    auto.create_rule(db, admin, RuleInput(
        name="厦门客户", entity="customer", event="created",
        condition=cond({"field": "province", "op": "contains", "value": "厦门"},
                       {"field": "city", "op": "contains", "value": "厦门"}, match="any"),
        actions=({"type": "set_field", "field": "remark", "from_field": "name"},
                 {"type": "message", "to": "superior", "title": "下属新建：{remark}"},
                 {"type": "assign_owner", "user_id": admin.user_id}),
    ))
    c = customers.create(db, rep, {"name": "思明贸易", "city": "厦门市"})
    stored = customers.get(db, admin, c.id)
    assert (stored.values["remark"], stored.owner_id) == ("思明贸易", admin.user_id)
    assert c.owner_id == admin.user_id  # the save returns the record as the rules left it
    assert [m.title for m in auto.list_messages(db, manager)] == ["下属新建：思明贸易"]
    other = customers.create(db, rep, {"name": "福州贸易", "city": "福州市"})
    assert (other.values["remark"], other.owner_id) == ("", rep.user_id)


CASES = [
    ("province", "contains", "厦门"), ("province", "not_contains", "厦门"), ("province", "empty", None),
    ("province", "not_empty", None), ("level", "eq", "A"), ("level", "ne", "A"), ("level", "in", ["A", "B"]),
    ("CAP", "gte", THRESHOLD), ("CAP", "lt", THRESHOLD), ("CAP", "eq", "500"), ("CAP", "ne", "500"),
    ("CAP", "empty", None), ("CAP", "not_empty", None), ("CAP", "between", ["100", "10000000"]),
    ("remark", "contains", "感兴趣"), ("created_at", "gte", "2000-01-01T00:00:00+00:00"),
]


def test_conditions_mean_what_the_list_filter_means(db: Database, admin: Actor, capital: str) -> None:
    """Each operator, evaluated in Python by the engine, picks exactly the records the list's SQL filter picks."""
    from crm_desktop.services.records.filters import Filter
    from crm_desktop.services.records.record_fields import FieldPolicy
    from crm_desktop.services.records.schema import load_fields
    from crm_desktop.services.workflow import conditions

    rows = [({"name": "厦门一", "province": "福建省厦门", "level": "A", "remark": "客户很感兴趣"}, "12000000"),
            ({"name": "福州二", "province": "福建省", "level": "B"}, "500"),
            ({"name": "无省三", "level": ""}, None),
            ({"name": "广州四", "province": "广东省", "level": "C", "remark": "不感兴趣"}, "10000000")]
    for values, cap in rows:
        customers.create(db, admin, values, custom={capital: cap} if cap else None)
    with db.sessions() as s:
        specs = {f.name: f for f in load_fields(s, "customer")}
        policy = FieldPolicy(Customer, customers.fields, customers.required, None)
        records = [(c.id, policy.current(c) | {"created_at": c.created_at, **{
            name: (c.custom or {}).get(spec.key) for name, spec in specs.items() if spec.key}})
            for c in s.scalars(select(Customer))]
    for field_name, op, value in CASES:
        name = capital if field_name == "CAP" else field_name
        flt = {"match": "all", "conditions": [{"field": name, "op": op, "value": value}]}
        in_sql = {r.id for r in customers.list_page(db, admin, filter=Filter.from_json(flt)).rows}
        in_python = {rid for rid, vals in records
                     if conditions.matches(specs, conditions.groups_of({"groups": [flt]}), vals, {})}
        assert in_python == in_sql, (field_name, op, value)
