"""Backup and restore of a whole CRM database (SQLite file or PostgreSQL database).

SQLite uses the online backup API both ways: a backup is consistent while the app is
running (WAL), and a restore copies the backup *into* the target file in one step, so
connections that stay open see either the old or the new database, never a mixture.
PostgreSQL uses ``pg_dump -Fc`` and ``pg_restore --clean --if-exists --no-owner``; the
restore runs as one transaction, so a failure leaves the target as it was.

Nothing is written to the target before the backup file has been checked
(``backup_checks``): it must be a database of the right kind, intact, at a schema revision
this app knows, with exactly that revision's tables and columns. Then a safety copy of the
target is taken (SQLite: next to the database file; PostgreSQL: a dump next to the backup
being restored), and only then is the target replaced. Thread rule: plain blocking calls;
run them off the GUI thread.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from crm_desktop.db import (
    BUSY_TIMEOUT_MS,
    SQLITE_MAGIC,
    backup_sqlite_file,
    check_sqlite_file,
    make_engine,
    normalize_url,
    sqlite_file,
)
from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.maintenance.backup_checks import (
    BackupError,
    check_backup,
    dump_schema,
)

PG_MAGIC = b"PGDMP"
#: How long a PostgreSQL restore waits for other sessions' locks before giving up.
LOCK_TIMEOUT = "15s"

log = logging.getLogger(__name__)


def default_backup_name(url: str, *, now: dt.datetime | None = None) -> str:
    """A file name for a backup made now: ``crm-backup-YYYYmmdd-HHMMSS.sqlite3`` / ``.dump``."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    suffix = ".sqlite3" if _backend(url) == "sqlite" else ".dump"
    return f"crm-backup-{stamp}{suffix}"


