"""Import (issue 14): the engine's rules on SQLite and PostgreSQL — the same rules as the form
(required, types, dictionaries, field permissions, the import permission, owners in scope,
duplicate claims in the file and in the database), the duplicate policies, dry run, error file,
undo and the remembered mapping."""
from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from crm_desktop.bootstrap import subscribe_refresh
from crm_desktop.db import Database
from crm_desktop.models import Contact, Customer, ImportBatch, Product, ProductCategory
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.leads import leads
from crm_desktop.services.errors import PermissionDenied
from crm_desktop.services.events import RecordCreated
from crm_desktop.services.imports import engine as imp
from crm_desktop.services.imports.reading import FileProblem
from crm_desktop.services.org import departments
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.records import search
from crm_desktop.services.records.duplicates import set_duplicate_check_mode
from crm_desktop.services.records.schema import Access, FieldType
from crm_desktop.services.records.schema_admin import (
    CustomFieldInput,
    create_custom_field,
    set_field_permissions,
)
from tests.import_helpers import counts, person, xlsx

HEAD = ["客户名称", "电话", "手机", "客户级别", "地址", "联系人", "联系电话", "职务", "建档日期", "负责人"]


def customers_file(tmp_path: Path, rows: list[list[object]], *, head: list[str] = HEAD, name: str = "c.xlsx") -> Path:
    return xlsx(tmp_path / name, [["2026 年客户名单"], head, *rows])


def opts(**kw: object) -> imp.ImportOptions:
    return imp.ImportOptions(entity=str(kw.pop("entity", "customer")), **kw)  # type: ignore[arg-type]


def test_customers_come_in_with_contact_region_owner_and_created_time(db: Database, admin: Actor, tmp_path: Path) -> None:
    rep = person(db, admin, dept=admin.department_id, name="李娜")
    f = customers_file(tmp_path, [
        ["厦门星辰科技有限公司", "0592-1234567", "138 0000 1234", "A（重点客户）", "福建省厦门市思明区软件园二期",
         "张三", "13900001111", "总经理", "2024/3/5", "管理员"],
        ["福州海鑫贸易有限公司", None, "13800001235", "B", "厦门市湖里区高崎路1号", "李四", "0591-88886666", None,
         46362, rep.mobile],
        ["合计", None, None, None, None, None, None, None, None, None],
    ])
    dry = imp.dry_run(db, admin, f, opts())
    assert (dry.new, dry.updated, dry.skipped, dry.failed) == (2, 0, 0, 0)
    assert counts(db)["customers"] == 0  # a dry run writes nothing
    result = imp.run_import(db, admin, f, opts())
    assert result.summary() == f"imported=2 updated=0 skipped=0 failed=0 batch={result.batch_id}"
    with db.sessions() as s:
        rows = {c.name: c for c in s.scalars(select(Customer))}
        star = rows["厦门星辰科技有限公司"]
        assert (star.province, star.city, star.district, star.address) == ("福建省", "厦门市", "思明区", "软件园二期")
        assert (star.mobile, star.phone, star.level, star.owner_id) == ("13800001234", "0592-1234567", "A", admin.user_id)
        assert star.created_at.date().isoformat() == "2024-03-05"
        assert star.normalized_name == "星辰科技"
        other = rows["福州海鑫贸易有限公司"]
        assert other.owner_id == rep.user_id and other.created_at.date().isoformat() == "2026-12-06"
        people = {c.name: c for c in s.scalars(select(Contact))}
        assert people["张三"].customer_id == star.id and people["张三"].is_primary
        assert (people["张三"].mobile, people["张三"].position) == ("13900001111", "总经理")
        assert (people["李四"].phone, people["李四"].mobile) == ("0591-88886666", "")
    log = customers.operation_log(db, admin, star.id)
    assert [(e.action, [(c.field, c.new) for c in e.changes]) for e in log] == [
        ("import", [("import_batch", result.batch_id)])]
    found = search.search(db, admin, "xmxc")
    assert [h.id for h in found.all() if h.entity == "customer"] == [star.id]
    assert imp.get_batch(db, admin, result.batch_id).status == "done"


