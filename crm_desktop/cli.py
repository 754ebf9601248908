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

from crm_desktop.bootstrap import bootstrap
from crm_desktop.db import (
    Database,
    DatabaseError,
    check_connection,
    current_revision,
    make_engine,
    migrate,
    resolve_url,
    sqlite_file,
)
from crm_desktop.demo import company as demo
from crm_desktop.models import Role, User
from crm_desktop.services.customers import jobs
from crm_desktop.services.errors import ServiceError, ValidationError
from crm_desktop.services.maintenance import server_setup
from crm_desktop.services.maintenance.backup import backup, restore
from crm_desktop.services.org import auth, departments, roles, users
from crm_desktop.services.org.actor import Actor, load_actor
from crm_desktop.services.uow import read_only

EXIT_OK, EXIT_CANCELLED, EXIT_ERROR = 0, 1, 2


class CliError(Exception):
    """A problem with the command's input, reported as one line."""


#: ``crm-admin import --module`` names → the import engine's modules.
IMPORT_MODULES = {"customers": "customer", "leads": "lead", "contacts": "contact", "products": "product",
                  "opportunities": "opportunity", "contracts": "contract", "payments": "payment",
                  "followups": "followup"}

def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _out(text: str) -> None:
    print(text, flush=True)


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


#: Printed whenever a password comes from --password: any local user can read the command
#: lines of running processes (ps, /proc, Task Manager), and shells keep them in history.
PASSWORD_FLAG_WARNING = ("crm-admin: warning: a password given with --password is visible to every user of this "
                         "computer in the process list; use --password-stdin or the prompt instead.")


def _add_password_options(parser: argparse.ArgumentParser, whose: str) -> None:
    given = parser.add_mutually_exclusive_group()
    given.add_argument("--password-stdin", action="store_true",
                       help=f"read {whose} from the first line of standard input (for scripts)")
    given.add_argument("--password", help=f"{whose} on the command line: visible in the process list, avoid "
                                          "(asked for when neither option is given)")


def _password(args: argparse.Namespace, *, confirm: bool = True) -> str:
    """The password from standard input, the (discouraged) --password, or a prompt.

    --password-stdin with a terminal on standard input asks like the prompt (without echo).
    """
    if args.password is not None:
        _err(PASSWORD_FLAG_WARNING)
        return str(args.password)
    if args.password_stdin and not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line.strip("\r\n"):
            raise CliError("--password-stdin: standard input holds no password.")
        return line.rstrip("\r\n")  # only the line end: spaces may belong to the password
    if not sys.stdin.isatty():
        raise CliError("No password given: use --password-stdin, or run the command in a terminal to be asked.")
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
    before, after, copy = _upgrade(url, create=True)  # init (and the app's first run) alone create one
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
    db = bootstrap(url, migrate_schema=False)
    try:
        if not auth.needs_setup(db):
            raise CliError("This database is already set up; the company was not changed.")
        actor = auth.setup_company(db, company=args.company, admin_name=args.admin_name,
                                   admin_mobile=args.admin_mobile, password=_password(args))
    finally:
        db.dispose()
    _out(f"Set up {args.company}: super administrator {actor.name} (mobile {actor.mobile}).")
    return EXIT_OK


def _upgrade_printer(revision: str, description: str) -> None:
    _err(f"Applied schema revision {revision}: {description}")


def _upgrade(url: str, *, create: bool = False) -> tuple[str | None, str | None, Path | None]:
    """Bring the schema to head (all or nothing, see ``db.migrate``): (revision before, after,
    safety copy). Upgrading an existing database prints one line on stderr per revision
    applied (a big file takes a while; it commits only after the last); a new schema is
    built silently."""
    engine = make_engine(url, create=create)
    try:
        check_connection(engine)
        before = current_revision(engine)
        copy = migrate(engine, progress=_upgrade_printer if before is not None else None)
        return before, current_revision(engine), copy
    finally:
        engine.dispose()


def cmd_migrate(args: argparse.Namespace, url: str) -> int:
    before, after, copy = _upgrade(url)
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
    db = bootstrap(url)
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
        created = users.create_user(db, actor, data, password=_password(args))
    finally:
        db.dispose()
    roles_text = ", ".join(created.role_names) or "no role"
    _out(f"Created user {created.name} (id {created.id}, mobile {created.mobile}) "
         f"in {created.department_name} with {roles_text}.")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace, url: str) -> int:
    written = backup(url, Path(args.path))
    _out(f"Backed up {_shown(url)} to {written} ({written.stat().st_size:,} bytes)")
    return EXIT_OK


