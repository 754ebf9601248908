"""Contention stress: many PCs changing the same few customers at once, then an audit of what
the services acknowledged.

    python bench/stress.py --processes 8 --seconds 30 --database URL

On the database (an empty one gets a company set up; any other gets its own users, role, pool
and customers, named after this run) ``--processes`` processes, each acting as its own sales
user with the "all" data scope, spend ``--seconds`` making overlapping changes to the same few
customers: edits of one field with ``expected_version`` from their last read (a ConflictError
re-reads), follow-ups, lock / unlock, putting two of them into one public pool and claiming
them back, and contracts (numbered). Every call the service acknowledged is recorded. Then
the run checks:

- every acknowledged follow-up and contract exists (else ``lost``);
- every acknowledged edit is in the operation log at the version it returned, no two
  acknowledged edits of a customer returned the same version, and each field holds the value
  of its last acknowledged edit (else ``lost``: an edit was overwritten or never written);
- no exception other than a ServiceError left a service (``raw_errors``; the first few are
  printed with their tracebacks);
- contract numbers are unique (``duplicate_numbers``).

It prints a few detail lines, then exactly one result line:
``acknowledged=… lost=0 raw_errors=0 conflicts=… duplicate_numbers=0``, and exits 1 when
anything was lost, raw or duplicated. Without ``--database`` an SQLite file in a temporary
folder is used. Not a timing benchmark: the counts depend on the machine.
"""
from __future__ import annotations

import argparse
import logging
import multiprocessing as mp
import random
import sys
import tempfile
import time
import traceback
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from crm_desktop.bootstrap import bootstrap  # noqa: E402
from crm_desktop.db import Database, open_database  # noqa: E402
from crm_desktop.models import (  # noqa: E402
    AuditEntry,
    Contract,
    Customer,
    FollowUp,
    Role,
    User,
    user_roles,
)
from crm_desktop.services.customers import pool
from crm_desktop.services.customers.customers import customers, lock, unlock  # noqa: E402
from crm_desktop.services.customers.followups import add_followup  # noqa: E402
from crm_desktop.services.customers.pool_admin import PoolInput, PoolMemberInput  # noqa: E402
from crm_desktop.services.errors import ConflictError, ServiceError  # noqa: E402
from crm_desktop.services.org import (
    auth,
    roles,
    users,  # noqa: E402
)
from crm_desktop.services.org.actor import Actor, load_actor  # noqa: E402
from crm_desktop.services.org.permissions import MODULES, RECORD_ACTIONS, DataScope  # noqa: E402
from crm_desktop.services.org.roles import RoleInput  # noqa: E402
from crm_desktop.services.org.users import UserInput  # noqa: E402
from crm_desktop.services.sales.contracts import contracts  # noqa: E402

ADMIN_MOBILE, ADMIN_PASSWORD = "13800000000", "admin1234"
CUSTOMERS = 6
#: The first few customers also go into the pool and are claimed back (they are not found by
#: edits and follow-ups while pooled, which is right but makes those calls idle).
POOLED = 2
EDIT_FIELDS = ("remark", "address")
#: Operation → weight in each process's random mix.
MIX = {"edit": 30, "followup": 25, "lock": 15, "put": 10, "claim": 10, "contract": 10}
PERMISSIONS = {
    "customer": (*RECORD_ACTIONS, "put_in_pool", "lock"),
    "followup": ("view", "create", "edit", "delete"),
    "contract": RECORD_ACTIONS,
    "pool": ("view", "claim"),
}
SHOW_RAW = 3


@dataclass(frozen=True)
class Plan:
    url: str
    tag: str
    user_ids: tuple[int, ...]
    customer_ids: tuple[int, ...]
    pool_id: int
    seconds: float


@dataclass
class Outcome:
    """What one process saw: acknowledged calls by kind and the errors by kind and class name."""

    acknowledged: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    conflicts: int = 0
    raw: int = 0
    retries: int = 0
    followups: list[int] = field(default_factory=list)
    #: (customer id, field, value, version the update returned)
    edits: list[tuple[int, str, str, int]] = field(default_factory=list)
    #: (contract id, number)
    contracts: list[tuple[int, str]] = field(default_factory=list)


# --- setting up ------------------------------------------------------------------------------


