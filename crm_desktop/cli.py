"""``crm-admin``: the administrator's command line.

Create or upgrade a database, set up the company, add users, back up and restore, fill a
database with demo data and render the screenshots. The database is ``--database URL``,
else ``CRM_DATABASE_URL``, else the user's own SQLite file. Output is English (this tool is
for administrators); errors are one line on stderr and exit status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from crm_desktop.db import (
    Database,
    DatabaseError,
    check_connection,
    current_revision,
    make_engine,
    migrate,
    open_database,
    resolve_url,
)
from crm_desktop.models import Role, User
from crm_desktop.services.actor import Actor, load_actor
from crm_desktop.services.errors import ServiceError, ValidationError
from crm_desktop.services.uow import read_only

EXIT_OK, EXIT_CANCELLED, EXIT_ERROR = 0, 1, 2


class CliError(Exception):
    """A problem with the command's input, reported as one line."""


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _out(text: str) -> None:
    print(text, flush=True)


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _password(given: str | None, *, confirm: bool = True) -> str:
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise CliError("No password given: use --password, or run the command in a terminal to be asked.")
    first = getpass.getpass("Password: ")
    if confirm and getpass.getpass("Repeat the password: ") != first:
        raise CliError("The two passwords differ.")
    return first


def _system_actor(db: Database) -> Actor:
    """The first enabled super administrator: the CLI acts with the system's full authority."""
    with read_only(db, None) as uow:
        user_id = uow.session.scalar(
            select(User.id).join(User.roles).where(Role.is_super.is_(True), User.enabled.is_(True)).order_by(User.id)
        )
        if user_id is None:
            raise CliError("The company is not set up yet: run `crm-admin init --company ...` first.")
        return load_actor(uow.session, user_id)


# --- commands ------------------------------------------------------------------------------

def cmd_init(args: argparse.Namespace, url: str) -> int:
    company_opts = (args.company, args.admin_name, args.admin_mobile)
    if any(company_opts) and not all(company_opts):
        raise CliError("To set up the company give --company, --admin-name and --admin-mobile together.")
    engine = make_engine(url)
    try:
        check_connection(engine)
        before = current_revision(engine)
        copy = migrate(engine)
        after = current_revision(engine)
    finally:
        engine.dispose()
    if before is None:
        _out(f"Created the database schema ({after}) in {_shown(url)}")
    elif before != after:
        _out(f"Upgraded the database schema {before} -> {after} in {_shown(url)}")
    else:
        _out(f"The database schema is up to date ({after}) in {_shown(url)}")
    if copy is not None:
        _out(f"Safety copy of the old database: {copy}")
    if not args.company:
        return EXIT_OK
    from crm_desktop.services import auth

    db = open_database(url, migrate_schema=False)
    try:
        if not auth.needs_setup(db):
            raise CliError("This database is already set up; the company was not changed.")
        actor = auth.setup_company(db, company=args.company, admin_name=args.admin_name,
                                   admin_mobile=args.admin_mobile, password=_password(args.password))
    finally:
        db.dispose()
    _out(f"Set up {args.company}: super administrator {actor.name} (mobile {actor.mobile}).")
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace, url: str) -> int:
    engine = make_engine(url)
    try:
        check_connection(engine)
        before = current_revision(engine)
        copy = migrate(engine)
        after = current_revision(engine)
    finally:
        engine.dispose()
    if before == after:
        _out(f"Already up to date: {after}")
    else:
        _out(f"Migrated: {before or '(empty)'} -> {after}")
    if copy is not None:
        _out(f"Safety copy: {copy}")
    return EXIT_OK