def test_each_bad_row_is_reported_and_the_good_rows_imported(db: Database, admin: Actor, tmp_path: Path) -> None:
    f = customers_file(tmp_path, [
        ["好公司", None, "13800001111", "A", None, None, None, None, None, None],
        [None, None, "13800001112", None, None, None, None, None, None, None],  # no name
        ["坏手机", None, "12ab", None, None, None, None, None, None, None],
        ["坏级别", None, None, "Z级", None, None, None, None, None, None],
        ["坏日期", None, None, None, None, None, None, None, "明天", None],
        ["没这人", None, None, None, None, None, None, None, None, "王五"],
    ])
    result = imp.run_import(db, admin, f, opts())
    assert (result.created, result.failed) == (1, 5)
    reasons = {(e.row, e.column): e.reason for e in result.errors}
    assert reasons[(4, "客户名称")] == "Required."
    assert reasons[(5, "手机")] == "Enter a mobile number (digits only)."
    assert "dictionary" in reasons[(6, "客户级别")]
    assert "date" in reasons[(7, "建档日期")]
    assert "user" in reasons[(8, "负责人")]
    assert [c.values["name"] for c in customers.list_page(db, admin).rows] == ["好公司"]


def test_unknown_dictionary_values_can_be_added(db: Database, admin: Actor, tmp_path: Path) -> None:
    f = customers_file(tmp_path, [["新级别公司", None, None, "S", None, None, None, None, None, None]])
    assert imp.dry_run(db, admin, f, opts()).failed == 1
    result = imp.run_import(db, admin, f, opts(unknown_values="add"))
    assert result.created == 1
    assert customers.list_page(db, admin).rows[0].values["level"] == "S"


def test_duplicates_in_the_file_and_the_database_follow_the_policy(db: Database, admin: Actor, tmp_path: Path) -> None:
    existing = customers.create(db, admin, {"name": "厦门星辰科技有限公司", "phone": "0592-1234567", "remark": "老"})
    f = xlsx(tmp_path / "d.xlsx", [
        ["客户名称", "电话", "手机", "备注"],
        ["星辰科技（厦门）有限公司", None, None, "新备注"],  # similar name: the duplicate-claim key
        ["另一家公司", "+86 592 1234567", None, None],  # same phone, written differently
        ["第三家公司", None, "13800009999", None],
        ["第三家有限公司", None, "138-0000-9999", None],  # same mobile as the row above
    ])
    skip = imp.dry_run(db, admin, f, opts(on_duplicate="skip"))
    assert (skip.new, skip.skipped, skip.failed) == (1, 2, 1)
    assert any("row 4" in e.reason for e in skip.errors)
    update = imp.dry_run(db, admin, f, opts(on_duplicate="update"))
    assert update.updated == 1 and update.failed == 2  # the phone row matches the same record: one only
    assert update.diffs[2] == {"remark": ("老", "新备注")}
    with pytest.raises(FileProblem) as stop:
        imp.dry_run(db, admin, f, opts(on_duplicate="stop"))
    assert "Row 2" in str(stop.value)
    create = imp.dry_run(db, admin, f, opts(on_duplicate="create"))
    assert (create.new, create.failed) == (4, 0)
    before = counts(db)
    result = imp.run_import(db, admin, f, opts(on_duplicate="update"))
    assert (result.created, result.updated) == (1, 1)
    assert customers.get(db, admin, existing.id).values["remark"] == "新备注"
    undone = imp.undo_import(db, admin, result.batch_id)
    assert (undone.deleted, undone.restored, undone.changed_since) == (1, 1, ())
    assert customers.get(db, admin, existing.id).values["remark"] == "老"
    after = counts(db)
    assert after["customers"] == before["customers"] and after["contacts"] == before["contacts"]


def test_block_mode_refuses_create_anyway(db: Database, admin: Actor, tmp_path: Path) -> None:
    customers.create(db, admin, {"name": "厦门星辰科技有限公司"})
    set_duplicate_check_mode(db, admin, "block")
    f = xlsx(tmp_path / "b.xlsx", [["客户名称"], ["星辰科技有限公司"], ["全新公司"]])
    result = imp.run_import(db, admin, f, opts(on_duplicate="create"))
    assert (result.created, result.failed) == (1, 1)
    assert "duplicate" in result.errors[0].reason


def test_undo_leaves_records_changed_since(db: Database, admin: Actor, tmp_path: Path) -> None:
    f = xlsx(tmp_path / "u.xlsx", [["客户名称"], ["甲公司"], ["乙公司"]])
    result = imp.run_import(db, admin, f, opts())
    touched = next(c for c in customers.list_page(db, admin).rows if c.values["name"] == "甲公司")
    customers.update(db, admin, touched.id, expected_version=touched.version, changes={"remark": "跟进过"})
    undone = imp.undo_import(db, admin, result.batch_id)
    assert undone.deleted == 1 and undone.changed_since == (("customer", touched.id),)
    assert [c.values["name"] for c in customers.list_page(db, admin).rows] == ["甲公司"]
    with pytest.raises(Exception, match="undone"):
        imp.undo_import(db, admin, result.batch_id)


