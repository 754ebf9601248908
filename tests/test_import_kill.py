"""Import (issue 14): kill -9 in the middle of an import. The database holds whole chunks and a
batch record that says how far it got; resuming imports each remaining row exactly once, and
undoing removes everything the committed chunks wrote. SQLite and PostgreSQL."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from sqlalchemy import func, select

from crm_desktop.db import Database
from crm_desktop.models import (
    Contact,
    Customer,
    ImportBatch,
    ImportBatchRow,
    Opportunity,
    StageChange,
)
from crm_desktop.services.imports import engine as imp
from crm_desktop.services.org.actor import Actor
from tests.import_helpers import xlsx

ROOT = Path(__file__).resolve().parent.parent
ROWS = 3000

CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from crm_desktop.bootstrap import bootstrap
    from crm_desktop.services.imports import engine as imp
    from crm_desktop.services.org.actor import load_actor
    from crm_desktop.services.uow import read_only

    db = bootstrap(sys.argv[1], create=False)
    with read_only(db, None) as uow:
        actor = load_actor(uow.session, int(sys.argv[3]))

    def progress(done, total):
        print("chunk", done, flush=True)
        time.sleep(0.2)  # room for the parent's kill -9 between chunks and inside the next one

    imp.run_import(db, actor, Path(sys.argv[2]), imp.ImportOptions(entity=sys.argv[4], batch_size=int(sys.argv[5])),
                   progress=progress)
    print("finished", flush=True)
""")


def _file(tmp_path: Path) -> Path:
    rows = [["客户名称", "手机", "联系人"]]
    rows += [[f"杀进程测试公司{i:05d}", f"139{i:08d}", f"联系人{i}"] for i in range(ROWS)]
    rows.append(["坏行", "bad", None])
    return xlsx(tmp_path / "kill.xlsx", rows)


def _kill_mid_import(db_url: str, path: Path, actor: Actor, entity: str = "customer", batch: int = 150) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD, db_url, str(path), str(actor.user_id), entity, str(batch)],
                             stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert child.stdout is not None
    seen = 0
    deadline = time.monotonic() + 120
    while seen < 3 and time.monotonic() < deadline:
        line = child.stdout.readline()
        assert line, "the import ended before it could be killed"
        seen += line.startswith("chunk")
    time.sleep(0.1)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)


def _state(db: Database, batch_id: int) -> tuple[ImportBatch, int, int, int, int]:
    with db.sessions() as s:
        batch = s.get(ImportBatch, batch_id)
        assert batch is not None
        s.expunge(batch)
        customers = s.scalar(select(func.count()).select_from(Customer)) or 0
        contacts = s.scalar(select(func.count()).select_from(Contact)) or 0
        logged = s.scalar(select(func.count()).select_from(ImportBatchRow).where(
            ImportBatchRow.batch_id == batch_id, ImportBatchRow.entity == "customer")) or 0
        distinct = s.scalar(select(func.count(func.distinct(Customer.name)))) or 0
    assert distinct == customers, "a row was imported twice"
    return batch, customers, contacts, logged, distinct


def _only_batch(db: Database) -> int:
    with db.sessions() as s:
        ids = list(s.scalars(select(ImportBatch.id)))
    assert len(ids) == 1
    return ids[0]


def test_killed_import_resumes_exactly_once(db: Database, db_url: str, admin: Actor, tmp_path: Path) -> None:
    path = _file(tmp_path)
    _kill_mid_import(db_url, path, admin)
    batch_id = _only_batch(db)
    batch, customers, contacts, logged, _ = _state(db, batch_id)
    # Whole chunks only: every customer has its contact and its batch row; the batch says how far.
    assert batch.status == "running" and 0 < customers < ROWS
    assert customers == contacts == logged == batch.created_count
    assert batch.rows_done == customers  # every source row before rows_done is in (no bad ones yet)
    result = imp.resume_import(db, admin, batch_id)
    assert result.created == ROWS - customers and result.failed == 1
    batch, customers, contacts, logged, _ = _state(db, batch_id)
    assert customers == contacts == logged == ROWS
    assert (batch.status, batch.created_count, batch.failed_count) == ("done", ROWS, 1)


def test_killed_import_undoes_to_nothing(db: Database, db_url: str, admin: Actor, tmp_path: Path) -> None:
    path = _file(tmp_path)
    _kill_mid_import(db_url, path, admin)
    batch_id = _only_batch(db)
    _batch, customers, _contacts, _logged, _ = _state(db, batch_id)
    assert customers > 0
    undone = imp.undo_import(db, admin, batch_id)
    assert undone.deleted == 2 * customers and undone.changed_since == ()
    _batch, customers, contacts, logged, _ = _state(db, batch_id)
    assert (customers, contacts, logged) == (0, 0, 0)


OPPORTUNITIES = 300  # a service insert per row: slower than the customers' bulk path


def _opportunity_state(db: Database, batch_id: int) -> tuple[ImportBatch, int, int, int]:
    """(batch, opportunities, their first stage changes, batch rows); no name twice."""
    with db.sessions() as s:
        batch = s.get(ImportBatch, batch_id)
        assert batch is not None
        s.expunge(batch)
        made = s.scalar(select(func.count()).select_from(Opportunity)) or 0
        distinct = s.scalar(select(func.count(func.distinct(Opportunity.name)))) or 0
        changes = s.scalar(select(func.count()).select_from(StageChange)) or 0
        logged = s.scalar(select(func.count()).select_from(ImportBatchRow).where(
            ImportBatchRow.batch_id == batch_id, ImportBatchRow.entity == "opportunity")) or 0
    assert distinct == made, "a row was imported twice"
    return batch, made, changes, logged


def test_killed_row_by_row_import_resumes_exactly_once_or_undoes(db: Database, db_url: str, admin: Actor,
                                                               tmp_path: Path) -> None:
    """The modules a service inserts row by row (each row in a savepoint) keep the same
    promise: whole chunks, a batch that says how far it got, resume or undo."""
    with db.sessions.begin() as s:
        s.add(Customer(name="杀进程客户有限公司", owner_id=admin.user_id, creator_id=admin.user_id,
                       normalized_name="杀进程客户", custom={}))
    rows = [["商机名称", "客户名称"]] + [[f"杀进程商机{i:04d}", "杀进程客户有限公司"] for i in range(OPPORTUNITIES)]
    path = xlsx(tmp_path / "opportunities.xlsx", rows)
    _kill_mid_import(db_url, path, admin, "opportunity", batch=40)
    batch_id = _only_batch(db)
    batch, made, changes, logged = _opportunity_state(db, batch_id)
    assert batch.status == "running" and 0 < made < OPPORTUNITIES
    assert made == changes == logged == batch.created_count == batch.rows_done
    result = imp.resume_import(db, admin, batch_id)
    assert (result.created, result.failed) == (OPPORTUNITIES - made, 0)
    batch, made, changes, logged = _opportunity_state(db, batch_id)
    assert made == changes == logged == OPPORTUNITIES and batch.status == "done"
    undone = imp.undo_import(db, admin, batch_id)
    assert undone.deleted == OPPORTUNITIES and undone.changed_since == ()
    _batch, made, changes, _logged = _opportunity_state(db, batch_id)
    assert (made, changes) == (0, 0)
