"""The ``crm-desktop`` program: language, error handling, and the login → work → log out loop.

    crm-desktop [--database URL] [--language zh_CN|en] [--smoke]

``--database`` (or ``CRM_DATABASE_URL``) pins the database, so the login dialog offers no
other. ``--smoke`` opens the database (running its migrations), shows the login dialog,
prints ``smoke ok: login window shown`` once it is visible and exits 0 — a quick check of a
PyInstaller bundle; it exits 1 with a message when the database cannot be opened.

Thread rule: everything here runs on the GUI thread; the database is opened through
``ops.op`` like any other work.
"""
from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from crm_desktop import __version__, config
from crm_desktop.config import Config
from crm_desktop.db_location import resolve_url, sqlite_file
from crm_desktop.paths import resource_path, user_data_dir
from crm_desktop.ui import gc_policy, i18n, ops, window_memory
from crm_desktop.ui.account_dialogs import database_error_text
from crm_desktop.ui.i18n import tr
from crm_desktop.ui.login import LoginDialog

if TYPE_CHECKING:
    from crm_desktop.db import Database

# Start-up imports only what the login window needs: the database parts, the first-run set-up
# and the main window are imported where they are first used, while or after the login window
# is on screen (bench/startup.py measures launch to login window).

log = logging.getLogger(__name__)

SMOKE_OK = "smoke ok: login window shown"
SMOKE_TIMEOUT_MS = 120_000
ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def parse_args(argv: Sequence[str] | None) -> tuple[argparse.Namespace, list[str]]:
    """Our options; anything else is left for Qt (``-style``, ``-platform``, …)."""
    parser = argparse.ArgumentParser(prog="crm-desktop", description="CRM Desktop")
    parser.add_argument("--database", metavar="URL",
                        help="database URL (sqlite:///path or postgresql://user@host/db); "
                             "default: CRM_DATABASE_URL, else the connection chosen at login")
    parser.add_argument("--language", choices=sorted(i18n.LANGUAGES), help="interface language")
    parser.add_argument("--smoke", action="store_true",
                        help="open the database, show the login window, print a line and exit")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser.parse_known_args(list(sys.argv[1:] if argv is None else argv))


def log_file() -> Path:
    return user_data_dir() / "logs" / "crm-desktop.log"


def setup_logging() -> Path:
    """Log to a rotating file in the user's data folder (and warnings to stderr)."""
    path = log_file()
    root = logging.getLogger()
    if not any(getattr(h, "crm_desktop", False) for h in root.handlers):
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.crm_desktop = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    return path


_showing_error = False


def show_unexpected_error(exc: BaseException) -> None:
    """A message box instead of a traceback; the details are in the log file."""
    global _showing_error
    if _showing_error or QApplication.instance() is None:
        return  # one box at a time: an error raised while it is open is only logged
    _showing_error = True
    try:
        QMessageBox.critical(
            None,
            tr("CRM Desktop"),
            tr("Something unexpected went wrong: {error}\n\nThe details were written to the log file "
               "{path}. If this keeps happening, send that file to your administrator.").format(
                error=str(exc) or type(exc).__name__, path=log_file()),
        )
    finally:
        _showing_error = False


def excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """Log an uncaught exception with its traceback and tell the user in words."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    log.error("uncaught exception:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
    show_unexpected_error(exc)


def install_excepthook() -> ExceptHook:
    """Install :func:`excepthook`; returns the previous hook so it can be put back."""
    previous = sys.excepthook
    sys.excepthook = excepthook
    return previous


# --- the session loop ----------------------------------------------------------------------

def run_main_window(database: Database, actor: object, settings: Config) -> Literal["logout", "quit"]:
    """Show the main window until the user logs out or closes it."""
    from crm_desktop.ui.context import make_context
    from crm_desktop.ui.live import start_live
    from crm_desktop.ui.main_window import MainWindow  # imports every module's pages

    ctx = make_context(database, actor)  # type: ignore[arg-type]
    hub = start_live(ctx)  # other PCs' saves and editing windows, the server connection
    window = MainWindow(ctx, settings=settings)
    loop = QEventLoop()
    outcome: list[Literal["logout", "quit"]] = ["quit"]

    def logout() -> None:
        outcome[0] = "logout"
        loop.quit()

    window.logout_requested.connect(logout)
    window.closed.connect(loop.quit)
    window.show()
    loop.exec()
    window.hide()
    window.deleteLater()
    hub.stop()
    return outcome[0]


def run_sessions(settings: Config, *, fixed_url: str | None) -> int:
    """Login → (first-run set-up) → main window, again after each log out."""
    while True:
        login = LoginDialog(settings, fixed_url=fixed_url)
        if login.exec() != QDialog.DialogCode.Accepted or login.result_value is None:
            return 0
        database, actor = login.result_value.database, login.result_value.actor
        try:
            if actor is None:
                from crm_desktop.ui.first_run import FirstRunDialog

                first = FirstRunDialog(database)
                first.exec()
                actor = first.actor
                if actor is None:
                    continue
                if settings.path is not None:
                    settings.last_mobile = actor.mobile
                    config.save_config(settings)
            if run_main_window(database, actor, settings) != "logout":
                return 0
        finally:
            ops.wait_idle()
            database.dispose()


def run_smoke(url: str, settings: Config) -> int:
    """Open ``url`` off the GUI thread, show the login dialog, report, exit."""
    loop = QEventLoop()
    state: dict[str, object] = {"code": 1}

    def opened(database: Database) -> None:
        dialog = LoginDialog(settings, fixed_url=url, database=database)
        state["dialog"] = dialog
        dialog.show()

        def check() -> None:
            if dialog.isVisible():
                print(SMOKE_OK, flush=True)
                state["code"] = 0
            else:
                print("smoke failed: the login window did not appear", file=sys.stderr, flush=True)
            dialog.reject()
            loop.quit()

        QTimer.singleShot(0, check)

    def failed(exc: BaseException) -> None:
        message = database_error_text(exc, path=sqlite_file(url))
        print(f"smoke failed: {message}", file=sys.stderr, flush=True)
        loop.quit()

    def timed_out() -> None:
        print("smoke failed: timed out", file=sys.stderr, flush=True)
        loop.quit()

    from crm_desktop.bootstrap import bootstrap

    ops.op(None, lambda: bootstrap(url, create=True), write=True).success(opened).failure(failed).run()
    QTimer.singleShot(SMOKE_TIMEOUT_MS, timed_out)
    loop.exec()
    return int(state["code"])  # type: ignore[call-overload]


def main(argv: Sequence[str] | None = None) -> int:
    """The console entry point; returns the exit status."""
    args, qt_args = parse_args(argv)
    setup_logging()
    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    assert isinstance(app, QApplication)
    app.setApplicationName("CRM Desktop")
    app.setApplicationVersion(__version__)
    gc_policy.install(app)  # cyclic garbage is freed on this thread, never on a worker's
    icon = resource_path("icons", "app.png")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    # Between the login dialog and the main window no window is open: quitting then would
    # end the program in the middle of logging in.
    app.setQuitOnLastWindowClosed(False)
    settings = config.load_config()
    window_memory.install(settings)  # window sizes, positions and the last tab across restarts
    language = args.language or settings.language or i18n.system_language()
    if not i18n.install_language(language):
        log.info("no translation for %s; using English", language)
    previous_hook = install_excepthook()
    try:
        pinned = bool(args.database or os.environ.get("CRM_DATABASE_URL"))
        fixed_url = resolve_url(args.database) if pinned else None
        if args.smoke:
            return run_smoke(fixed_url or resolve_url(None), settings)
        return run_sessions(settings, fixed_url=fixed_url)
    finally:
        ops.wait_idle()
        sys.excepthook = previous_hook


if __name__ == "__main__":
    sys.exit(main())
