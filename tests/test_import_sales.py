"""Import of the sales chain and follow-ups (issue 14): opportunities with their stage, contracts
with their product lines (one line per row), payments against a contract by number, follow-ups
on a customer by name — each row through its service's own insert, on SQLite and PostgreSQL;
a row the service refuses fails with its reason and leaves nothing; undo removes the batch and
puts the totals it fed (received amounts, follow-up summaries) back."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm_desktop.db import Database
from crm_desktop.models import (
    Contract,
    ContractLine,
    Customer,
    FollowUp,
    Opportunity,
    Payment,
    Stage,
    StageChange,
)
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import PermissionDenied
from crm_desktop.services.imports import engine as imp
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.sales.products import products
from crm_desktop.services.sales.stages import DEFAULT_STAGES
from tests.import_helpers import xlsx


def _customers(db: Database, admin: Actor, *names: str) -> dict[str, int]:
    return {n: customers.create(db, admin, {"name": n}).id for n in names}


def _count(db: Database, model: type) -> int:
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_opportunities_take_their_customer_stage_and_closed_state(db: Database, admin: Actor, tmp_path: Path) -> None:
    ids = _customers(db, admin, "厦门星辰科技有限公司", "福州海鑫贸易有限公司")
    second = DEFAULT_STAGES[1][0]  # a new company: the default group, seeded at the first opportunity
    f = xlsx(tmp_path / "o.xlsx", [
        ["商机名称", "客户名称", "商机金额", "预计成交日期", "阶段", "输单原因"],
        ["星辰 ERP 升级", "厦门星辰科技有限公司", "12万", "2027/3/31", second, None],
        ["海鑫仓储系统", "福州海鑫贸易有限公司", "¥80,000", "2027-01-15", "赢单", None],
        ["海鑫 CRM", "福州海鑫贸易有限公司", 5000, None, "输单", "预算砍掉"],
        ["无主商机", "不存在的公司", 1, None, None, None],
        ["怪阶段", "厦门星辰科技有限公司", 1, None, "第九阶段", None],
    ])
    dry = imp.dry_run(db, admin, f, imp.ImportOptions(entity="opportunity"))
    assert (dry.new, dry.failed) == (3, 2)
    result = imp.run_import(db, admin, f, imp.ImportOptions(entity="opportunity"))
    assert (result.created, result.failed) == (3, 2)
    assert {e.row for e in result.errors} == {5, 6}
    with db.sessions() as s:
        rows = {o.name: o for o in s.scalars(select(Opportunity))}
        erp = rows["星辰 ERP 升级"]
        assert (erp.customer_id, erp.amount, erp.status) == (ids["厦门星辰科技有限公司"], Decimal("120000.00"), "open")
        assert s.get(Stage, erp.stage_id).name == second
        assert erp.expected_close_date == dt.date(2027, 3, 31)
        assert rows["海鑫仓储系统"].status == "won" and rows["海鑫仓储系统"].closed_at is not None
        assert (rows["海鑫 CRM"].status, rows["海鑫 CRM"].lost_reason) == ("lost", "预算砍掉")
        history = s.scalars(select(StageChange.to_stage_id).where(StageChange.opportunity_id == erp.id)
                            .order_by(StageChange.id)).all()
        assert len(history) == 2  # created at the first stage, then moved: the board's history holds
    # The same file again: the three exist (name within the customer) and are skipped.
    again = imp.dry_run(db, admin, f, imp.ImportOptions(entity="opportunity"))
    assert (again.new, again.skipped) == (0, 3)
    undone = imp.undo_import(db, admin, result.batch_id)
    assert undone.deleted == 3 and _count(db, Opportunity) == 0 and _count(db, StageChange) == 0


def test_contracts_come_in_approved_with_their_lines_and_number(db: Database, admin: Actor, tmp_path: Path) -> None:
    ids = _customers(db, admin, "厦门星辰科技有限公司")
    lathe = products.create(db, admin, {"name": "数控车床", "code": "CK6150", "price": Decimal("50000")})
    f = xlsx(tmp_path / "c.xlsx", [
        ["合同编号", "合同名称", "客户名称", "下单日期", "产品", "数量", "单价"],
        ["HT-2025-001", "车床采购", "厦门星辰科技有限公司", "2025/6/1", "CK6150", 2, 48000],
        ["HT-2025-001", None, None, None, "安装调试服务", 1, 3000],
        ["HT-2025-002", "备件", "厦门星辰科技有限公司", "2025/7/1", None, None, None],
    ])
    result = imp.run_import(db, admin, f, imp.ImportOptions(entity="contract"))
    assert (result.created, result.skipped, result.failed) == (2, 1, 0), result.errors
    with db.sessions() as s:
        first = s.scalar(select(Contract).where(Contract.number == "HT-2025-001"))
        assert first is not None and first.customer_id == ids["厦门星辰科技有限公司"]
        assert first.approval_status == "approved" and first.amount == Decimal("99000.00")
        lines = s.scalars(select(ContractLine).where(ContractLine.contract_id == first.id)
                          .order_by(ContractLine.position)).all()
        assert [(ln.product_id, ln.quantity, ln.price) for ln in lines] == [
            (lathe.id, Decimal("2"), Decimal("48000.00")), (None, Decimal("1"), Decimal("3000.00"))]
        assert lines[1].product_name == "安装调试服务"
        assert s.get(Customer, ids["厦门星辰科技有限公司"]).deal_status == "deal"
    # A number already there is skipped; "update" does not change a contract either.
    again = imp.dry_run(db, admin, f, imp.ImportOptions(entity="contract", on_duplicate="update"))
    assert (again.new, again.updated) == (0, 0)


def test_payments_need_a_visible_contract_and_count_into_it(db: Database, admin: Actor, tmp_path: Path) -> None:
    _customers(db, admin, "厦门星辰科技有限公司")
    contracts_file = xlsx(tmp_path / "c.xlsx", [
        ["合同编号", "合同名称", "客户名称", "合同金额"],
        ["HT-1", "年度服务", "厦门星辰科技有限公司", 100000],
    ])
    assert imp.run_import(db, admin, contracts_file, imp.ImportOptions(entity="contract")).created == 1
    f = xlsx(tmp_path / "p.xlsx", [
        ["回款编号", "合同编号", "回款金额", "回款日期", "备注"],
        ["HK-1", "HT-1", "3万", "2025/8/1", "首付款"],
        ["HK-2", "HT-1", 50000, "2025/9/1", None],
        ["HK-3", "HT-1", 30000, "2025/10/1", "超出未回款"],
        ["HK-4", "HT-404", 1, "2025/10/1", None],
    ])
    result = imp.run_import(db, admin, f, imp.ImportOptions(entity="payment"))
    assert (result.created, result.failed) == (2, 2)
    reasons = {e.row: e.reason for e in result.errors}
    assert "outstanding" in reasons[4] and "20000" in reasons[4]  # the service's own rule, its figure
    assert [e.column for e in result.errors if e.row == 4] == ["回款金额"]
    assert "No contract" in reasons[5]
    with db.sessions() as s:
        contract = s.scalar(select(Contract).where(Contract.number == "HT-1"))
        assert contract.received_amount == Decimal("80000.00")
        assert sorted(s.scalars(select(Payment.number))) == ["HK-1", "HK-2"]
        assert set(s.scalars(select(Payment.approval_status))) == {"approved"}
    imp.undo_import(db, admin, result.batch_id)
    with db.sessions() as s:
        assert s.scalar(select(Contract.received_amount).where(Contract.number == "HT-1")) == Decimal("0.00")
        assert _count(db, Payment) == 0


def test_followups_land_on_their_customer_and_undo_restores_its_summary(db: Database, admin: Actor,
                                                                         tmp_path: Path) -> None:
    ids = _customers(db, admin, "厦门星辰科技有限公司")
    f = xlsx(tmp_path / "f.xlsx", [
        ["客户名称", "跟进内容", "跟进时间", "下次联系时间"],
        ["厦门星辰科技有限公司", "电话沟通报价", "2025-05-06 10:30", "2025-05-20 09:00"],
        ["厦门星辰科技有限公司", "上门拜访", "2025-05-21 15:00", None],
        ["厦门星辰科技有限公司", None, "2025-05-22 15:00", None],
    ])
    result = imp.run_import(db, admin, f, imp.ImportOptions(entity="followup"))
    assert (result.created, result.failed) == (2, 1)
    with db.sessions() as s:
        star = s.get(Customer, ids["厦门星辰科技有限公司"])
        assert star.last_followup_content == "上门拜访"
        assert _count(db, FollowUp) == 2
    imp.undo_import(db, admin, result.batch_id)
    with db.sessions() as s:
        star = s.get(Customer, ids["厦门星辰科技有限公司"])
        assert (star.last_followup_content or "") == "" and star.last_followup_at is None
        assert _count(db, FollowUp) == 0


def test_an_importer_without_the_permission_is_refused(db: Database, admin: Actor, tmp_path: Path) -> None:
    from tests.import_helpers import person

    rep = person(db, admin, dept=admin.department_id, actions=())
    f = xlsx(tmp_path / "o.xlsx", [["商机名称", "客户名称"], ["x", "y"]])
    with pytest.raises(PermissionDenied):
        imp.dry_run(db, rep, f, imp.ImportOptions(entity="opportunity"))


def test_columns_without_a_field_become_custom_fields_typed_from_their_values(db: Database, admin: Actor,
                                                                              tmp_path: Path) -> None:
    f = xlsx(tmp_path / "c.xlsx", [
        ["客户名称", "注册资本", "法定代表人", "成立日期", "税号", "员工人数"],
        ["厦门星辰科技有限公司", "500万", "王强", "2015/3/8", "91350200MA2Y0XXXX1", 120],
        ["福州海鑫贸易有限公司", "1,200,000", "陈静", "2018年7月1日", "91350100123456789X", 35],
    ])
    info = imp.inspect_file(db, admin, f, entity="customer")
    suggested = dict(zip(info.headers, info.new_field_types, strict=True))
    assert suggested == {"客户名称": "", "注册资本": "money", "法定代表人": "text", "成立日期": "date",
                         "税号": "text", "员工人数": "integer"}
    chosen = {h: t for h, t in suggested.items() if t}
    dry = imp.dry_run(db, admin, f, imp.ImportOptions(entity="customer", new_fields=chosen))
    assert dry.new == 2
    from crm_desktop.services.records.schema import schema_for
    from crm_desktop.services.uow import read_only

    with read_only(db, admin) as uow:
        assert not [s for s in schema_for(uow.session, admin, "customer").fields if s.is_custom]  # dry run: none
    result = imp.run_import(db, admin, f, imp.ImportOptions(entity="customer", new_fields=chosen))
    assert result.created == 2
    with read_only(db, admin) as uow:
        fields = {s.label: s for s in schema_for(uow.session, admin, "customer").fields if s.is_custom}
    assert {k: v.type.value for k, v in fields.items()} == {"注册资本": "money", "法定代表人": "text",
                                                            "成立日期": "date", "税号": "text", "员工人数": "integer"}
    with db.sessions() as s:
        stored = s.scalar(select(Customer.custom).where(Customer.name == "厦门星辰科技有限公司"))
    values = {label: stored.get(spec.key) for label, spec in fields.items()}
    assert Decimal(str(values["注册资本"])) == Decimal("5000000")
    assert (values["法定代表人"], values["税号"], values["员工人数"]) == ("王强", "91350200MA2Y0XXXX1", 120)
    assert str(values["成立日期"]).startswith("2015-03-08")
    # The same headers again: the columns now map to the fields made the first time.
    again = imp.inspect_file(db, admin, f, entity="customer")
    assert all(t == "" for t in again.new_field_types)


@pytest.mark.parametrize("entity, wanted", [
    ("opportunity", {"商机名称", "客户名称", "阶段"}),
    ("contract", {"合同编号", "合同名称", "客户名称", "产品", "数量", "单价"}),
    ("payment", {"回款金额", "合同编号"}),
    ("followup", {"客户名称"}),
])
def test_each_module_has_a_template_that_imports_back(db: Database, admin: Actor, tmp_path: Path, entity: str,
                                                      wanted: set[str]) -> None:
    from openpyxl import load_workbook

    from crm_desktop.services.imports.template import write_template

    path = write_template(db, admin, entity, tmp_path / f"{entity}.xlsx")
    headers = {str(c.value).rstrip("* ") for c in load_workbook(path).active[1] if c.value}
    assert wanted <= headers, headers
    info = imp.inspect_file(db, admin, path, entity=entity)
    assert all(m.target for m in info.columns if m.header), info.columns  # every column maps back


def test_a_lead_matching_an_existing_one_by_a_similar_name_is_a_duplicate(db: Database, admin: Actor,
                                                                          tmp_path: Path) -> None:
    from crm_desktop.services.customers.leads import leads

    leads.create(db, admin, {"name": "厦门星辰科技有限公司"})
    f = xlsx(tmp_path / "l.xlsx", [["线索名称"], ["福建星辰科技有限公司"], ["星辰科技"], ["厦门海鑫贸易有限公司"],
                                   ["海鑫贸易"]])
    dry = imp.dry_run(db, admin, f, imp.ImportOptions(entity="lead"))
    # Row 2 is the stored 星辰科技 under another spelling (skipped); rows 3 and 5 repeat rows 2
    # and 4 of the file under another spelling (refused, as for customers).
    assert (dry.new, dry.skipped, dry.failed) == (1, 1, 2), dry.errors
    assert [(e.row, e.params) for e in dry.errors] == [(3, (("field", "线索名称"), ("row", 2))),
                                                       (5, (("field", "线索名称"), ("row", 4)))]


def test_contract_lines_can_come_from_a_second_sheet(db: Database, admin: Actor, tmp_path: Path) -> None:
    from openpyxl import Workbook

    _customers(db, admin, "厦门星辰科技有限公司")
    lathe = products.create(db, admin, {"name": "数控车床", "code": "CK6150", "price": Decimal(50000)})
    book = Workbook()
    head = book.active
    head.title = "合同"
    for row in (["合同编号", "合同名称", "客户名称"], ["HT-7", "车床", "厦门星辰科技有限公司"],
                ["HT-8", "服务", "厦门星辰科技有限公司"]):
        head.append(row)
    lines = book.create_sheet("产品明细")
    for row in (["产品明细表"], ["合同编号", "产品名称", "数量", "单价"], ["HT-7", "数控车床", 2, 48000],
                ["HT-7", "运输费", 1, 800], ["HT-8", "年度维保", "两次", 1000], ["HT-404", "x", 1, 1]):
        lines.append(row)
    path = tmp_path / "合同.xlsx"
    book.save(path)
    result = imp.run_import(db, admin, path, imp.ImportOptions(entity="contract"))
    assert (result.created, result.failed) == (1, 1)
    assert (result.errors[0].column, result.errors[0].reason) == ("产品明细!C5", "Not a number.")  # "两次"
    with db.sessions() as s:
        contract = s.scalar(select(Contract).where(Contract.number == "HT-7"))
        assert contract.amount == Decimal("96800.00")
        got = s.scalars(select(ContractLine.product_id).where(ContractLine.contract_id == contract.id)
                        .order_by(ContractLine.position)).all()
        assert got == [lathe.id, None]


def test_rules_run_for_imported_opportunities_only_when_asked_but_lists_hear_of_them(db: Database, admin: Actor,
                                                                                     tmp_path: Path) -> None:
    from crm_desktop.bootstrap import subscribe_refresh
    from crm_desktop.services.events import RecordCreated
    from crm_desktop.services.workflow import automation as auto
    from crm_desktop.services.workflow.automation import RuleInput

    _customers(db, admin, "厦门星辰科技有限公司")
    auto.create_rule(db, admin, RuleInput(name="备注", entity="opportunity", event="created",
                                          actions=({"type": "set_field", "field": "remark", "value": "规则来过"},)))
    seen: list[object] = []
    subscribe_refresh(db, lambda event, _uow: seen.append(event))
    quiet = xlsx(tmp_path / "a.xlsx", [["商机名称", "客户名称"], ["甲", "厦门星辰科技有限公司"]])
    imp.run_import(db, admin, quiet, imp.ImportOptions(entity="opportunity"))
    loud = xlsx(tmp_path / "b.xlsx", [["商机名称", "客户名称"], ["乙", "厦门星辰科技有限公司"]])
    imp.run_import(db, admin, loud, imp.ImportOptions(entity="opportunity", run_rules=True))
    with db.sessions() as s:
        remarks = dict(s.execute(select(Opportunity.name, Opportunity.remark)).all())
    assert remarks == {"甲": "", "乙": "规则来过"}
    # Either way the open lists and other PCs hear of the new records.
    assert sorted(e.entity for e in seen if isinstance(e, RecordCreated)) == ["opportunity", "opportunity"]