def test_field_permissions_apply(db: Database, admin: Actor, tmp_path: Path) -> None:
    rep = person(db, admin, dept=admin.department_id)
    set_field_permissions(db, admin, rep.role_ids[0], "customer", {"remark": Access.READ, "email": Access.HIDDEN})
    f = xlsx(tmp_path / "p.xlsx", [["客户名称", "备注"], ["甲公司", "x"]])
    with pytest.raises(FileProblem) as err:
        imp.dry_run(db, rep, f, opts())
    assert "read-only" in str(err.value)
    hidden = xlsx(tmp_path / "h.xlsx", [["客户名称", "邮箱"], ["甲公司", "a@b.cn"]])
    info = imp.inspect_file(db, rep, hidden, entity="customer")
    assert [c.target for c in info.columns] == ["name", None]  # a hidden field is not offered
    with pytest.raises(FileProblem):
        imp.dry_run(db, rep, hidden, opts(mapping={"客户名称": "name", "邮箱": "email"}))


def test_the_import_permission_is_needed(db: Database, admin: Actor, tmp_path: Path) -> None:
    plain = person(db, admin, dept=admin.department_id, actions=())
    f = xlsx(tmp_path / "x.xlsx", [["客户名称"], ["甲公司"]])
    with pytest.raises(PermissionDenied):
        imp.dry_run(db, plain, f, opts())
    with pytest.raises(PermissionDenied):
        imp.run_import(db, plain, f, opts())
    assert counts(db)["customers"] == 0


def test_owners_must_be_inside_the_importers_scope(db: Database, admin: Actor, tmp_path: Path) -> None:
    east = departments.create_department(db, admin, "华东", parent_id=admin.department_id).id
    west = departments.create_department(db, admin, "华西", parent_id=admin.department_id).id
    manager = person(db, admin, dept=east, actions=("import", "transfer"), scope=DataScope.DEPARTMENT)
    colleague = person(db, admin, dept=east, name="同事")
    stranger = person(db, admin, dept=west, name="外人")
    rep = person(db, admin, dept=east, actions=("import",), scope=DataScope.DEPARTMENT)
    f = xlsx(tmp_path / "o.xlsx", [["客户名称", "负责人"], ["甲公司", "同事"], ["乙公司", "外人"], ["丙公司", None]])
    result = imp.run_import(db, manager, f, opts())
    assert (result.created, result.failed) == (2, 1)
    assert result.errors[0].row == 3 and "scope" in result.errors[0].reason
    with db.sessions() as s:
        owners = dict(s.execute(select(Customer.name, Customer.owner_id)).all())
    assert owners == {"甲公司": colleague.user_id, "丙公司": manager.user_id}
    # Without transfer permission only the importer may own the records.
    f2 = xlsx(tmp_path / "o2.xlsx", [["客户名称", "负责人"], ["丁公司", "同事"]])
    assert imp.run_import(db, rep, f2, opts()).failed == 1
    with pytest.raises(FileProblem):
        imp.dry_run(db, manager, f2, opts(owner_id=stranger.user_id))


@pytest.mark.shared_role("the import's match against records outside the importer's scope (the duplicate check's server side)")
def test_an_update_never_reaches_outside_the_scope(db: Database, admin: Actor, tmp_path: Path) -> None:
    rep = person(db, admin, dept=admin.department_id, actions=("import",))
    theirs = customers.create(db, admin, {"name": "别人的公司", "remark": "原样"})
    f = xlsx(tmp_path / "s.xlsx", [["客户名称", "备注"], ["别人的公司", "改掉"]])
    result = imp.run_import(db, rep, f, opts(on_duplicate="update"))
    assert (result.updated, result.failed) == (0, 1)
    assert "may not edit" in result.errors[0].reason
    assert customers.get(db, admin, theirs.id).values["remark"] == "原样"
    # Skip tells only that it exists (as the duplicate-claim check does).
    assert imp.run_import(db, rep, f, opts()).skipped == 1