def backup(url: str, path: Path) -> Path:
    """Write a backup of the database at ``url`` to ``path`` and return the file written.

    ``path`` may be a folder (a dated file name is chosen inside it). The file appears only
    once it is complete, so an interrupted backup never leaves a truncated file behind
    under the final name.
    """
    url = normalize_url(url)
    path = Path(path)
    if path.is_dir():
        path = path / default_backup_name(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        if _backend(url) == "sqlite":
            _backup_sqlite(_sqlite_target(url), path, partial)
        else:
            _backup_postgres(url, partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def restore(url: str, path: Path) -> Path | None:
    """Replace all data of the database at ``url`` with the backup in ``path``; returns the
    safety copy taken of the data it replaced (None when the target held no data).

    Refuses (raising BackupError, target untouched) a file that is not a backup of this
    database type, is damaged, is at a schema revision this app does not know (a newer
    version's), or whose tables and columns are not those of its revision. A backup from an
    older version is restored as it is; opening the database upgrades it. An SQLite target
    that does not exist yet is created from the backup (restoring onto a new computer).
    """
    url = normalize_url(url)
    path = Path(path)
    if not path.is_file():
        raise BackupError(QT_TRANSLATE_NOOP("errors", "There is no backup file at {path}."), path=str(path))
    if _backend(url) == "sqlite":
        return _restore_sqlite(path, _sqlite_target(url))
    return _restore_postgres(url, path)


def _safety_path(folder: Path, name: str, *, suffix: str = "") -> Path:
    """A new file for the data a restore replaces: never an earlier restore's copy."""
    stem = f"{name}.pre-restore-{dt.datetime.now():%Y%m%d-%H%M%S}"
    dest, n = folder / f"{stem}{suffix}", 1
    while dest.exists():
        n += 1
        dest = folder / f"{stem}-{n}{suffix}"
    return dest


# --- shared checks -------------------------------------------------------------------------

def _backend(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(QT_TRANSLATE_NOOP("errors", "Unsupported database type: {backend}"), backend=backend)
    return backend


def _magic(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(16)


# --- SQLite ------------------------------------------------------------------------------

def _sqlite_target(url: str) -> Path:
    target = sqlite_file(url)
    if target is None:
        raise BackupError(QT_TRANSLATE_NOOP("errors", "An in-memory database cannot be backed up or restored."))
    return target


def _backup_sqlite(source: Path, dest: Path, partial: Path) -> None:
    if not source.is_file():
        raise BackupError(QT_TRANSLATE_NOOP("errors", "There is no database at {path}."), path=str(source))
    check_sqlite_file(source)
    if dest.resolve() == source.resolve():
        raise BackupError(QT_TRANSLATE_NOOP("errors", "Choose a backup file other than the database itself."))
    src = sqlite3.connect(str(source), timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        out = sqlite3.connect(str(partial))
        try:
            src.backup(out)
            # A backup is one self-contained file: no -wal/-shm companions to forget.
            out.execute("PRAGMA journal_mode=DELETE")
        finally:
            out.close()
    except sqlite3.Error as exc:
        raise BackupError(QT_TRANSLATE_NOOP("errors", "The backup failed: {error}"), error=str(exc)) from exc
    finally:
        src.close()


def _inspect_sqlite_backup(path: Path) -> None:
    """Refuse anything but an intact SQLite file holding a CRM schema this app knows."""
    header = _magic(path)
    if header.startswith(PG_MAGIC):
        raise BackupError(QT_TRANSLATE_NOOP(
            "errors", "{path} is a PostgreSQL backup; restore it into a PostgreSQL database. Nothing was changed."),
            path=str(path))
    if header != SQLITE_MAGIC:
        raise BackupError(QT_TRANSLATE_NOOP(
            "errors", "{path} is not a CRM backup (it is not an SQLite database). Nothing was changed."),
            path=str(path))
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        # Intact first: a damaged file's catalogue cannot be trusted either.
        verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(QT_TRANSLATE_NOOP(
                "errors", "{path} is damaged ({error}). Nothing was changed."), path=str(path), error=verdict)
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        schema = {t: {r[1] for r in conn.execute(f"PRAGMA table_info({_quoted(t)})")} for t in tables}
        revision = None
        if "alembic_version" in schema:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        check_backup(path, revision, schema)
    except sqlite3.DatabaseError as exc:
        raise BackupError(QT_TRANSLATE_NOOP(
            "errors", "{path} cannot be read as a CRM backup ({error}). Nothing was changed."),
            path=str(path), error=str(exc)) from exc
    finally:
        conn.close()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _page_size(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA page_size").fetchone()[0])


def _restore_sqlite(path: Path, target: Path) -> Path | None:
    if target.exists() and path.resolve() == target.resolve():
        raise BackupError(QT_TRANSLATE_NOOP("errors", "The backup file is the database itself."))
    _inspect_sqlite_backup(path)
    check_sqlite_file(target)  # never overwrite some other kind of file
    target.parent.mkdir(parents=True, exist_ok=True)
    safety = None
    if target.exists() and target.stat().st_size > 0:
        try:
            safety = backup_sqlite_file(target, _safety_path(target.parent, target.name))
        except sqlite3.Error as exc:
            raise BackupError(QT_TRANSLATE_NOOP(
                "errors", "Could not take a safety copy of the database first: {error}. Nothing was changed."),
                error=str(exc)) from exc
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".restore-") as scratch:
        src = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(str(target), timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                if target.stat().st_size > 0 and _page_size(src) != _page_size(dst):
                    # A WAL database cannot take pages of another size: rewrite a scratch
                    # copy with the target's page size first (the backup file stays as it is).
                    src = _resized_copy(src, Path(scratch) / "restore.sqlite3", _page_size(dst))
                # One step (pages=-1): the whole copy is a single write transaction on the target.
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=WAL")
            finally:
                dst.close()
        except sqlite3.Error as exc:
            raise BackupError(QT_TRANSLATE_NOOP(
                "errors", "The restore failed: {error}. The database was not changed."), error=str(exc)) from exc
        finally:
            src.close()
    return safety


def _resized_copy(src: sqlite3.Connection, scratch: Path, page_size: int) -> sqlite3.Connection:
    copy = sqlite3.connect(str(scratch))
    try:
        src.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        copy.execute(f"PRAGMA page_size={int(page_size)}")
        copy.execute("VACUUM")
    except BaseException:
        copy.close()
        raise
    src.close()
    return copy


# --- PostgreSQL ----------------------------------------------------------------------------

def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(QT_TRANSLATE_NOOP(
            "errors", "The PostgreSQL program {program} was not found. Install the PostgreSQL client tools "
                     "(the same major version as the server or newer) and put them on the PATH."),
            program=name)
    return found


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and an environment carrying it.

    The password travels in PGPASSWORD so that it never shows in a process list.
    """
    u: URL = make_url(url)
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    # Built afresh: URL.set(password=None) keeps the old password.
    bare = URL.create("postgresql", username=u.username, host=u.host, port=u.port, database=u.database,
                      query=u.query)
    conninfo = bare.render_as_string(hide_password=False)
    return conninfo, env


def _run(args: list[str], env: dict[str, str], *, what: str) -> subprocess.CompletedProcess[bytes]:
    done = subprocess.run(args, env=env, capture_output=True, check=False)
    if done.returncode != 0:
        raise BackupError(QT_TRANSLATE_NOOP("errors", "{what} failed: {error}"),
                          what=what, error=_first_error(done.stderr))
    return done


def _first_error(stderr: bytes) -> str:
    lines = [ln.strip() for ln in stderr.decode(errors="replace").splitlines() if ln.strip()]
    for line in lines:
        if "error" in line.lower() or "fatal" in line.lower():
            return line
    return lines[0] if lines else "unknown error"


def _backup_postgres(url: str, partial: Path) -> None:
    conninfo, env = _libpq(url)
    _run([_tool("pg_dump"), "--format=custom", f"--file={partial}", f"--dbname={conninfo}"], env, what="pg_dump")


def _inspect_pg_backup(path: Path) -> None:
    header = _magic(path)
    if header == SQLITE_MAGIC:
        raise BackupError(QT_TRANSLATE_NOOP(
            "errors", "{path} is an SQLite backup; restore it into an SQLite database file. Nothing was changed."),
            path=str(path))
    if not header.startswith(PG_MAGIC):
        raise BackupError(QT_TRANSLATE_NOOP(
            "errors", "{path} is not a CRM backup (not a PostgreSQL custom-format dump). Nothing was changed."),
            path=str(path))
    schema = dump_schema(_read_dump(path, "--schema-only"))
    if "alembic_version" not in schema:
        check_backup(path, None, schema)
    data = _read_dump(path, "--data-only", "--table=alembic_version").splitlines()
    revision = None
    for i, line in enumerate(data):
        if line.startswith("COPY ") and "alembic_version" in line and i + 1 < len(data) and data[i + 1] != "\\.":
            revision = data[i + 1].strip()
            break
    check_backup(path, revision, schema)


def _read_dump(path: Path, *options: str) -> str:
    """What ``pg_restore`` makes of part of a dump, as SQL text; a truncated or damaged
    dump is answered in one line."""
    done = subprocess.run([_tool("pg_restore"), *options, "--file=-", str(path)], capture_output=True, check=False)
    if done.returncode != 0:
        raise BackupError(QT_TRANSLATE_NOOP(
            "errors", "{path} cannot be read as a CRM backup ({error}). Nothing was changed."),
            path=str(path), error=_first_error(done.stderr))
    return done.stdout.decode(errors="replace")


def _secured_prefix(url: str) -> str | None:
    """The role prefix of a database prepared by ``server-setup`` (its tables' owner is
    ``<prefix>owner`` and its functions exist), else None."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            owner = conn.scalar(text(
                "SELECT tableowner FROM pg_catalog.pg_tables WHERE schemaname = 'public' "
                "AND tablename = 'alembic_version' AND to_regprocedure('crm_sync_login(integer, text)') IS NOT NULL"))
    finally:
        engine.dispose()
    return owner[: -len("owner")] if owner and owner.endswith("owner") else None


def _secure_again(url: str, prefix: str) -> None:
    """A restore brings the tables back without their grants and policies: set secure server
    mode up again, as the connection may (a superuser's can; else the administrator runs
    ``crm-admin server-setup``, README "Team on a LAN")."""
    from crm_desktop.services.maintenance.server_setup import setup_server

    try:
        setup_server(url, prefix=prefix)
    except Exception:  # noqa: BLE001 - the restore itself succeeded; say what is left to do
        log.warning("restored; secure server mode must be set up again: run crm-admin server-setup", exc_info=True)


def _current_tables(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(text(
                "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = 'public' ORDER BY tablename")))
    finally:
        engine.dispose()


def _safety_dump(url: str, beside: Path) -> Path:
    """pg_dump the target next to the backup being restored (the administrator's backup
    folder), written under a temporary name and renamed once complete."""
    name = make_url(url).database or "crm"
    dest = _safety_path(beside.parent, name, suffix=".dump")
    partial = dest.with_name(f".{dest.name}.partial")
    try:
        _backup_postgres(url, partial)
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)
    return dest


def _restore_postgres(url: str, path: Path) -> Path | None:
    _inspect_pg_backup(path)
    conninfo, env = _libpq(url)
    pg_restore, psql = _tool("pg_restore"), _tool("psql")
    current = _current_tables(url)
    secured = _secured_prefix(url) if current else None
    safety = _safety_dump(url, path) if current else None
    # Tables the backup does not have (added by a later upgrade) must go as well, or the next
    # upgrade would trip over them; dropping everything first, in the same transaction as the
    # restore, gives exactly the backup's database or (on any error) the untouched target.
    quoted = ", ".join('"' + t.replace('"', '""') + '"' for t in current)
    prelude = f"SET lock_timeout = '{LOCK_TIMEOUT}';\n"
    if quoted:
        prelude += f"DROP TABLE IF EXISTS {quoted} CASCADE;\n"
    # NOTICEs ("table does not exist, skipping") are noise; stderr goes to files, not pipes,
    # so a chatty tool can never block while we are feeding psql.
    env["PGOPTIONS"] = (env.get("PGOPTIONS", "") + " -c client_min_messages=warning").strip()
    with tempfile.TemporaryFile() as script_err, tempfile.TemporaryFile() as loader_err:
        script = subprocess.Popen(
            [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--file=-", str(path)],
            stdout=subprocess.PIPE, stderr=script_err, env=env,
        )
        loader = subprocess.Popen(
            [psql, "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1", f"--dbname={conninfo}"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=loader_err, env=env,
        )
        assert script.stdout is not None and loader.stdin is not None
        broken = False
        try:
            loader.stdin.write(prelude.encode())
            shutil.copyfileobj(script.stdout, loader.stdin, 1 << 20)
        except BrokenPipeError:
            broken = True  # psql stopped at an error; its stderr says which
        script.stdout.close()
        script_failed = script.wait() != 0
        if script_failed and not broken:
            # psql has an incomplete script and is still waiting for more: killing it before
            # it sees the end of its input makes the server roll the transaction back.
            loader.kill()
        try:
            loader.stdin.close()
        except OSError:
            pass
        loader_failed = loader.wait() != 0
        if script_failed and not broken:
            script_err.seek(0)
            raise BackupError(QT_TRANSLATE_NOOP(
                "errors", "The restore failed: {error}. The database was not changed."),
                error=_first_error(script_err.read()))
        if loader_failed:
            loader_err.seek(0)
            error = _first_error(loader_err.read())
            if "lock timeout" in error:
                raise BackupError(QT_TRANSLATE_NOOP(
                    "errors", "The database is in use: close CRM Desktop on every computer, then restore again. "
                             "Nothing was changed."))
            raise BackupError(QT_TRANSLATE_NOOP(
                "errors", "The restore failed: {error}. The database was not changed."), error=error)
    if secured is not None:
        _secure_again(url, secured)
    return safety