def cmd_server_setup(args: argparse.Namespace, url: str) -> int:
    if sqlite_file(url) is not None or not url.startswith("postgres"):
        raise CliError("server-setup prepares a PostgreSQL server: give --database postgresql://…")
    _upgrade(url, create=False)  # the schema first: the policies name its tables
    given = args.password_stdin or args.password is not None or sys.stdin.isatty()  # a terminal: asked
    done = server_setup.setup_server(url, prefix=args.prefix, directory_password=_password(args) if given else None)
    _out(f"Secured {_shown(url)}: owner role {done.owner_role}, group role {done.group_role}, row-level security "
         f"on {', '.join(done.protected_tables)}.")
    _out(f"Each CRM user has a database role {done.login_prefix}<user id>: it can log in once the user sets a "
         f"password or an administrator resets it; connections as those roles see only what the user's data "
         f"scope allows.")
    if given:
        _out(f"Each PC adds this server with user name {done.directory_role} and the password just given.")
    else:
        _out(f"The PCs' server entries name the role {done.directory_role}: give it a password by running "
             f"this command again with --password-stdin.")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, url: str) -> int:
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
    safety = restore(url, Path(args.path))
    _out(f"Restored {_shown(url)} from {args.path}")
    if safety is not None:
        _out(f"Safety copy of the data it replaced: {safety}")
    # A backup from an older version comes back with its older schema: bring it up to date
    # now rather than at the next start of the app.
    before, after, copy = _upgrade(url)
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
    db = bootstrap(url)
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
    try:  # imported here: the whole Qt interface, which the other commands never load
        from crm_desktop.ui.screenshots import render_screens
    except ImportError as exc:
        raise CliError(f"Screenshots are not available in this build: {exc}") from exc
    from crm_desktop.ui.layout_check import ScreenChecker
    from crm_desktop.ui.screenshots import app_instance, settle

    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    app = app_instance()
    checker = ScreenChecker(lambda: settle(app))
    languages = (args.language,) if args.language else ("zh_CN", "en")
    written = render_screens(out, languages=languages, inspect=checker)
    _out(f"Rendered {len(written)} screenshot(s) into {out}")
    if checker.problems:
        _err(checker.report())
        _err(f"Layout problems on {len(checker.problems)} screen(s) (overlapping widgets, clipped text, "
             "windows larger than 1280×800 or 1366×768).")
        return EXIT_ERROR
    return EXIT_OK


def cmd_run_jobs(args: argparse.Namespace, url: str) -> int:
    """Run the scheduled jobs once (recycle into public pools, reminders) and print a summary."""
    db = bootstrap(url)
    try:
        report = jobs.run_jobs(db)
    finally:
        db.dispose()
    _out(report.summary())
    return EXIT_OK


def _mapping_file(path: str | None) -> dict[str, str | None] | None:
    """A --mapping file: {"header": "field", ...} (JSON; null leaves a column out)."""
    if path is None:
        return None
    import json

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise CliError(f"--mapping {path}: not a readable JSON file ({exc}).") from None
    if not isinstance(data, dict) or not all(isinstance(v, (str, type(None))) for v in data.values()):
        raise CliError('--mapping: give a JSON object {"column header": "field name" or null}.')
    return {str(k): v for k, v in data.items()}


def _import_progress() -> Callable[[int, int], None]:
    show = _progress_printer()
    return lambda done, total: show(done, total, "Importing")