def test_custom_fields_import_typed_and_unique(db: Database, admin: Actor, tmp_path: Path) -> None:
    create_custom_field(db, admin, "customer", CustomFieldInput(label="注册资本", type=FieldType.MONEY))
    create_custom_field(db, admin, "customer", CustomFieldInput(label="税号", type=FieldType.TEXT, unique=True))
    create_custom_field(db, admin, "customer", CustomFieldInput(label="成立日期", type=FieldType.DATE))
    f = xlsx(tmp_path / "cf.xlsx", [["客户名称", "注册资本", "税号", "成立日期"],
                                    ["甲公司", "500万", "T1", "2001年2月3日"],
                                    ["乙公司", "-1", "T2", None],
                                    ["丙公司", None, "T1", None]])
    result = imp.run_import(db, admin, f, opts())
    assert (result.created, result.failed) == (1, 2)
    row = customers.list_page(db, admin).rows[0]
    assert sorted(row.custom.values()) == ["2001-02-03", "5000000.00", "T1"]


def test_the_mapping_is_remembered_per_user_and_header_set(db: Database, admin: Actor, tmp_path: Path) -> None:
    f = xlsx(tmp_path / "m.xlsx", [["公司", "座机"], ["甲公司", "0592-1234567"]])
    assert [c.target for c in imp.inspect_file(db, admin, f, entity="customer").columns] == [None, None]
    mapping = {"公司": "name", "座机": "phone"}
    imp.run_import(db, admin, f, opts(mapping=mapping))
    again = xlsx(tmp_path / "m2.xlsx", [["座机", "公司"], ["0592-7654321", "乙公司"]])
    info = imp.inspect_file(db, admin, again, entity="customer")
    assert [(c.target, c.how) for c in info.columns] == [("phone", "remembered"), ("name", "remembered")]
    other = person(db, admin, dept=admin.department_id)
    assert [c.target for c in imp.inspect_file(db, other, again, entity="customer").columns] == [None, None]


def test_error_file_then_fixed_and_imported_again(db: Database, admin: Actor, tmp_path: Path) -> None:
    f = customers_file(tmp_path, [["甲公司", None, "13800001111", None, None, None, None, None, None, None],
                                  ["乙公司", None, "bad", None, None, None, None, None, None, None]])
    result = imp.run_import(db, admin, f, opts())
    out = imp.write_error_file(f, result, tmp_path / "errors.xlsx")
    ws = load_workbook(out).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0][:3] == ["客户名称", "电话", "手机"] and rows[0][-1] == "Reason"
    assert rows[1][0] == "乙公司" and "mobile" in rows[1][-1]
    ws.cell(row=2, column=3, value="13800002222")
    load_workbook(out).close()
    book = load_workbook(out)
    book.active.cell(row=2, column=3, value="13800002222")
    book.save(out)
    again = imp.run_import(db, admin, out, opts())
    assert (again.created, again.failed) == (1, 0)
    assert counts(db)["customers"] == 2


def test_all_or_nothing(db: Database, admin: Actor, tmp_path: Path) -> None:
    f = xlsx(tmp_path / "a.xlsx", [["客户名称", "手机"], ["甲公司", "13800001111"], ["乙公司", "x"]])
    with pytest.raises(FileProblem) as err:
        imp.run_import(db, admin, f, opts(all_or_nothing=True))
    assert "nothing was imported" in str(err.value)
    assert counts(db)["customers"] == 0


def test_rules_run_only_when_asked(db: Database, admin: Actor, tmp_path: Path) -> None:
    seen: list[object] = []
    subscribe_refresh(db, lambda event, _uow: seen.append(event))
    f = xlsx(tmp_path / "r.xlsx", [["客户名称"], ["甲公司"]])
    imp.run_import(db, admin, f, opts())
    assert not [e for e in seen if isinstance(e, RecordCreated)]
    f2 = xlsx(tmp_path / "r2.xlsx", [["客户名称"], ["乙公司"]])
    imp.run_import(db, admin, f2, opts(run_rules=True))
    assert [e.entity for e in seen if isinstance(e, RecordCreated)] == ["customer"]


