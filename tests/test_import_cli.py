"""``crm-admin import`` (issue 14): the summary line, exit status, dry run, undo, template."""
from __future__ import annotations

from pathlib import Path

import pytest

from crm_desktop.cli import main
from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.org.actor import Actor
from tests.import_helpers import xlsx


def test_import_dry_run_undo_and_template(sqlite_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from crm_desktop.services.org import auth

    admin: Actor = auth.setup_company(sqlite_db, company="星辰", admin_name="管理员", admin_mobile="13800000000",
                                      password="admin1234")
    url = str(sqlite_db.engine.url)
    f = xlsx(tmp_path / "c.xlsx", [["客户名称", "手机"], ["甲公司", "13800001111"], ["乙公司", "bad"]])
    assert main(["--database", url, "import", str(f), "--module", "customers", "--dry-run"]) == 1
    assert "dry-run new=1 updated=0 skipped=0 failed=1" in capsys.readouterr().out
    assert customers.count(sqlite_db, admin) == 0
    errors = tmp_path / "errors.xlsx"
    assert main(["--database", url, "import", str(f), "--module", "customers", "--error-file", str(errors)]) == 1
    out = capsys.readouterr()
    assert out.out.strip().splitlines()[-1] == "imported=1 updated=0 skipped=0 failed=1 batch=1"
    assert "row 3, 手机" in out.err and errors.exists()
    ok = xlsx(tmp_path / "ok.xlsx", [["客户名称"], ["丙公司"]])
    assert main(["--database", url, "import", str(ok), "--module", "customers", "--owner", "13800000000"]) == 0
    assert main(["--database", url, "import", "--undo", "1"]) == 0
    assert "undone batch=1 deleted=1" in capsys.readouterr().out
    assert customers.count(sqlite_db, admin) == 1
    assert main(["--database", url, "import", str(tmp_path / "none.xlsx"), "--module", "customers"]) == 2
    assert "does not exist" in capsys.readouterr().err
    template = tmp_path / "t.xlsx"
    assert main(["--database", url, "import", "--template", str(template), "--module", "leads"]) == 0
    assert template.exists()


def test_import_of_the_sales_chain_from_the_command_line(sqlite_db: Database, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from crm_desktop.services.org import auth

    admin: Actor = auth.setup_company(sqlite_db, company="星辰", admin_name="管理员", admin_mobile="13800000000",
                                      password="admin1234")
    customers.create(sqlite_db, admin, {"name": "甲公司"})
    url = str(sqlite_db.engine.url)
    deals = xlsx(tmp_path / "o.xlsx", [["商机名称", "客户名称", "商机金额"], ["一期", "甲公司", "10万"]])
    assert main(["--database", url, "import", str(deals), "--module", "opportunities"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "imported=1 updated=0 skipped=0 failed=0 batch=1"
    orders = xlsx(tmp_path / "c.xlsx", [["合同编号", "合同名称", "客户名称", "合同金额"], ["HT-9", "一期", "甲公司", 100000]])
    assert main(["--database", url, "import", str(orders), "--module", "contracts"]) == 0
    money = xlsx(tmp_path / "p.xlsx", [["合同编号", "回款金额", "回款日期"], ["HT-9", 40000, "2026/1/5"]])
    assert main(["--database", url, "import", str(money), "--module", "payments"]) == 0
    assert "imported=1" in capsys.readouterr().out