def cmd_import(args: argparse.Namespace, url: str) -> int:
    """Import a spreadsheet (or undo / resume a batch); the last line is the counts."""
    from crm_desktop.services.imports import engine as imports
    from crm_desktop.services.imports.reading import FileProblem

    if args.template:
        if not args.module:
            raise CliError("--module is required to write a template.")
        from crm_desktop.services.imports.template import write_template

        db = bootstrap(url, create=False)
        try:
            written = write_template(db, _system_actor(db), IMPORT_MODULES[args.module], Path(args.template))
        finally:
            db.dispose()
        _out(f"Wrote the {args.module} import template to {written}")
        return EXIT_OK
    if sum(x is not None for x in (args.file, args.undo, args.resume)) != 1:
        raise CliError("Give a FILE to import, or --undo BATCH, or --resume BATCH.")
    db = bootstrap(url, create=False)
    try:
        actor = _system_actor(db)
        try:
            if args.undo is not None:
                undone = imports.undo_import(db, actor, args.undo)
                for entity, rid in undone.changed_since:
                    _err(f"left as it is (changed since the import): {entity} {rid}")
                _out(f"undone batch={undone.batch_id} deleted={undone.deleted} restored={undone.restored} "
                     f"changed_since={len(undone.changed_since)}")
                return EXIT_OK
            if args.resume is not None:
                result = imports.resume_import(db, actor, args.resume, progress=_import_progress())
            else:
                if not args.module:
                    raise CliError("--module is required to import a file.")
                owner_id = None
                if args.owner:
                    matches = [u.id for u in users.list_users(db, actor) if args.owner in (u.mobile, str(u.id))]
                    if not matches:
                        raise CliError(f"No user with mobile number or id {args.owner!r} to own the records.")
                    owner_id = matches[0]
                options = imports.ImportOptions(
                    entity=IMPORT_MODULES[args.module], sheet=args.sheet, mapping=_mapping_file(args.mapping),
                    on_duplicate=args.on_duplicate, owner_id=owner_id, all_or_nothing=args.all_or_nothing,
                    run_rules=args.run_rules, batch_size=args.batch_size, unknown_values=args.unknown_values)
                path = Path(args.file)
                if args.dry_run:
                    plan = imports.dry_run(db, actor, path, options)
                    for e in plan.errors:
                        _err(f"row {e.row}, {e.column or '-'}: {e.reason}")
                    for row, diff in sorted(plan.diffs.items()):
                        changes = "; ".join(f"{k}: {old!r} -> {new!r}" for k, (old, new) in diff.items())
                        _out(f"row {row} would update: {changes}")
                    _out(f"dry-run new={plan.new} updated={plan.updated} skipped={plan.skipped} failed={plan.failed}")
                    return EXIT_OK if not plan.failed else EXIT_CANCELLED
                result = imports.run_import(db, actor, path, options, progress=_import_progress())
                if result.failed and args.error_file:
                    imports.write_error_file(path, result, Path(args.error_file), sheet=args.sheet,
                                             header_row=result.header_row)
                    _err(f"Rows that failed, with the reason: {args.error_file}")
        except FileProblem as exc:
            raise CliError(str(exc)) from None
        for e in result.errors:
            _err(f"row {e.row}, {e.column or '-'}: {e.reason}")
        _out(result.summary())
        return EXIT_OK if not result.failed else EXIT_CANCELLED
    finally:
        db.dispose()


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
    _add_password_options(p, "the super administrator's password")
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
    _add_password_options(p, "the initial password")
    p.set_defaults(func=cmd_create_user)

    p = sub.add_parser("backup", help="back up the whole database to a file")
    p.add_argument("path", help="backup file, or a folder to put a dated backup file in")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("server-setup", help="PostgreSQL: roles, minimum grants and row-level security for a team")
    p.add_argument("--prefix", help="prefix of the roles it creates (default: the database name and '_')")
    _add_password_options(p, "the password of the directory role the PCs' server entries name")
    p.set_defaults(func=cmd_server_setup)

    p = sub.add_parser("restore", help="replace all data with a backup")
    p.add_argument("path", help="backup file made by `crm-admin backup`")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=cmd_restore)

    from crm_desktop.demo import company as demo_company

    p = sub.add_parser(
        "demo-data", help="set up a demo company on an empty database",
        description=f"Set up the demo company {demo_company.COMPANY} (departments, roles, users, customers, the "
                    "sales chain and its approval flows) on an empty database.",
        epilog=f"Log in as the super administrator with mobile {demo_company.ADMIN_MOBILE} and password "
               f"{demo_company.ADMIN_PASSWORD}. Every other demo user logs in with their own mobile number (listed "
               f"under Administration → Users) and the password {demo_company.DEMO_PASSWORD}.")
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

    p = sub.add_parser("import", help="import a spreadsheet (xlsx, xls, ods, csv) into a module, or undo an import",
                       description="Import rows of a spreadsheet as records of a module, with the same rules as "
                                   "the forms. Automation rules and approval flows do NOT run for imported records "
                                   "unless --run-rules is given. Ends with one line: "
                                   "imported=N updated=N skipped=N failed=N batch=ID (exit status 0 when nothing "
                                   "failed, 1 when some rows failed).")
    p.add_argument("file", nargs="?", help="the file to import")
    p.add_argument("--module", choices=tuple(IMPORT_MODULES))
    p.add_argument("--sheet", help="sheet name (default: the first sheet with data)")
    p.add_argument("--mapping", help='JSON file {"column header": "field name"} (default: automatic)')
    p.add_argument("--on-duplicate", choices=("skip", "update", "create", "stop"), default="skip",
                   help="what to do with a row matching an existing record (default: skip)")
    p.add_argument("--owner", help="mobile number of the owner of records without an owner column")
    p.add_argument("--dry-run", action="store_true", help="check and count only; write nothing")
    p.add_argument("--all-or-nothing", action="store_true", help="import nothing if any row fails")
    p.add_argument("--run-rules", action="store_true", help="run automation rules and approval flows for the records")
    p.add_argument("--unknown-values", choices=("reject", "add"), default="reject",
                   help="dictionary values not in the dictionary: reject the row (default) or add them")
    p.add_argument("--batch-size", type=int, default=2000, help="rows per transaction (default 2000)")
    p.add_argument("--error-file", help="write the failed rows with a reason column to this .xlsx file")
    p.add_argument("--undo", type=int, metavar="BATCH", help="undo import batch BATCH")
    p.add_argument("--resume", type=int, metavar="BATCH", help="continue import batch BATCH after a crash")
    p.add_argument("--template", metavar="XLSX", help="write the module's import template to this file")
    p.set_defaults(func=cmd_import)
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