def _pick(kind: str, wanted: str, choices: Sequence[tuple[int, str]]) -> int:
    """Find a department or role by id or exact name; list the choices when it fails."""
    if wanted.isdigit() and any(cid == int(wanted) for cid, _ in choices):
        return int(wanted)
    hits = [cid for cid, name in choices if name == wanted.strip()]
    if len(hits) == 1:
        return hits[0]
    names = ", ".join(sorted({name for _, name in choices}))
    if hits:
        raise CliError(f"More than one {kind} is called {wanted!r}: give its id ({', '.join(map(str, hits))}).")
    raise CliError(f"No {kind} {wanted!r}. Choose one of: {names}")


def cmd_create_user(args: argparse.Namespace, url: str) -> int:
    from crm_desktop.services import departments, roles, users

    db = open_database(url)
    try:
        actor = _system_actor(db)
        depts = departments.list_departments(db, actor)
        dept_id = _pick("department", args.department, [(d.id, d.name) for d in depts])
        all_roles = roles.list_roles(db, actor)
        role_ids = tuple(_pick("role", r, [(x.id, x.name) for x in all_roles]) for r in args.role or [])
        superior_id = None
        if args.superior:
            everyone = users.list_users(db, actor)
            matches = [u.id for u in everyone if args.superior in (u.mobile, str(u.id))]
            if not matches:
                raise CliError(f"No user with mobile number or id {args.superior!r} to be the direct superior.")
            superior_id = matches[0]
        data = users.UserInput(mobile=args.mobile, name=args.name, department_id=dept_id, email=args.email or "",
                               position=args.position or "", superior_id=superior_id, role_ids=role_ids)
        created = users.create_user(db, actor, data, password=_password(args.password))
    finally:
        db.dispose()
    roles_text = ", ".join(created.role_names) or "no role"
    _out(f"Created user {created.name} (id {created.id}, mobile {created.mobile}) "
         f"in {created.department_name} with {roles_text}.")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace, url: str) -> int:
    from crm_desktop.services.backup import backup

    written = backup(url, Path(args.path))
    _out(f"Backed up {_shown(url)} to {written} ({written.stat().st_size:,} bytes)")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, url: str) -> int:
    from crm_desktop.services.backup import restore

    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError("Restoring replaces all data: confirm with --yes when not running in a terminal.")
        try:
            answer = input(f"Restoring {args.path} replaces ALL data in {_shown(url)}. Type 'yes' to continue: ")
        except EOFError:
            answer = ""
        if answer.strip().lower() != "yes":
            _err("Cancelled; nothing was changed.")
            return EXIT_CANCELLED
    restore(url, Path(args.path))
    _out(f"Restored {_shown(url)} from {args.path}")
    # A backup from an older version comes back with its older schema: bring it up to date
    # now rather than at the next start of the app.
    engine = make_engine(url)
    try:
        before = current_revision(engine)
        copy = migrate(engine)
        after = current_revision(engine)
    finally:
        engine.dispose()
    if before != after:
        _out(f"Upgraded the restored database: {before} -> {after}")
        if copy is not None:
            _out(f"Safety copy before the upgrade: {copy}")
    return EXIT_OK


def _progress_printer() -> Callable[[int, int, str], None]:
    tty = sys.stderr.isatty()
    last: list[str] = [""]

    def show(done: int, total: int, text: str) -> None:
        if tty:
            sys.stderr.write(f"\r{text} ({done}/{total})\x1b[K")
            if done == total:
                sys.stderr.write("\n")
            sys.stderr.flush()
        elif text != last[0]:  # a log file gets one line per step
            _err(text)
        last[0] = text

    return show


def cmd_demo_data(args: argparse.Namespace, url: str) -> int:
    from crm_desktop.services import demo

    db = open_database(url)
    try:
        actor = demo.create_demo_company(db, users=args.users, customers=args.customers, seed=args.seed,
                                         progress=_progress_printer())
    finally:
        db.dispose()
    _out(f"Demo company {demo.COMPANY} is ready in {_shown(url)}: {args.users} users, {args.customers} customers.")
    _out(f"Log in as {actor.mobile} / {demo.ADMIN_PASSWORD} (super administrator); "
         f"every other user's password is {demo.DEMO_PASSWORD}.")
    return EXIT_OK


