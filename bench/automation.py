"""Trigger-engine benchmark: what 200 enabled rules that do not match cost a customer's save.

    python bench/automation.py [--url URL] [--runs 41] [--rules 200]

Prints one line per measure, ``<measure> ours_ms=<x> ref_ms=<y> ratio=<x/y>`` (medians), as
DESIGN.md asks. Without --url a SQLite file is built in a temporary folder; with --url the
database must be empty (a company is set up in it) or one this bench set up before.

Measures:

- ``save_200_nonmatching_rules``: ``customers.update`` of one field (the remark) of one
  customer while the customer entity has ``--rules`` enabled rules, none of whose conditions
  hold; the reference is the same save with those rules disabled. Half the rules are "record
  edited" rules, half "remark changed" rules — all of them are read and evaluated on every
  save (the worst case: a field rule on another field is not even read). Ours and the reference
  alternate in the same run; the rules are switched on and off between them by one UPDATE
  outside the timed part. Budget: ratio < 1.5.
- ``engine_per_save``: the time spent inside the engine (its event handler,
  ``engine.on_event``, as ``crm_desktop.bootstrap`` wires it) during the saves with rules,
  against the whole save with rules: ratio is the engine's share.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from crm_desktop.automation import engine, handlers  # noqa: E402
from crm_desktop.bootstrap import bootstrap  # noqa: E402
from crm_desktop.db import Database  # noqa: E402
from crm_desktop.services.customers.customers import customers  # noqa: E402
from crm_desktop.services.org import auth  # noqa: E402
from crm_desktop.services.org.actor import Actor  # noqa: E402
from crm_desktop.services.records.schema import FieldType  # noqa: E402
from crm_desktop.services.records.schema_admin import (  # noqa: E402
    CustomFieldInput,
    create_custom_field,
    list_custom_fields,
)
from crm_desktop.services.workflow import automation as auto  # noqa: E402

ADMIN_MOBILE, ADMIN_PASSWORD = "13800000000", "admin1234"
PREFIX = "bench-rule-"
CAPITAL = "注册资本"


def company(db: Database) -> Actor:
    if auth.needs_setup(db):
        return auth.setup_company(db, company="基准测试公司", admin_name="管理员", admin_mobile=ADMIN_MOBILE,
                                  password=ADMIN_PASSWORD)
    return auth.login(db, ADMIN_MOBILE, ADMIN_PASSWORD)


def capital_field(db: Database, admin: Actor) -> str:
    existing = [spec.name for _id, spec in list_custom_fields(db, admin, "customer") if spec.label == CAPITAL]
    if existing:
        return existing[0]
    return create_custom_field(db, admin, "customer", CustomFieldInput(CAPITAL, FieldType.MONEY)).name


def make_rules(db: Database, admin: Actor, count: int, capital: str) -> None:
    """``count`` customer rules whose conditions never hold for the bench's customer."""
    with db.engine.begin() as conn:  # a previous run's rules (and their log) go first
        conn.execute(text("DELETE FROM automation_runs WHERE rule_name LIKE :p"), {"p": PREFIX + "%"})
        conn.execute(text("DELETE FROM automation_rules WHERE name LIKE :p"), {"p": PREFIX + "%"})
    for i in range(count):
        message = ({"type": "message", "to": "owner", "title": f"规则 {i}：{{name}}"},)
        if i % 2:
            data = auto.RuleInput(
                name=f"{PREFIX}{i}", entity="customer", event="edited", actions=message,
                condition={"match": "all", "groups": [{"match": "all", "conditions": [
                    {"field": capital, "op": "gte", "value": str(10_000_000 + i)},
                    {"field": "name", "op": "contains", "value": f"不存在{i}"}]}]})
        else:
            data = auto.RuleInput(
                name=f"{PREFIX}{i}", entity="customer", event="field_changed", field="remark", actions=message,
                condition={"match": "any", "groups": [{"match": "all", "conditions": [
                    {"field": "remark", "op": "contains", "value": f"不会出现{i}"}]},
                    {"match": "all", "conditions": [{"field": "level", "op": "eq", "value": "A"}]}]})
        auto.create_rule(db, admin, data)