def administrator(db: Database) -> Actor:
    """The company's super administrator (a company is set up on an empty database)."""
    if auth.needs_setup(db):
        return auth.setup_company(db, company="压力测试公司", admin_name="管理员", admin_mobile=ADMIN_MOBILE,
                                  password=ADMIN_PASSWORD)
    with db.sessions() as s:
        admin_id = s.scalar(select(User.id).join(user_roles, user_roles.c.user_id == User.id)
                            .join(Role, Role.id == user_roles.c.role_id)
                            .where(Role.is_super.is_(True), User.enabled.is_(True)).order_by(User.id).limit(1))
        if admin_id is None:
            raise SystemExit("the database has no enabled super administrator")
        return load_actor(s, admin_id)


def set_up(db: Database, *, processes: int, seconds: float) -> Plan:
    """A role, one user per process, a pool they all belong to and the shared customers."""
    admin = administrator(db)
    tag = uuid.uuid4().hex[:6]
    role = roles.create_role(db, admin, RoleInput(
        name=f"压测-{tag}", permissions=frozenset((m, a) for m, acts in PERMISSIONS.items() for a in acts),
        scopes={m: DataScope.ALL for m, spec in MODULES.items() if spec.scoped}))
    base = random.randrange(10**7, 10**8)
    user_ids = tuple(users.create_user(db, admin, UserInput(
        mobile=f"199{base + i:08d}", name=f"压测{tag}-{i}", department_id=admin.department_id, role_ids=(role.id,)),
        password=uuid.uuid4().hex).id for i in range(processes))
    the_pool = pool.create_pool(db, admin, PoolInput(
        name=f"压测公海-{tag}", members=tuple(PoolMemberInput(user_id=u) for u in user_ids)))
    customer_ids = tuple(customers.create(db, admin, {"name": f"压测客户{tag}号{i}"}).id for i in range(CUSTOMERS))
    return Plan(str(db.engine.url.render_as_string(hide_password=False)), tag, user_ids, customer_ids,
                the_pool.id, seconds)


# --- one process -----------------------------------------------------------------------------


class _RetryCounter(logging.Handler):
    def __init__(self, outcome: Outcome) -> None:
        super().__init__(logging.INFO)
        self.outcome = outcome

    def emit(self, record: logging.LogRecord) -> None:
        if "running it again" in record.getMessage():
            self.outcome.retries += 1


def work(plan: Plan, index: int, start: Any, results: Any) -> None:
    """One PC: random overlapping changes until the time is up; puts its Outcome on ``results``."""
    db = bootstrap(plan.url, migrate_schema=False)
    outcome = Outcome()
    uow_log = logging.getLogger("crm_desktop.services.uow")
    uow_log.setLevel(logging.INFO)
    uow_log.addHandler(_RetryCounter(outcome))
    with db.sessions() as s:
        actor = load_actor(s, plan.user_ids[index])
    rnd = random.Random(f"{plan.tag}-{index}")
    versions: dict[int, int] = {}
    kinds, weights = list(MIX), list(MIX.values())
    start.wait()
    deadline = time.monotonic() + plan.seconds
    n = 0
    while time.monotonic() < deadline:
        n += 1
        kind = rnd.choices(kinds, weights)[0]
        cid = rnd.choice(plan.customer_ids[:POOLED] if kind in ("put", "claim") else plan.customer_ids)
        label = f"{plan.tag}-{index}-{n}"
        try:
            if kind == "edit":
                if cid not in versions:
                    versions[cid] = customers.get(db, actor, cid).version
                name = rnd.choice(EDIT_FIELDS)
                try:
                    dto = customers.update(db, actor, cid, expected_version=versions[cid], changes={name: label})
                except ConflictError:
                    versions.pop(cid, None)  # read it again next time, as the form does
                    raise
                versions[cid] = dto.version
                outcome.edits.append((cid, name, label, dto.version))
            elif kind == "followup":
                outcome.followups.append(add_followup(db, actor, target_entity="customer", target_id=cid,
                                                      content=label).id)
            elif kind == "lock":
                (lock if rnd.random() < 0.5 else unlock)(db, actor, [cid])
            elif kind == "put":
                pool.put_in_pool(db, actor, cid, pool_id=plan.pool_id, reason=label)
            elif kind == "claim":
                pool.claim(db, actor, [cid], pool_id=plan.pool_id)
            else:
                dto = contracts.create(db, actor, {"name": f"压测合同{label}", "customer_id": cid})
                outcome.contracts.append((dto.id, str(dto.values["number"])))
            outcome.acknowledged[kind] += 1
        except ServiceError as exc:
            outcome.errors[f"{kind}:{type(exc).__name__}"] += 1
            outcome.conflicts += isinstance(exc, ConflictError)
        except Exception:  # noqa: BLE001 - exactly what this run is looking for
            outcome.raw += 1
            if outcome.raw <= SHOW_RAW:
                print(f"raw error in process {index} ({kind}):\n{traceback.format_exc()}", file=sys.stderr)
    db.dispose()
    results.put(outcome)


