"""``crm-admin run-jobs``: runs the scheduled jobs once and prints a one-line summary."""
from __future__ import annotations

import datetime as dt

import pytest

from crm_desktop import cli
from crm_desktop.bootstrap import bootstrap
from crm_desktop.models import utcnow
from crm_desktop.services.customers import pool
from crm_desktop.services.customers.pool import (
    PoolInput,
    PoolMemberInput,
    PoolRuleInput,
)
from crm_desktop.services.org import auth
from tests.test_pool import add_customer, row

INIT = ["init", "--company", "厦门星辰科技有限公司", "--admin-name", "管理员", "--admin-mobile", "13800000000",
        "--password", "admin1234"]


def test_run_jobs_recycles_and_prints_a_summary(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--database", db_url, *INIT]) == 0
    db = bootstrap(db_url)
    try:
        admin = auth.login(db, "13800000000", "admin1234")
        p = pool.create_pool(db, admin, PoolInput(
            name="公海", remind_days=2, members=(PoolMemberInput(user_id=admin.user_id),),
            rules=(PoolRuleInput("no_followup", 30),)))
        stale = add_customer(db, admin.user_id, "久未跟进", created_at=utcnow() - dt.timedelta(days=31))
        soon = add_customer(db, admin.user_id, "快到期", created_at=utcnow() - dt.timedelta(days=29))
    finally:
        db.dispose()
    capsys.readouterr()

    assert cli.main(["--database", db_url, "run-jobs"]) == 0
    out, err = capsys.readouterr()
    assert out == ("Recycled 1 customer(s) into 1 public pool(s); "
                   "1 customer(s) due for recycling soon, 1 owner(s) to remind.\n") and err == ""
    db = bootstrap(db_url)
    try:
        assert row(db, stale).pool_id == p.id and row(db, soon).pool_id is None
    finally:
        db.dispose()

    assert cli.main(["--database", db_url, "run-jobs"]) == 0  # nothing left to recycle
    assert capsys.readouterr().out.startswith("Recycled 0 customer(s) into 0 public pool(s);")


def test_run_jobs_on_a_file_that_is_not_a_database(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "notes.txt"  # type: ignore[operator]
    bad.write_text("not a database")
    assert cli.main(["--database", f"sqlite:///{bad}", "run-jobs"]) == 2
    _out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("crm-admin run-jobs: error:") and "Traceback" not in err