def cmd_screenshot(args: argparse.Namespace, url: str) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from crm_desktop.ui.screenshots import render_screens
    except ImportError as exc:
        raise CliError(f"Screenshots are not available in this build: {exc}") from exc
    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    written = render_screens(out, languages=(args.language,)) if args.language else render_screens(out)
    _out(f"Rendered {len(written)} screenshot(s) into {out}")
    return EXIT_OK


def cmd_run_jobs(args: argparse.Namespace, url: str) -> int:
    """Run the scheduled jobs once (recycle into public pools, reminders) and print a summary."""
    from crm_desktop.services import jobs

    db = open_database(url)
    try:
        report = jobs.run_jobs(db)
    finally:
        db.dispose()
    _out(report.summary())
    return EXIT_OK


# --- parser and entry point ----------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crm-admin", description="Administer a CRM Desktop database.")
    parser.add_argument("--database", metavar="URL",
                        help="sqlite:///path/to/file.sqlite3 or postgresql://user@host/db "
                             "(default: $CRM_DATABASE_URL, else your own database file)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("init", help="create or upgrade the database; optionally set up the company")
    p.add_argument("--company", help="company name (the top department)")
    p.add_argument("--admin-name", help="the super administrator's name")
    p.add_argument("--admin-mobile", help="the super administrator's mobile number (their login)")
    p.add_argument("--password", help="the super administrator's password (asked for when omitted)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("migrate", help="upgrade the database schema to this version")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("create-user", help="add a user")
    p.add_argument("--mobile", required=True, help="mobile number (the login)")
    p.add_argument("--name", required=True)
    p.add_argument("--department", required=True, help="department name or id")
    p.add_argument("--role", action="append", help="role name or id (repeat for several roles)")
    p.add_argument("--position", help="job title")
    p.add_argument("--email")
    p.add_argument("--superior", help="direct superior's mobile number or user id")
    p.add_argument("--password", help="initial password (asked for when omitted)")
    p.set_defaults(func=cmd_create_user)

    p = sub.add_parser("backup", help="back up the whole database to a file")
    p.add_argument("path", help="backup file, or a folder to put a dated backup file in")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="replace all data with a backup")
    p.add_argument("path", help="backup file made by `crm-admin backup`")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("demo-data", help="set up a demo company on an empty database")
    p.add_argument("--users", type=int, default=12, help="number of users (at least 12; default 12)")
    p.add_argument("--customers", type=int, default=300, help="number of customers (default 300)")
    p.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    p.set_defaults(func=cmd_demo_data)

    p = sub.add_parser("screenshot", help="render the main screens of a temporary demo company to PNG files")
    p.add_argument("dir", help="output folder")
    p.add_argument("--language", choices=("en", "zh_CN"), help="only this language")
    p.set_defaults(func=cmd_screenshot)

    p = sub.add_parser("run-jobs", help="run the scheduled jobs now: recycle customers into public pools, reminders")
    p.set_defaults(func=cmd_run_jobs)
    return parser


def _message(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{field}: {text}" for field, text in exc.field_errors.items())
    if isinstance(exc, SQLAlchemyError):
        orig = getattr(exc, "orig", None)
        return (str(orig or exc).strip().splitlines() or [type(exc).__name__])[0]
    return str(exc) or type(exc).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status (0 ok, 1 cancelled, 2 error)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error argparse has already printed
        return int(exc.code or 0) if isinstance(exc.code, int) or exc.code is None else EXIT_ERROR
    try:
        url = resolve_url(args.database)
        return int(args.func(args, url))
    except (CliError, DatabaseError, ServiceError, SQLAlchemyError, OSError) as exc:
        _err(f"crm-admin {args.command}: error: {_message(exc)}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        _err("Interrupted.")
        return 130


if __name__ == "__main__":
    sys.exit(main())