# --- checking --------------------------------------------------------------------------------


def lost_count(db: Database, outcomes: list[Outcome]) -> tuple[int, list[str]]:
    """What was acknowledged but is not in the database as acknowledged; with a line per kind."""
    followups = {i for o in outcomes for i in o.followups}
    edits = [e for o in outcomes for e in o.edits]
    made = {i for o in outcomes for i, _n in o.contracts}
    with db.sessions() as s:
        present = set(s.scalars(select(FollowUp.id).where(FollowUp.deleted_at.is_(None))))
        logged = {(rid, version) for rid, version in s.execute(select(AuditEntry.record_id, AuditEntry.version).where(
            AuditEntry.entity == "customer", AuditEntry.action == "update"))}
        stored = {c.id: c for c in s.scalars(select(Customer).where(Customer.id.in_({e[0] for e in edits})))}
        contracts_there = set(s.scalars(select(Contract.id).where(Contract.id.in_(made)))) if made else set()
    lost_followups = len(followups - present)
    not_logged = sum((cid, version) not in logged for cid, _f, _v, version in edits)
    same_version = len(edits) - len({(cid, version) for cid, _f, _v, version in edits})
    last: dict[tuple[int, str], tuple[int, str]] = {}
    for cid, name, value, version in edits:
        if (cid, name) not in last or version > last[(cid, name)][0]:
            last[(cid, name)] = (version, value)
    overwritten = sum(getattr(stored[cid], name) != value for (cid, name), (_v, value) in last.items())
    lost_contracts = len(made - contracts_there)
    lines = [f"lost followups={lost_followups} edits_not_logged={not_logged} edits_same_version={same_version} "
             f"edits_overwritten={overwritten} contracts={lost_contracts}"]
    return lost_followups + not_logged + same_version + overwritten + lost_contracts, lines


def run(url: str, *, processes: int, seconds: float) -> int:
    db = bootstrap(url, create=True)
    plan = set_up(db, processes=processes, seconds=seconds)
    db.dispose()  # the processes fork: no pooled connection may cross into them
    ctx = mp.get_context("fork")
    start, results = ctx.Barrier(processes), ctx.Queue()
    procs = [ctx.Process(target=work, args=(plan, i, start, results)) for i in range(processes)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=seconds + 600) for _ in procs]
    for p in procs:
        p.join()
    db = open_database(url, migrate_schema=False)
    lost, lines = lost_count(db, outcomes)
    numbers = [number for o in outcomes for _i, number in o.contracts]
    db.dispose()
    acknowledged = sum((o.acknowledged for o in outcomes), Counter())
    errors = sum((o.errors for o in outcomes), Counter())
    raw = sum(o.raw for o in outcomes)
    conflicts = sum(o.conflicts for o in outcomes)
    duplicates = len(numbers) - len(set(numbers))
    print(f"database={db.backend} processes={processes} seconds={seconds:g} customers={CUSTOMERS}")
    print("acknowledged_by_kind " + " ".join(f"{k}={acknowledged[k]}" for k in MIX))
    print("service_errors " + (" ".join(f"{k}={v}" for k, v in sorted(errors.items())) or "none"))
    print(f"retries={sum(o.retries for o in outcomes)}")
    for line in lines:
        print(line)
    print(f"acknowledged={sum(acknowledged.values())} lost={lost} raw_errors={raw} conflicts={conflicts} "
          f"duplicate_numbers={duplicates}")
    return 1 if lost or raw or duplicates else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--database", help="database URL (default: a new SQLite file in a temporary folder)")
    args = parser.parse_args(argv)
    if args.database:
        return run(args.database, processes=args.processes, seconds=args.seconds)
    with tempfile.TemporaryDirectory() as tmp:
        return run(f"sqlite:///{Path(tmp) / 'stress.sqlite3'}", processes=args.processes, seconds=args.seconds)


if __name__ == "__main__":
    sys.exit(main())
