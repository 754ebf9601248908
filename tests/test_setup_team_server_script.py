"""tools/setup-team-server.sh (README, "Team on a LAN") run for real against the test server.

The script gets a database name of its own (dropped afterwards with its roles), a copy of the
server's configuration folder in tmp_path (the shared server's own files are never edited:
other tests use it), a temporary cron folder, --no-restart and a stand-in ufw first on PATH
(the machine's firewall is never touched). A second run must find everything done; --dry-run
must change nothing. Skipped, saying why, when the server
or psql is missing outside CI (in CI that fails, as the other PostgreSQL tests do).
"""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "setup-team-server.sh"
CRM_ADMIN = Path(os.path.realpath(Path(sys.executable).parent / "crm-admin"))
LAN = "192.168.77.0/24"


def _unavailable(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def test_script_parses() -> None:
    done = subprocess.run(["bash", "-n", str(SCRIPT)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_script_passes_shellcheck() -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed")
    done = subprocess.run(["shellcheck", str(SCRIPT)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_refuses_a_password_on_the_command_line() -> None:
    done = subprocess.run(["bash", str(SCRIPT), "--lan", LAN, "--password", "secret"],
                          capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)
    assert done.returncode == 2 and "--password-stdin" in done.stderr


@pytest.fixture
def server() -> Iterator[Engine]:
    """A superuser connection to the test server (AUTOCOMMIT), or a skip saying why."""
    if shutil.which("psql") is None:
        _unavailable("psql is not installed: the script needs PostgreSQL's client")
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            if not conn.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")):
                _unavailable(f"{make_url(PG_URL).username} is not a superuser: server-setup needs one")
    except Exception as exc:  # noqa: BLE001 - any failure to connect
        _unavailable(f"PostgreSQL at {make_url(PG_URL).render_as_string(hide_password=True)} is unreachable: {exc}")
    yield engine
    engine.dispose()


@pytest.fixture
def dbname(server: Engine) -> Iterator[str]:
    """A fresh database name; the database and the roles the script made go afterwards."""
    name = f"crm_script_{uuid.uuid4().hex[:8]}"
    yield name
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        roles = list(conn.execute(text(
            "SELECT rolname FROM pg_roles WHERE rolname LIKE :p ORDER BY rolname LIKE '%\\_owner' "
            "OR rolname LIKE '%\\_users', rolname"), {"p": name.replace("_", "\\_") + "\\_%"}).scalars())
        for role in roles:  # the users' roles first: they are members of the group
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))


def _conf_copy(server: Engine, into: Path) -> Path:
    """A copy of the server's configuration folder, or a Debian-like stand-in when its files are
    not readable here (a server on another machine): postgresql.conf with include_dir conf.d,
    whose file sets listen_addresses as this server's does."""
    with server.connect() as conn:
        config_file = Path(str(conn.scalar(text("SHOW config_file"))))
    target = into / "pgconf"
    try:
        shutil.copytree(config_file.parent, target, symlinks=True)
        if (target / "pg_hba.conf").exists() and (target / "postgresql.conf").exists():
            return target
        shutil.rmtree(target)
    except OSError:
        shutil.rmtree(target, ignore_errors=True)
    (target / "conf.d").mkdir(parents=True)
    (target / "postgresql.conf").write_text("#listen_addresses = 'localhost'\nport = 5432\ninclude_dir = 'conf.d'\n")
    (target / "conf.d" / "90-local.conf").write_text("listen_addresses = '127.0.0.1'\n")
    (target / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    return target


def _installed_by_dpkg() -> bool:
    """Whether the script's install step will find PostgreSQL (else the test skips that step:
    it must never install anything)."""
    if shutil.which("dpkg-query") is None:
        return False
    done = subprocess.run(["dpkg-query", "-W", "-f=${Status}\n", "postgresql-[0-9]*"],
                          capture_output=True, text=True, check=False)
    return "install ok installed" in done.stdout


def _snapshot(*folders: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for folder in folders if folder.exists()
            for p in sorted(folder.rglob("*")) if p.is_file()}


#: ufw as far as the script uses it: "allow …" once, then "Skipping adding existing rule".
FAKE_UFW = """#!/bin/sh
log="$(dirname "$0")/ufw.log"
case "$1" in
  allow) if grep -qxF "$*" "$log" 2>/dev/null; then echo "Skipping adding existing rule"
         else echo "$*" >>"$log"; echo "Rules updated"; fi ;;
  status) echo "Status: inactive" ;;
  *) exit 1 ;;
esac
"""


def _fake_ufw(tmp_path: Path) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    (folder / "ufw").write_text(FAKE_UFW)
    (folder / "ufw").chmod(0o755)
    return folder


def _run(args: list[str], stdin: str, *, path_first: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CRM_DATABASE_URL", "PGPASSFILE")}
    if path_first is not None:
        env["PATH"] = f"{path_first}{os.pathsep}{env.get('PATH', '')}"
    url = make_url(PG_URL)
    if url.password:  # the superuser's, for the script's own TCP connections
        env["PGPASSWORD"] = str(url.password)
    return subprocess.run(["bash", str(SCRIPT), *args], input=stdin, capture_output=True, text=True,
                          check=False, env=env, timeout=120)


def _args(dbname: str, tmp_path: Path, conf: Path, *extra: str) -> list[str]:
    url = make_url(PG_URL)
    args = ["--database", dbname, "--host", url.host or "127.0.0.1", "--port", str(url.port or 5432),
            "--superuser", url.username or "postgres", "--lan", LAN, "--crm-admin", str(CRM_ADMIN),
            "--pg-conf-dir", str(conf), "--cron-dir", str(tmp_path / "cron.d"),
            "--backup-dir", str(tmp_path / "backups"), "--pgpass-file", str(tmp_path / "secret" / "crm.pgpass"),
            "--no-restart", *extra]
    return args if _installed_by_dpkg() else [*args, "--skip-install"]


def _effective_listen(conf: Path) -> str:
    """listen_addresses as PostgreSQL would read the copied folder: the last one set wins,
    conf.d's files (in name order) where include_dir stands."""
    value = ""
    def read(path: Path) -> None:
        nonlocal value
        for raw in path.read_text().splitlines():
            line = raw.split("#", 1)[0].strip()
            key, _, rest = line.partition("=")
            if key.strip() == "listen_addresses":
                value = rest.strip().strip("'")
            elif key.strip() == "include_dir":
                folder = conf / rest.strip().strip("'")
                for extra in sorted(folder.glob("*.conf")):
                    read(extra)
    read(conf / "postgresql.conf")
    return value


def test_sets_up_a_team_server_and_a_second_run_changes_nothing(
        server: Engine, dbname: str, tmp_path: Path) -> None:
    conf = _conf_copy(server, tmp_path)
    args = _args(dbname, tmp_path, conf, "--company", "脚本测试公司", "--admin-name", "管理员",
                 "--admin-mobile", "13800000077", "--password-stdin")
    bin_dir = _fake_ufw(tmp_path)
    first = _run(args, "db-Pass-1:\\x'\nadmin-Pass-1\ndir-Pass-1\n", path_first=bin_dir)  # ':', '\' and ': escaping
    assert first.returncode == 0, first.stdout + first.stderr
    assert "already:" not in first.stdout.split("[2]")[1].split("[6]")[0]  # the database part was all new

    owner, group = f"{dbname}_owner", f"{dbname}_users"
    url = make_url(PG_URL).set(database=dbname)
    db = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with db.connect() as conn:
            assert conn.scalar(text("SELECT value FROM settings WHERE key = 'company_name'")) == "脚本测试公司"
            admin_id = conn.scalar(text("SELECT id FROM users WHERE mobile = '13800000077'"))
            assert admin_id is not None
            assert conn.scalar(text("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = :d"),
                               {"d": dbname}) == owner
            assert conn.scalar(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                                    "AND tableowner <> :o"), {"o": owner}) == 0
            assert conn.scalar(text("SELECT relrowsecurity FROM pg_class WHERE oid = 'customers'::regclass"))
            assert conn.scalar(text(f"SELECT has_table_privilege('{group}', 'customers', 'SELECT')"))
            logins = dict(conn.execute(text("SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname IN "
                                            "(:o, :g, :a, :d)"), {"o": owner, "g": group, "d": f"{dbname}_login",
                                                                  "a": f"{dbname}_u_{admin_id}"}).all())
    finally:
        db.dispose()
    # the owner, the PCs' directory and the administrator's own role log in; the group never does
    assert logins == {owner: True, group: False, f"{dbname}_u_{admin_id}": True, f"{dbname}_login": True}
    # A PC's login dialog with the directory entry: the administrator works as their own role.
    from crm_desktop.bootstrap import bootstrap, log_in

    directory = bootstrap(url.set(username=f"{dbname}_login").render_as_string(hide_password=False))
    try:
        own, actor = log_in(directory, "13800000077", "admin-Pass-1")
        assert actor.user_id == admin_id and make_url(own.url).username == f"{dbname}_u_{admin_id}"
        own.dispose()
    finally:
        directory.dispose()

    hba = (conf / "pg_hba.conf").read_text().splitlines()
    assert [ln.split() for ln in hba if LAN in ln and not ln.startswith("#")] == [
        ["host", dbname, f"{owner},{dbname}_login,+{group}", LAN, "scram-sha-256"]]
    assert _effective_listen(conf) == "*"

    cron = (tmp_path / "cron.d" / f"crm-desktop-backup-{dbname}").read_text()
    backup_line = next(ln for ln in cron.splitlines() if ln[:1].isdigit() and " backup " in ln)
    assert backup_line.startswith("30 23 * * * root ")
    assert f"{CRM_ADMIN} backup {tmp_path / 'backups'}" in backup_line
    assert "Pass" not in cron  # the password is in the pgpass file only
    assert any(ln.startswith("17 * * * * root ") and ln.split(" >>")[0].endswith(" run-jobs")
               for ln in cron.splitlines())  # the server runs the company's scheduled jobs
    secret = tmp_path / "secret" / "crm.pgpass"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert "db-Pass-1\\:\\\\x'" in secret.read_text()

    # The cron entry works as cron runs it: sh, its own variables, nothing else.
    command = backup_line.split(" root ", 1)[1]
    done = subprocess.run(["sh", "-c", command], env={"PATH": "/usr/local/bin:/usr/bin:/bin"},
                          capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "backups").glob("crm-backup-*.dump"))) == 1, \
        (tmp_path / "backups" / "backup.log").read_text()

    before = _snapshot(conf, tmp_path / "cron.d", tmp_path / "secret")
    # Again, without any password: the database one comes from the pgpass file.
    second = _run(_args(dbname, tmp_path, conf), "", path_first=bin_dir)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "done:" not in second.stdout, second.stdout
    assert second.stdout.count("already:") >= 10, second.stdout
    assert _snapshot(conf, tmp_path / "cron.d", tmp_path / "secret") == before
    assert (bin_dir / "ufw.log").read_text().splitlines() == [f"allow from {LAN} to any port 5432 proto tcp"]
    assert "ufw is not active" in second.stdout


def test_dry_run_changes_nothing(server: Engine, dbname: str, tmp_path: Path) -> None:
    conf = _conf_copy(server, tmp_path)
    before = _snapshot(conf)
    bin_dir = _fake_ufw(tmp_path)
    run = _run(_args(dbname, tmp_path, conf, "--dry-run", "--company", "X", "--admin-name", "Y",
                     "--admin-mobile", "13800000078"), "", path_first=bin_dir)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("would:") >= 8 and "done:" not in run.stdout, run.stdout
    assert _snapshot(conf) == before
    assert not (tmp_path / "cron.d").exists() and not (tmp_path / "secret").exists()
    assert not (bin_dir / "ufw.log").exists()
    with server.connect() as conn:
        assert not conn.scalar(text("SELECT count(*) FROM pg_database WHERE datname = :d"), {"d": dbname})
        assert not conn.scalar(text("SELECT count(*) FROM pg_roles WHERE rolname LIKE :p"),
                               {"p": dbname.replace("_", "\\_") + "\\_%"})


def test_stops_before_creating_anything_without_the_company(server: Engine, dbname: str, tmp_path: Path) -> None:
    conf = _conf_copy(server, tmp_path)
    run = _run(_args(dbname, tmp_path, conf), "some-password\n")
    assert run.returncode == 2 and "--company" in run.stderr, run.stdout + run.stderr
    with server.connect() as conn:
        assert not conn.scalar(text("SELECT count(*) FROM pg_database WHERE datname = :d"), {"d": dbname})
