"""Start-up benchmark: from launching the program to the login window on screen.

    python bench/startup.py [--runs 9] [--platform offscreen]

Each run is a new Python process, timed from its launch to the login window's first paint
(the wall clock of this script, interpreter start-up included). The process is the app's own
``crm_desktop.ui.app.main`` (offscreen, a throwaway settings folder and a new SQLite file, as a
first launch), with a probe that writes one line at the login dialog's first paint and ends
the process there. The reference is the same probe around a bare
``QApplication`` + ``QDialog().show()``: the floor any PySide6 program pays on this machine
in the same run.

Prints ``startup_login_window ours_ms=<x> ref_ms=<y> ratio=<x/y>`` (medians, runs alternated),
and, with ``--imports``, the modules the app has imported when the login window is painted
(what ``python -X importtime`` would then show as its cost).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Runs in the measured process: a QApplication the app reuses (``main`` takes the existing
#: instance), an event filter that reports the first paint of a dialog called ``{dialog}``.
PROBE = r"""
import os, sys
sys.path.insert(0, {root!r})
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QDialog

class Probe(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and type(obj).__name__ == {dialog!r}:
            if {imports}:
                names = sorted(n for n in sys.modules if n.split(".")[0] in
                               ("crm_desktop", "sqlalchemy", "alembic", "pyqtgraph", "openpyxl", "psycopg",
                                "argon2", "keyring", "python_calamine", "rapidfuzz", "dateutil"))
                print("modules", " ".join(names), flush=True)
            print("shown", flush=True)
            os._exit(0)
        return False

app = QApplication([sys.argv[0]])
probe = Probe()
app.installEventFilter(probe)
{body}
"""

APP_BODY = "from crm_desktop.ui.app import main\nmain(['--database', {url!r}, '--language', 'zh_CN'])"
REF_BODY = "d = QDialog()\nd.setWindowTitle('reference')\nd.show()\napp.exec()"


def one_run(code: str, env: dict[str, str]) -> tuple[float, list[str]]:
    """Milliseconds from launch to the probe's line; the lines before it."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, text=True)
    assert proc.stdout is not None
    before: list[str] = []
    for line in proc.stdout:
        if line.strip() == "shown":
            elapsed = (time.perf_counter() - t0) * 1000
            proc.wait(timeout=60)
            return elapsed, before
        before.append(line.rstrip("\n"))
    err = proc.stderr.read() if proc.stderr else ""
    proc.wait()
    raise SystemExit(f"the window was never painted (exit {proc.returncode}):\n{err[-3000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--platform", default="offscreen")
    parser.add_argument("--imports", action="store_true", help="list the modules loaded at the login window")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="crm-startup-"))
    env = {**os.environ, "QT_QPA_PLATFORM": args.platform, "HOME": str(folder),
           "XDG_CONFIG_HOME": str(folder / "config"), "XDG_DATA_HOME": str(folder / "data")}
    env.pop("CRM_DATABASE_URL", None)
    url = f"sqlite:///{folder / 'crm.sqlite3'}"
    ours = PROBE.format(root=str(ROOT), dialog="LoginDialog", imports=args.imports,
                        body=APP_BODY.format(url=url))
    ref = PROBE.format(root=str(ROOT), dialog="QDialog", imports=False, body=REF_BODY)
    first, lines = one_run(ours, env)  # also creates the database file: later runs open it
    one_run(ref, env)
    if args.imports:
        for line in lines:
            if line.startswith("modules "):
                names = line.split()[1:]
                print(f"# {len(names)} modules at the login window:", file=sys.stderr)
                print("# " + " ".join(names), file=sys.stderr)
    mine: list[float] = []
    theirs: list[float] = []
    for _ in range(args.runs):
        mine.append(one_run(ours, env)[0])
        theirs.append(one_run(ref, env)[0])
    print(f"# first launch (new database) {first:.0f} ms; runs: ours {[round(x) for x in mine]}, "
          f"ref {[round(x) for x in theirs]}", file=sys.stderr)
    o, r = statistics.median(mine), statistics.median(theirs)
    print(f"startup_login_window ours_ms={o:.2f} ref_ms={r:.2f} ratio={o / r:.2f}", flush=True)


if __name__ == "__main__":
    main()