def test_leads_contacts_and_products(db: Database, admin: Actor, tmp_path: Path) -> None:
    lead_file = xlsx(tmp_path / "l.xlsx", [["线索名称", "联系人", "手机"], ["线索公司", "赵六", "13700001111"]])
    assert imp.run_import(db, admin, lead_file, opts(entity="lead")).created == 1
    assert leads.list_page(db, admin).rows[0].values["contact_name"] == "赵六"
    owner = customers.create(db, admin, {"name": "厦门星辰科技有限公司", "credit_code": "91350200MA2XXXXX1X"})
    contact_file = xlsx(tmp_path / "ct.xlsx", [["姓名", "所属客户", "手机", "职务"],
                                               ["钱七", "厦门星辰科技有限公司", "13700002222", "采购"],
                                               ["孙八", "91350200MA2XXXXX1X", "13700003333", None],
                                               ["周九", "不存在的公司", None, None]])
    result = imp.run_import(db, admin, contact_file, opts(entity="contact"))
    assert (result.created, result.failed) == (2, 1)
    with db.sessions() as s:
        assert set(s.scalars(select(Contact.customer_id))) == {owner.id}
    product_file = xlsx(tmp_path / "p.xlsx", [["产品名称", "产品编码", "产品分类", "标准价格", "上架"],
                                              ["数控机床", "P-1", "设备/机床", "¥12,000", "是"],
                                              ["配件", "P-2", "设备", "3万", "否"],
                                              ["重复", "P-1", None, "1", None],
                                              ["负价", "P-3", None, "-5", None]])
    result = imp.run_import(db, admin, product_file, opts(entity="product"))
    assert (result.created, result.failed) == (2, 2)
    with db.sessions() as s:
        cats = dict(s.execute(select(ProductCategory.id, ProductCategory.name)).all())
        made = {p.code: (str(p.price), cats.get(p.category_id), p.on_shelf) for p in s.scalars(select(Product))}
    assert made == {"P-1": ("12000.00", "机床", True), "P-2": ("30000.00", "设备", False)}
    again = imp.run_import(db, admin, product_file, opts(entity="product"))
    assert again.created == 0 and again.skipped == 2


def test_kept_batch_record(db: Database, admin: Actor, tmp_path: Path) -> None:
    f = xlsx(tmp_path / "k.xlsx", [["客户名称"], *[[f"公司{i}"] for i in range(7)]])
    result = imp.run_import(db, admin, f, opts(batch_size=3))
    with db.sessions() as s:
        batch = s.get(ImportBatch, result.batch_id)
        assert batch is not None
        assert (batch.status, batch.rows_done, batch.total_rows, batch.created_count) == ("done", 7, 7, 7)


def test_the_template_imports_its_own_example(db: Database, admin: Actor, tmp_path: Path) -> None:
    from openpyxl import load_workbook as load

    from crm_desktop.services.imports.template import write_template

    create_custom_field(db, admin, "customer", CustomFieldInput(label="注册资本", type=FieldType.MONEY,
                                                                help_text="单位：元"))
    path = write_template(db, admin, "customer", tmp_path / "模板.xlsx")
    book = load(path)
    ws = book["导入模板"]
    headers = [c.value for c in ws[1]]
    assert headers[0] == "客户名称 *" and ws.cell(row=1, column=1).font.color.rgb.endswith("C00000")
    assert "联系人" in headers and "负责人" in headers and "注册资本" in headers
    assert ws.cell(row=1, column=headers.index("注册资本") + 1).comment.text.startswith("单位")
    assert ws.data_validations.dataValidation  # dictionary drop-downs
    assert book["选项"].sheet_state == "hidden"
    result = imp.run_import(db, admin, path, opts())
    assert (result.created, result.failed) == (1, 0), result.errors


def test_the_generator_form_reports_progress_and_stops_between_chunks(db: Database, admin: Actor,
                                                                        tmp_path: Path) -> None:
    f = xlsx(tmp_path / "g.xlsx", [["客户名称"], *[[f"公司{i}"] for i in range(10)]])
    steps = imp.import_steps(db, admin, f, opts(batch_size=4))
    assert next(steps) == (4, 10, "")
    steps.close()  # what the progress dialog's Cancel does
    with db.sessions() as s:
        batch = s.scalars(select(ImportBatch)).one()
        assert (batch.status, batch.created_count) == ("interrupted", 4)
    result = imp.resume_import(db, admin, batch.id)
    assert result.created == 6 and counts(db)["customers"] == 10


def test_a_full_width_name_matches_as_typed(db: Database, admin: Actor, tmp_path: Path) -> None:
    with db.sessions.begin() as s:  # as a bulk load leaves it: no normalized name to fall back on
        s.add(Customer(name="星辰（厦门）科技有限公司", owner_id=admin.user_id, creator_id=admin.user_id, custom={},
                       normalized_name=""))
    f = xlsx(tmp_path / "fw.xlsx", [["客户名称"], ["星辰（厦门）科技有限公司"]])
    assert imp.run_import(db, admin, f, opts()).skipped == 1
