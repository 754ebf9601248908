"""Team benchmark (issue 17): N client processes on one PostgreSQL server, each reading list
pages and saving records, all listening on the live channel.

    python bench/team.py --clients 10 --database postgresql://postgres@127.0.0.1:5432/test [--seconds 8]

A throwaway database is created on the server named by --database (and dropped afterwards);
it gets a company and --customers customers. Every client process opens it through
``bootstrap`` (its own engine, bus and client id, as an app on another PC), runs the live
listener, and loops: read the first customer page, save one customer, pause --interval.

Prints, one line per measure:

- ``notify_p50_ms=… notify_p95_ms=…``: from a save's COMMIT (the moment the saving process's
  driver sends it) to the moment each *other* client's listener hands the note on (the
  callback that emits the app's change signal), over every (save, other client) pair. Clock:
  time.time() on one machine.
- ``list_page_under_load ours_ms=… ref_ms=… ratio=…``: the first customer page read by the
  clients while all of them save, against the same read alone before the clients start.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from crm_desktop.bootstrap import bootstrap  # noqa: E402
from crm_desktop.db import normalize_url  # noqa: E402
from crm_desktop.live.listener import Listener  # noqa: E402
from crm_desktop.live.notes import ChangeNote  # noqa: E402
from crm_desktop.services.customers.customers import customers  # noqa: E402
from crm_desktop.services.errors import ServiceError  # noqa: E402
from crm_desktop.services.org import auth  # noqa: E402
from crm_desktop.services.org.actor import load_actor  # noqa: E402

MOBILE, PASSWORD = "13800000000", "admin1234"
PAGE = 50


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def page_ms(db: Any, actor: Any) -> float:
    start = time.perf_counter()
    customers.list_page(db, actor, sort="updated_at", descending=True, limit=PAGE)
    return (time.perf_counter() - start) * 1000


def client(url: str, index: int, admin_id: int, ids: list[int], ready: Any, go: Any, seconds: float, interval: float,
           out: Any) -> None:
    """One client process: listen, read pages, save; report what it sent and heard."""
    try:
        _client(url, index, admin_id, ids, ready, go, seconds, interval, out)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which says so
        ready.put(index)
        out.put((index, [], [], [], f"{type(exc).__name__}: {exc}"))


def _client(url: str, index: int, admin_id: int, ids: list[int], ready: Any, go: Any, seconds: float, interval: float,
            out: Any) -> None:
    # Two pooled connections and the listener's: 30 clients stay within a default server's 100.
    db = bootstrap(url, migrate_schema=False, pool_size=1, max_overflow=1)
    # Not auth.login: one account logging in from 30 processes at once would use up its five
    # attempts reserved in advance (auth.login's lock-out rule) and lock itself.
    with db.sessions() as session:
        actor = load_actor(session, admin_id)
    heard: list[tuple[str, float]] = []
    sent: list[tuple[str, float]] = []
    pages: list[float] = []
    committed = threading.local()

    def on_commit(_conn: Any) -> None:
        committed.at = time.time()  # just before the driver sends COMMIT (the note goes out with it)

    event.listen(db.engine, "commit", on_commit)
    lock = threading.Lock()

    def on_change(note: ChangeNote) -> None:
        now = time.time()
        with lock:
            heard.append((f"{note.entity}:{note.record_id}:{note.version}", now))

    listener = Listener(db, on_change=on_change)
    listener.start()
    while listener.online is not True:
        time.sleep(0.01)
    rng = random.Random(index)
    ready.put(index)
    go.wait()
    end = time.time() + seconds
    while time.time() < end:
        pages.append(page_ms(db, actor))
        record_id = rng.choice(ids)
        try:
            current = customers.get(db, actor, record_id)
            saved = customers.update(db, actor, record_id, expected_version=current.version,
                                     changes={"phone": f"0592-{rng.randrange(10**7):07d}"})
            sent.append((f"customer:{saved.id}:{saved.version}", committed.at))
        except ServiceError:
            pass  # another client saved it first: a conflict, as for a person
        time.sleep(rng.uniform(0.5, 1.5) * interval)
    time.sleep(1.5)  # the last notes arrive
    listener.stop()
    db.dispose()
    with lock:
        out.put((index, sent, list(heard), pages, ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--interval", type=float, default=0.5, help="mean pause between a client's saves (s)")
    parser.add_argument("--customers", type=int, default=300)
    args = parser.parse_args()

    server = make_url(normalize_url(args.database))
    if server.get_backend_name() != "postgresql":
        sys.exit("--database must be a PostgreSQL URL: live refresh between PCs is PostgreSQL's NOTIFY")
    name = f"crm_team_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        db = bootstrap(url)
        actor = auth.setup_company(db, company="基准测试公司", admin_name="管理员", admin_mobile=MOBILE, password=PASSWORD)
        ids = [customers.create(db, actor, {"name": f"客户{i:05d}"}).id for i in range(args.customers)]
        alone = [page_ms(db, actor) for _ in range(15)]
        db.dispose()

        ctx = mp.get_context("spawn")
        out, ready, go = ctx.Queue(), ctx.Queue(), ctx.Event()
        procs = [ctx.Process(target=client, args=(url, i, actor.user_id, ids, ready, go, args.seconds, args.interval, out))
                 for i in range(args.clients)]
        for proc in procs:
            proc.start()
        for _proc in procs:  # every process imported, logged in and listening
            ready.get(timeout=600)
        go.set()
        results = [out.get(timeout=300 + args.seconds) for _ in procs]
        for proc in procs:
            proc.join()

        for index, *_rest, error in results:
            if error:
                print(f"client {index} failed: {error}", file=sys.stderr)
        commits: dict[str, tuple[int, float]] = {}
        for index, sent, _heard, _pages, _error in results:
            for key, at in sent:
                commits[key] = (index, at)
        latencies = [max(0.0, (at - commits[key][1]) * 1000)
                     for index, _sent, heard, _pages, _error in results for key, at in heard
                     if key in commits and commits[key][0] != index]
        expected = sum(len(sent) for _i, sent, _h, _p, _e in results) * (args.clients - 1)
        under_load = [ms for _i, _s, _h, pages, _e in results for ms in pages]
        if latencies:
            print(f"notify_p50_ms={percentile(latencies, 0.5):.1f} notify_p95_ms={percentile(latencies, 0.95):.1f} "
                  f"clients={args.clients} notes_heard={len(latencies)} notes_expected={expected}")
        else:
            print(f"notify_p50_ms=nan notify_p95_ms=nan clients={args.clients} notes_heard=0 notes_expected={expected}")
        ours, ref = statistics.median(under_load), statistics.median(alone)
        print(f"list_page_under_load ours_ms={ours:.2f} ref_ms={ref:.2f} ratio={ours / ref:.2f}")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