def switch(db: Database, enabled: bool) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE automation_rules SET enabled = :e WHERE name LIKE :p"),
                     {"e": enabled, "p": PREFIX + "%"})


class EngineTimer:
    """Adds up the time spent in the rules engine's event handler. Put in place before the
    database is built: bootstrap wires the handlers of ``handlers.EVENT_HANDLERS`` to the bus,
    and the timer wraps the engine's entries in that table."""

    def __init__(self) -> None:
        self.spent = 0.0
        self.counting = False

        def timed(event: Any, uow: Any) -> None:
            if not self.counting:
                engine.on_event(event, uow)
                return
            t0 = time.perf_counter()
            try:
                engine.on_event(event, uow)
            finally:
                self.spent += time.perf_counter() - t0

        handlers.EVENT_HANDLERS = {  # type: ignore[misc]
            cls: tuple((part, timed if h is engine.on_event else h) for part, h in entries)
            for cls, entries in handlers.EVENT_HANDLERS.items()}

    def __enter__(self) -> EngineTimer:
        self.spent, self.counting = 0.0, True
        return self

    def __exit__(self, *exc: object) -> None:
        self.counting = False


def measure(db: Database, save: Callable[[], None], runs: int,
            timer: EngineTimer) -> tuple[list[float], list[float], list[float]]:
    """(saves with rules, their engine time, saves without rules), alternating, in ms."""
    ours: list[float] = []
    inside: list[float] = []
    ref: list[float] = []
    for enabled in (True, False):  # warm both
        switch(db, enabled)
        save()
    for _ in range(runs):
        switch(db, True)
        with timer:
            t0 = time.perf_counter()
            save()
            ours.append((time.perf_counter() - t0) * 1000)
        inside.append(timer.spent * 1000)
        switch(db, False)
        t0 = time.perf_counter()
        save()
        ref.append((time.perf_counter() - t0) * 1000)
    return ours, inside, ref


def report(measure_name: str, ours_ms: float, ref_ms: float) -> None:
    print(f"{measure_name} ours_ms={ours_ms:.2f} ref_ms={ref_ms:.2f} ratio={ours_ms / ref_ms:.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="database URL (default: a new SQLite file in a temporary folder)")
    parser.add_argument("--runs", type=int, default=41)
    parser.add_argument("--rules", type=int, default=200)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='crm-bench-auto-')) / 'bench.sqlite3'}"
    timer = EngineTimer()
    db = bootstrap(url, create=True)  # a bench database of its own
    admin = company(db)
    capital = capital_field(db, admin)
    t0 = time.perf_counter()
    make_rules(db, admin, args.rules, capital)
    print(f"# {db.backend}: {args.rules} rules made in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    for i in range(50):  # a few neighbours, so the customer table is not a single row
        customers.create(db, admin, {"name": f"邻居客户{i}"}, custom={capital: str(i * 1000)})
    target = customers.create(db, admin, {"name": "基准客户", "level": "B"}, custom={capital: "5000000"})
    state = {"version": target.version, "n": 0}

    def save() -> None:
        state["n"] += 1
        dto = customers.update(db, admin, target.id, expected_version=state["version"],
                               changes={"remark": f"第 {state['n']} 次保存"})
        state["version"] = dto.version

    ours, inside, ref = measure(db, save, args.runs, timer)
    with db.engine.connect() as conn:
        fired = conn.execute(text("SELECT count(*) FROM automation_runs WHERE rule_name LIKE :p"),
                             {"p": PREFIX + "%"}).scalar()
    assert fired == 0, "a bench rule fired: its condition was meant never to hold"
    report(f"save_{args.rules}_nonmatching_rules", statistics.median(ours), statistics.median(ref))
    report("engine_per_save", statistics.median(inside), statistics.median(ours))
    switch(db, False)
    db.dispose()


if __name__ == "__main__":
    main()
