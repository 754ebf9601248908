"""Branching by product category (issue 5: "branches by product category or amount"): the
derived field ``product_category`` of contracts and opportunities in approval branches,
trigger conditions and the list filter. Every test runs on SQLite and PostgreSQL."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from crm_desktop.db import Database
from crm_desktop.models import Contract, Opportunity
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import PermissionDenied, ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.records import derived_fields
from crm_desktop.services.records.filters import Filter
from crm_desktop.services.records.record_fields import FieldPolicy
from crm_desktop.services.records.schema import DERIVED_FIELDS, load_fields
from crm_desktop.services.sales import contracts as ct
from crm_desktop.services.sales import products as prod
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.opportunities import opportunities
from crm_desktop.services.sales.product_lines import LineInput
from crm_desktop.services.workflow import approvals as appr
from crm_desktop.services.workflow import automation as auto
from crm_desktop.services.workflow import conditions
from crm_desktop.services.workflow.approvals import FlowInput
from crm_desktop.services.workflow.automation import RuleInput
from tests.test_approvals import approver, only_task, titles
from tests.test_contracts import SALES, one_node
from tests.test_customers import make_user

CAT_SALES = {**SALES, "product": ("view",)}


@dataclass(frozen=True)
class Catalogue:
    """设备 (equipment) ⊃ 数控机床 (CNC machines) ⊃ 五轴 (5-axis); 耗材 (consumables); and one
    product of each, plus one without a category."""

    equipment: int
    cnc: int
    five_axis: int
    consumables: int
    p_equipment: int
    p_cnc: int
    p_five_axis: int
    p_consumable: int
    p_plain: int


@pytest.fixture
def cat(db: Database, admin: Actor) -> Catalogue:
    equipment = prod.create_category(db, admin, "设备").id
    cnc = prod.create_category(db, admin, "数控机床", parent_id=equipment).id
    five_axis = prod.create_category(db, admin, "五轴", parent_id=cnc).id
    consumables = prod.create_category(db, admin, "耗材").id

    def product(code: str, category: int | None) -> int:
        return prod.products.create(db, admin, {"name": f"产品{code}", "code": code, "price": "100",
                                                "category_id": category}).id

    return Catalogue(equipment, cnc, five_axis, consumables, product("EQ", equipment), product("CNC", cnc),
                     product("5AX", five_axis), product("CON", consumables), product("PLAIN", None))


def in_category(*category_ids: int, op: str = "in") -> dict[str, Any]:
    value: Any = list(category_ids) if op == "in" else (category_ids[0] if category_ids else None)
    return {"match": "all", "groups": [{"match": "all", "conditions": [
        {"field": "product_category", "op": op, "value": value}]}]}


def lines(*product_ids: int) -> list[LineInput]:
    return [LineInput(p, "100") for p in product_ids]


def new_contract(db: Database, rep: Actor, name: str, product_ids: Sequence[int], *, approved: bool = True) -> int:
    cust = customers.create(db, rep, {"name": name + "有限公司"})
    c = contracts.create(db, rep, {"name": name, "customer_id": cust.id}, lines=lines(*product_ids))
    if approved:
        assert ct.submit(db, rep, c.id).values["approval_status"] == "approved"  # no create flow yet
    return c.id


def test_categories_come_in_tree_order_with_their_paths(db: Database, admin: Actor, cat: Catalogue) -> None:
    choices = prod.category_choices(db, admin)
    assert [(c.path, c.depth) for c in choices] == [
        ("设备", 0), ("设备 / 数控机床", 1), ("设备 / 数控机床 / 五轴", 2), ("耗材", 0)]
    rep = make_user(db, admin, "13900000301", perms=SALES)  # no product rights
    with pytest.raises(PermissionDenied):
        prod.category_choices(db, rep)


def test_execution_status_flow_branches_by_product_category(db: Database, admin: Actor, cat: Catalogue) -> None:
    rep = make_user(db, admin, "13900000311", perms=SALES)
    a = approver(db, admin, "13900000312")  # equipment orders
    b = approver(db, admin, "13900000313")  # everything else
    cnc_order = new_contract(db, rep, "机床订单", [cat.p_consumable, cat.p_cnc])
    five_axis_order = new_contract(db, rep, "五轴订单", [cat.p_five_axis])
    consumables_order = new_contract(db, rep, "耗材订单", [cat.p_consumable, cat.p_plain])
    no_lines = new_contract(db, rep, "空订单", [])
    appr.create_flow(db, admin, FlowInput(
        name="投产审批", entity="contract", binding="status", status_field="execution_status",
        from_status="confirmed", to_status="producing",
        branches=({"name": "设备类", "condition": in_category(cat.equipment), "nodes": [one_node(a.user_id)]},
                  {"name": "其他", "condition": {}, "nodes": [one_node(b.user_id)]})))

    # A line in 数控机床 (a child of 设备) takes the 设备 branch: A decides, B sees nothing.
    assert ct.set_execution_status(db, rep, cnc_order, "producing").values["execution_status"] == "confirmed"
    assert appr.my_approvals(db, b, "pending") == []
    [item] = appr.my_approvals(db, a, "pending")
    assert item.record_id == cnc_order
    appr.decide(db, a, only_task(db, a), approve=True)
    assert contracts.get(db, rep, cnc_order).values["execution_status"] == "producing"

    # Two levels down (五轴 under 数控机床 under 设备) too.
    ct.set_execution_status(db, rep, five_axis_order, "producing")
    assert [i.record_id for i in appr.my_approvals(db, a, "pending")] == [five_axis_order]
    assert appr.my_approvals(db, b, "pending") == []

    # Consumables and an uncategorised product, or no lines at all: the other branch, B.
    ct.set_execution_status(db, rep, consumables_order, "producing")
    ct.set_execution_status(db, rep, no_lines, "producing")
    assert sorted(i.record_id for i in appr.my_approvals(db, b, "pending")) == sorted([consumables_order, no_lines])
    assert [i.record_id for i in appr.my_approvals(db, a, "pending")] == [five_axis_order]
    for _ in range(2):
        appr.decide(db, b, appr.my_approvals(db, b, "pending")[0].task_id, approve=True)  # type: ignore[arg-type]
    assert contracts.get(db, rep, consumables_order).values["execution_status"] == "producing"


def test_creation_flow_branch_sees_the_lines_saved_with_the_draft(db: Database, admin: Actor, cat: Catalogue) -> None:
    """``submit`` (gate by a "create" flow) chooses the branch from the lines as they are now."""
    rep = make_user(db, admin, "13900000321", perms=SALES)
    a = approver(db, admin, "13900000322")
    b = approver(db, admin, "13900000323")
    appr.create_flow(db, admin, FlowInput(
        name="合同审批", entity="contract", binding="create",
        branches=({"name": "非设备", "condition": in_category(cat.equipment, op="not_contains"),
                   "nodes": [one_node(b.user_id)]},
                  {"name": "设备", "condition": {}, "nodes": [one_node(a.user_id)]})))
    draft = new_contract(db, rep, "耗材合同", [cat.p_consumable], approved=False)
    assert ct.submit(db, rep, draft).values["approval_status"] == "pending"
    assert [i.record_id for i in appr.my_approvals(db, b, "pending")] == [draft]
    appr.decide(db, b, only_task(db, b), approve=False, comment="改成设备")
    # Rejected, edited to hold equipment, submitted again: now the equipment branch.
    version = contracts.get(db, rep, draft).version
    contracts.update(db, rep, draft, expected_version=version, changes={}, lines=lines(cat.p_equipment))
    ct.submit(db, rep, draft)
    assert [i.record_id for i in appr.my_approvals(db, a, "pending")] == [draft]
    assert appr.my_approvals(db, b, "pending") == []


def test_trigger_conditions_on_product_category(db: Database, admin: Actor, cat: Catalogue) -> None:
    rep = make_user(db, admin, "13900000331", perms=CAT_SALES)
    boss = make_user(db, admin, "13900000332", perms=CAT_SALES)
    for entity in ("contract", "opportunity"):
        auto.create_rule(db, admin, RuleInput(
            name=f"设备{entity}", entity=entity, event="created", condition=in_category(cat.cnc),
            actions=({"type": "message", "to": "users", "user_ids": [boss.user_id], "title": "设备 {name}",
                      "body": ""},)))
    auto.create_rule(db, admin, RuleInput(
        name="无分类", entity="contract", event="edited", condition=in_category(op="empty"),
        actions=({"type": "message", "to": "users", "user_ids": [boss.user_id], "title": "无分类 {name}",
                  "body": ""},)))
    cust = customers.create(db, rep, {"name": "泉州机械有限公司"})
    contracts.create(db, rep, {"name": "五轴合同", "customer_id": cust.id}, lines=lines(cat.p_five_axis))
    contracts.create(db, rep, {"name": "整机合同", "customer_id": cust.id}, lines=lines(cat.p_equipment))
    opportunities.create(db, rep, {"name": "机床商机", "customer_id": cust.id}, lines=lines(cat.p_cnc, cat.p_plain))
    opportunities.create(db, rep, {"name": "耗材商机", "customer_id": cust.id}, lines=lines(cat.p_consumable))
    # 五轴 is under 数控机床: fires; 设备 itself is above 数控机床: does not.
    assert titles(db, boss.user_id) == ["设备 五轴合同", "设备 机床商机"]

    # "is empty": fires once the lines hold no categorised product (an uncategorised one is no category).
    plain = contracts.create(db, rep, {"name": "服务合同", "customer_id": cust.id}, lines=lines(cat.p_consumable))
    contracts.update(db, rep, plain.id, expected_version=plain.version, changes={"remark": "改"})
    assert titles(db, boss.user_id)[-1] == "设备 机床商机"
    again = contracts.get(db, rep, plain.id)
    contracts.update(db, rep, plain.id, expected_version=again.version, changes={}, lines=lines(cat.p_plain))
    assert titles(db, boss.user_id)[-1] == "无分类 服务合同"


def test_conditions_name_the_field_only_where_it_works(db: Database, admin: Actor, cat: Catalogue) -> None:
    def rule(condition: dict[str, Any], entity: str = "contract") -> None:
        auto.create_rule(db, admin, RuleInput(
            name="x", entity=entity, event="edited", condition=condition,
            actions=({"type": "set_field", "field": "remark", "value": "x"},)))

    before = {"match": "all", "groups": [{"match": "all", "conditions": [
        {"field": "before:product_category", "op": "in", "value": [cat.equipment]}]}]}
    bad = [(before, "contract"), (in_category(cat.equipment), "customer"),
           (in_category(op="in"), "contract"),  # nothing chosen
           ({"match": "all", "groups": [{"match": "all", "conditions": [
               {"field": "product_category", "op": "contains", "value": [cat.cnc, cat.equipment]}]}]}, "contract"),
           ({"match": "all", "groups": [{"match": "all", "conditions": [
               {"field": "product_category", "op": "gt", "value": cat.cnc}]}]}, "contract"),
           ({"match": "all", "groups": [{"match": "all", "conditions": [
               {"field": "product_category", "op": "in", "value": ["设备"]}]}]}, "contract")]
    for condition, entity in bad:
        with pytest.raises(ValidationError):
            rule(condition, entity)
    with pytest.raises(ValidationError):  # nor can a rule set it
        auto.create_rule(db, admin, RuleInput(name="y", entity="contract", event="edited", actions=(
            {"type": "set_field", "field": "product_category", "value": [cat.cnc]},)))
    with pytest.raises(ValidationError):  # a flow validates its branches the same way
        appr.create_flow(db, admin, FlowInput(name="f", entity="contract", binding="manual", branches=(
            {"name": "b", "condition": before, "nodes": [one_node(admin.user_id)]},)))
    # Not a field of forms, columns, sorting or export: the schema does not list it.
    with db.sessions() as s:
        assert "product_category" not in {f.name for f in load_fields(s, "contract")}
    with pytest.raises(ValidationError):
        contracts.list_page(db, admin, sort="product_category")


def test_derived_value_is_computed_only_when_a_condition_names_it(
    db: Database, admin: Actor, cat: Catalogue, monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    real = derived_fields.record_categories

    def counted(session: Any, entity: str, record_id: int) -> list[int]:
        calls.append(record_id)
        return real(session, entity, record_id)

    monkeypatch.setattr(derived_fields, "record_categories", counted)
    rep = make_user(db, admin, "13900000341", perms=SALES)
    auto.create_rule(db, admin, RuleInput(
        name="大单", entity="contract", event="created", condition={"match": "all", "groups": [
            {"match": "all", "conditions": [{"field": "amount", "op": "gte", "value": "1"}]}]},
        actions=({"type": "set_field", "field": "remark", "value": "大单"},)))
    cid = new_contract(db, rep, "普通合同", [cat.p_cnc])
    assert contracts.get(db, rep, cid).values["remark"] == "大单" and calls == []
    auto.create_rule(db, admin, RuleInput(
        name="设备单", entity="contract", event="created", condition=in_category(cat.equipment),
        actions=({"type": "set_field", "field": "payment_terms", "value": "设备款"},)))
    cid = new_contract(db, rep, "设备合同", [cat.p_cnc])
    assert contracts.get(db, rep, cid).values["payment_terms"] == "设备款" and calls == [cid]


LIST_CASES = [("in", "EQ"), ("in", "CNC"), ("in", "5AX"), ("in", "CON"), ("in", "CNC+CON"), ("in", "NONE"),
              ("contains", "EQ"), ("contains", "CNC"), ("not_contains", "EQ"), ("not_contains", "CON"),
              ("empty", None), ("not_empty", None)]


def test_list_filter_picks_what_the_condition_picks(db: Database, admin: Actor, cat: Catalogue) -> None:
    """Each operator, evaluated in Python over ``derived_values``, picks exactly the records the
    list's SQL filter picks — for contracts and opportunities, counts included."""
    rep = make_user(db, admin, "13900000351", perms=CAT_SALES)
    cust = customers.create(db, rep, {"name": "厦门精工有限公司"})
    mixes = [[cat.p_equipment], [cat.p_cnc], [cat.p_five_axis], [cat.p_consumable], [cat.p_plain], [],
             [cat.p_consumable, cat.p_five_axis], [cat.p_plain, cat.p_consumable], [cat.p_cnc, cat.p_cnc]]
    for n, mix in enumerate(mixes):
        contracts.create(db, rep, {"name": f"合同{n}", "customer_id": cust.id}, lines=lines(*mix))
        opportunities.create(db, rep, {"name": f"商机{n}", "customer_id": cust.id}, lines=lines(*mix))
    values = {"EQ": cat.equipment, "CNC": cat.cnc, "5AX": cat.five_axis, "CON": cat.consumables,
              "CNC+CON": [cat.cnc, cat.consumables], "NONE": [999999]}
    for service, model in ((contracts, Contract), (opportunities, Opportunity)):
        entity = service.module
        with db.sessions() as s:
            specs = {f.name: f for f in load_fields(s, entity)} | {f.name: f for f in DERIVED_FIELDS[entity]}
            policy = FieldPolicy(model, service.fields, service.required, None)
            records = [(r.id, policy.current(r) | derived_values_of(s, entity, r.id)) for r in s.query(model)]
        assert len(records) == len(mixes)
        seen: set[frozenset[int]] = set()
        for op, key in LIST_CASES:
            value = values.get(key or "")
            if op == "in" and not isinstance(value, list):
                value = [value]
            flt = {"match": "all", "conditions": [{"field": "product_category", "op": op, "value": value}]}
            in_sql = {r.id for r in service.list_page(db, rep, filter=Filter.from_json(flt)).rows}
            in_python = {rid for rid, vals in records
                         if conditions.matches(specs, conditions.groups_of({"groups": [flt]}), vals, {})}
            assert in_python == in_sql, (entity, op, key)
            assert service.count(db, rep, filter=Filter.from_json(flt)) == len(in_sql)
            seen.add(frozenset(in_sql))
        assert len(seen) >= 6  # the cases tell the records apart: no case matches all or nothing by accident
    # The derived set holds the ancestors: a 五轴 line is in 五轴, 数控机床 and 设备.
    with db.sessions() as s:
        five = next(r.id for r in s.query(Contract) if r.name == "合同2")
        assert derived_values_of(s, "contract", five)["product_category"] == sorted(
            [cat.equipment, cat.cnc, cat.five_axis])
    # A bad value is refused in words, as in any list filter.
    with pytest.raises(ValidationError):
        contracts.list_page(db, rep, filter=Filter.from_json({"match": "all", "conditions": [
            {"field": "product_category", "op": "in", "value": ["设备"]}]}))


def derived_values_of(session: Any, entity: str, record_id: int) -> dict[str, Any]:
    return derived_fields.derived_values(session, entity, record_id, {"product_category"})
