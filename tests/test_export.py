"""xlsx export: the filtered list or the selection, columns by the actor's schema, hidden
fields left out, formula-looking text kept as text — both backends."""
from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from crm_desktop.db import Database
from crm_desktop.models import Customer
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import PermissionDenied
from crm_desktop.services.org import auth, roles, users
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.org.roles import RoleInput
from crm_desktop.services.org.users import UserInput
from crm_desktop.services.records.export import ExportRequest, export_xlsx
from crm_desktop.services.records.filters import Condition, Filter, Op
from crm_desktop.services.records.schema import Access
from crm_desktop.services.records.schema_admin import set_field_permissions
from crm_desktop.services.uow import unit_of_work


def run(gen: object) -> int:
    try:
        while True:
            next(gen)  # type: ignore[call-overload]
    except StopIteration as stop:
        return int(stop.value)


def sheet(path: Path) -> list[tuple[object, ...]]:
    return [tuple(r) for r in load_workbook(path, read_only=True).active.iter_rows(values_only=True)]


def test_export_the_filtered_list(db: Database, admin: Actor, tmp_path: Path) -> None:
    # More than one page of rows, written in one transaction (the service's create is tested
    # elsewhere; a thousand of its transactions only made this test slow).
    with unit_of_work(db, None) as uow:
        uow.session.add_all([Customer(name=f"客户{i:04d}", level="A" if i % 3 == 0 else "B", owner_id=admin.user_id,
                                      creator_id=admin.user_id) for i in range(1203)])
    customers.create(db, admin, {"name": "=HYPERLINK(\"http://x\")", "phone": "+86 592 1", "remark": "@SUM(A1)",
                                 "level": "A"})
    path = tmp_path / "客户.xlsx"
    count = run(export_xlsx(db, admin, customers, path, ExportRequest(
        columns=["name", "phone", "level", "remark", "owner_id"], filter=Filter((Condition("level", Op.EQ, "A"),)),
        sort="name", descending=False), labels={"name": "客户名称"}))
    rows = sheet(path)
    assert count == 402 and len(rows) == 403
    assert rows[0] == ("客户名称", "Phone", "Level", "Remark", "Owner")
    assert rows[1] == ("=HYPERLINK(\"http://x\")", "+86 592 1", "A", "@SUM(A1)", "管理员")
    wb = load_workbook(path)
    cell = wb.active["A2"]
    assert cell.data_type == "s" and cell.quotePrefix  # text, not a formula
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".export-")]  # no temporary file left


def test_export_respects_scope_field_permissions_and_the_export_permission(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    role = roles.create_role(db, admin, RoleInput(
        name="销售", permissions=frozenset({("customer", "view"), ("customer", "create"), ("customer", "export")}),
        scopes={"customer": DataScope.SELF}))
    set_field_permissions(db, admin, role.id, "customer", {"phone": Access.HIDDEN})
    users.create_user(db, admin, UserInput(mobile="13700000001", name="李娜", department_id=admin.department_id,
                                           role_ids=(role.id,)), password="abc12345")
    rep = auth.login(db, "13700000001", "abc12345")
    mine = customers.create(db, admin, {"name": "我的客户", "phone": "111"}, owner_id=rep.user_id)
    theirs = customers.create(db, admin, {"name": "别人的客户", "phone": "222"})
    path = tmp_path / "out.xlsx"
    assert run(export_xlsx(db, rep, customers, path, ExportRequest())) == 1
    rows = sheet(path)
    assert "Phone" not in rows[0] and "111" not in rows[1] and rows[1][0] == "我的客户"
    with pytest.raises(Exception):  # a hidden column cannot be asked for
        run(export_xlsx(db, rep, customers, path, ExportRequest(columns=["name", "phone"])))
    assert run(export_xlsx(db, rep, customers, path, ExportRequest(ids=[mine.id, theirs.id]))) == 1  # scope holds
    role2 = roles.create_role(db, admin, RoleInput(name="只读", permissions=frozenset({("customer", "view")})))
    users.create_user(db, admin, UserInput(mobile="13700000002", name="王", department_id=admin.department_id,
                                           role_ids=(role2.id,)), password="abc12345")
    with pytest.raises(PermissionDenied):
        run(export_xlsx(db, auth.login(db, "13700000002", "abc12345"), customers, path, ExportRequest()))


def test_a_cancelled_or_failed_export_leaves_no_file(db: Database, admin: Actor, tmp_path: Path) -> None:
    for n in range(3):
        customers.create(db, admin, {"name": f"客户{n}"})
    out = tmp_path / "out"
    out.mkdir()
    target = out / "out.xlsx"
    steps = export_xlsx(db, admin, customers, target, ExportRequest(columns=("name",)))
    next(steps)
    next(steps)  # the first batch is written: Cancel now
    steps.close()
    assert list(out.iterdir()) == []
    with pytest.raises(OSError):
        run(export_xlsx(db, admin, customers, out / "missing" / "out.xlsx", ExportRequest(columns=("name",))))
    assert list(out.iterdir()) == []
    assert run(export_xlsx(db, admin, customers, target, ExportRequest(columns=("name",)))) == 3
    assert [p.name for p in out.iterdir()] == ["out.xlsx"]


def test_header_labels_that_look_like_formulas_stay_text(db: Database, admin: Actor, tmp_path: Path) -> None:
    """A custom field's label is typed by an administrator: in the header it is written as
    text like any cell (issue 11), never as a live formula (read back: data type "s", the
    literal label as value, shown as typed)."""
    from crm_desktop.services.records.schema import FieldType
    from crm_desktop.services.records.schema_admin import (
        CustomFieldInput,
        create_custom_field,
    )

    labels = ['=HYPERLINK("http://evil.example/x","点我")', "+1+1", "-2+3", "@SUM(A1)"]
    names = [create_custom_field(db, admin, "customer", CustomFieldInput(label=label, type=FieldType.TEXT)).name
             for label in labels]
    customers.create(db, admin, {"name": "客户"}, custom={names[0]: "=1+2"})
    path = tmp_path / "header.xlsx"
    assert run(export_xlsx(db, admin, customers, path, ExportRequest(columns=["name", *names]),
                           labels={"name": "=名称"})) == 1
    ws = load_workbook(path).active
    header = list(ws.iter_rows(min_row=1, max_row=1))[0]
    assert [c.value for c in header] == ["=名称", *labels]
    for cell in header:
        assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
        assert cell.font.b  # still a header
    assert ws["B2"].value == "=1+2" and ws["B2"].data_type == "s"
