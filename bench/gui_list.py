"""GUI list benchmark: the real customer list opens on a big database without loading it all.

    QT_QPA_PLATFORM=offscreen python bench/gui_list.py --database URL [--pages 5] [--as MOBILE]

Opens ``CustomersTab`` (offscreen) logged in as the super administrator of a database built by
``bench/lists.py`` or ``crm-admin demo-data`` (or as another demo user with ``--as``), waits for
the first page, scrolls to the bottom ``--pages - 1`` times so the view fetches the next pages,
and prints what a script can read::

    gui_first_page ms=<x>
    gui_rows_loaded rows=<n> total=<count shown by the list>
    gui_peak_rss mb=<peak resident set size> budget_mb=300 ok=<True|False>

The peak RSS (``resource.getrusage``) is the whole process: Python, Qt, the login's argon2id
hash (memory-hard: most of the peak before the list opens), the model's rows. It
fails (exit status 1) when it is over the budget or when the model holds more rows than the
pages it was asked for — the list must never load every row.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication  # noqa: E402

from crm_desktop.bootstrap import bootstrap  # noqa: E402
from crm_desktop.demo.company import ADMIN_MOBILE, ADMIN_PASSWORD, DEMO_PASSWORD  # noqa: E402
from crm_desktop.services.org import auth  # noqa: E402
from crm_desktop.services.records.records import PAGE_SIZE  # noqa: E402
from crm_desktop.ui import ops  # noqa: E402
from crm_desktop.ui.context import make_context  # noqa: E402
from crm_desktop.ui.records.lists.customers import CustomersTab  # noqa: E402

BUDGET_MB = 300


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def current_rss_mb() -> float | None:
    """Resident set size now (Linux only; None elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def wait(app: QApplication, done: object, *, timeout: float = 120.0) -> None:
    """Run the event loop until ``done()`` is true (op results arrive through it)."""
    deadline = time.perf_counter() + timeout
    while not done():  # type: ignore[operator]
        if time.perf_counter() > deadline:
            raise SystemExit("timed out waiting for the list")
        app.processEvents()
        time.sleep(0.002)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of a database with demo data")
    parser.add_argument("--pages", type=int, default=5, help="pages to have loaded in the end")
    parser.add_argument("--as", dest="mobile", default=ADMIN_MOBILE, help="log in as this demo user")
    args = parser.parse_args()

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    db = bootstrap(args.database)
    password = ADMIN_PASSWORD if args.mobile == ADMIN_MOBILE else DEMO_PASSWORD
    actor = auth.login(db, args.mobile, password)
    ctx = make_context(db, actor)
    # The peak so far is mostly the login: argon2id hashing is memory-hard by design.
    before = current_rss_mb()
    print(f"# before the tab: peak rss {peak_rss_mb():.0f} MB, rss now {before or 0:.0f} MB", file=sys.stderr)

    t0 = time.perf_counter()
    tab = CustomersTab(ctx)
    tab.resize(1280, 800)
    tab.show()
    model = tab.model
    wait(app, lambda: model.rowCount() > 0 and not model.is_loading())
    first_ms = (time.perf_counter() - t0) * 1000
    print(f"gui_first_page ms={first_ms:.0f}", flush=True)

    view = tab.view
    for page in range(2, args.pages + 1):
        # Scrolling to the bottom is what makes the view call canFetchMore/fetchMore.
        view.scrollToBottom()
        app.processEvents()
        wait(app, lambda: model.rowCount() >= page * PAGE_SIZE or not model.canFetchMore() and not model.is_loading())
    wait(app, lambda: not model.is_loading() and ops.running_count() == 0 and model.total is not None)
    rows = model.rowCount()
    print(f"gui_rows_loaded rows={rows} total={model.total}", flush=True)
    peak = peak_rss_mb()
    ok = peak < BUDGET_MB and rows <= args.pages * PAGE_SIZE
    now = current_rss_mb()
    if now is not None and before is not None:
        print(f"# rss now {now:.0f} MB ({now - before:+.0f} MB since before the tab)", file=sys.stderr)
    print(f"gui_peak_rss mb={peak:.0f} budget_mb={BUDGET_MB} ok={ok}", flush=True)
    tab.close()
    tab.deleteLater()
    app.processEvents()
    db.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
