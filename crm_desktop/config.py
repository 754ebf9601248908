"""Connection profiles and preferences of this PC's user (Qt-free).

Stored as JSON in the user's configuration folder (``CRM_CONFIG_DIR`` overrides it, which the
tests use). Two kinds of connection profile:

* ``local`` — "This computer": an embedded SQLite file (empty path = the default file);
* ``server`` — "Shared server": a PostgreSQL server on the LAN (host, port, database, user).

A server password is kept ONLY in the OS keyring (service ``crm-desktop``, username
``user@host:port/database``) and never written to the JSON file. When the machine has no
usable keyring (headless Linux, a locked-down PC), :func:`keyring_available` says so and the
UI asks for the password at every login, explaining why.

Thread rule: plain functions on small files; call them from any one thread at a time.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from crm_desktop.paths import default_sqlite_path, user_config_dir

log = logging.getLogger(__name__)

CONFIG_FILE = "config.json"
CONFIG_VERSION = 1
KEYRING_SERVICE = "crm-desktop"
DEFAULT_PORT = 5432
LOCAL_PROFILE_ID = "local"

ProfileKind = Literal["local", "server"]


@dataclass(frozen=True)
class Profile:
    """Where to find a CRM database. Never holds a password."""

    id: str
    kind: ProfileKind
    #: A name the user gave a server ("Head office"); empty for the local profile.
    name: str = ""
    #: local: the SQLite file; empty means :func:`paths.default_sqlite_path`.
    path: str = ""
    host: str = ""
    port: int = DEFAULT_PORT
    database: str = ""
    user: str = ""

    @property
    def is_server(self) -> bool:
        return self.kind == "server"

    def sqlite_path(self) -> Path:
        """The file of a local profile (the default file when none was chosen)."""
        return Path(self.path) if self.path else default_sqlite_path()

    def keyring_username(self) -> str:
        """The keyring entry's username: one password per server account."""
        return f"{self.user}@{self.host}:{self.port}/{self.database}"

    def target(self) -> str:
        """What to show the user: the file, or ``user@host:port/database`` (no password)."""
        if self.kind == "local":
            return str(self.sqlite_path())
        return self.keyring_username()

    def url(self, password: str | None = None) -> str:
        """The SQLAlchemy URL. ``URL.create`` quotes any character a password may hold."""
        if self.kind == "local":
            return f"sqlite:///{self.sqlite_path()}"
        # Imported here: the login window shows before SQLAlchemy is loaded (bench/startup.py).
        from sqlalchemy.engine import URL

        return URL.create(
            "postgresql+psycopg",
            username=self.user or None,
            password=password or None,
            host=self.host or None,
            port=self.port or None,
            database=self.database or None,
        ).render_as_string(hide_password=False)


def local_profile(path: str = "") -> Profile:
    return Profile(id=LOCAL_PROFILE_ID, kind="local", path=path)


def server_profile(
    *, name: str, host: str, port: int = DEFAULT_PORT, database: str, user: str, profile_id: str = ""
) -> Profile:
    """A server profile; give ``profile_id`` to replace an existing one, else a new id is made."""
    return Profile(
        id=profile_id or f"server-{os.urandom(4).hex()}", kind="server", name=name.strip(),
        host=host.strip(), port=int(port), database=database.strip(), user=user.strip(),
    )


@dataclass
class Config:
    """Everything this PC remembers for its user. ``path`` is where :func:`save_config` writes."""

    profiles: list[Profile] = field(default_factory=lambda: [local_profile()])
    last_profile: str = LOCAL_PROFILE_ID
    last_mobile: str = ""
    #: "zh_CN", "en", or "" to follow the system language.
    language: str = ""
    #: Window sizes by window (``ui.window_memory``): [width, height]; the main window's
    #: [x, y, width, height, maximized].
    windows: dict[str, list[int]] = field(default_factory=dict)
    #: The main window's tab shown last ("customers"), opened again at the next start.
    last_tab: str = ""
    path: Path | None = None

    def profile(self, profile_id: str) -> Profile | None:
        return next((p for p in self.profiles if p.id == profile_id), None)

    def current_profile(self) -> Profile:
        """The last used profile, or the local one."""
        return self.profile(self.last_profile) or self.local()

    def local(self) -> Profile:
        found = next((p for p in self.profiles if p.kind == "local"), None)
        if found is None:  # a hand-edited file without one: "This computer" is always offered
            found = local_profile()
            self.profiles.insert(0, found)
        return found

    def servers(self) -> list[Profile]:
        return [p for p in self.profiles if p.kind == "server"]

    def put_profile(self, profile: Profile) -> None:
        """Add a profile or replace the one with the same id (order is kept)."""
        for i, existing in enumerate(self.profiles):
            if existing.id == profile.id:
                self.profiles[i] = profile
                return
        self.profiles.append(profile)

    def remove_profile(self, profile_id: str) -> None:
        """Forget a server profile (the local one cannot be removed)."""
        self.profiles = [p for p in self.profiles if p.id != profile_id or p.kind == "local"]
        if self.profile(self.last_profile) is None:
            self.last_profile = self.local().id


def config_dir() -> Path:
    """``CRM_CONFIG_DIR`` if set, else the per-user configuration folder."""
    override = os.environ.get("CRM_CONFIG_DIR")
    if override:
        path = Path(override)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return user_config_dir()


def config_path() -> Path:
    return config_dir() / CONFIG_FILE


_PROFILE_FIELDS = {f for f in Profile.__dataclass_fields__}


def _profile_from(data: Any) -> Profile | None:
    if not isinstance(data, dict) or data.get("kind") not in ("local", "server") or not data.get("id"):
        return None
    clean = {k: v for k, v in data.items() if k in _PROFILE_FIELDS}
    # Whatever a hand-edited file says, a password never enters a Profile.
    try:
        clean["port"] = int(clean.get("port") or DEFAULT_PORT)
        return Profile(**{k: (v if k == "port" else str(v)) for k, v in clean.items()})
    except (TypeError, ValueError):
        return None


def load_config(path: Path | None = None) -> Config:
    """Read the configuration; a missing file gives the defaults.

    A file that cannot be read as our JSON is renamed to ``config.json.broken`` (so the
    user's data is not silently overwritten by the next save) and the defaults are used.
    """
    path = path or config_path()
    cfg = Config(path=path)
    if not path.exists():
        return cfg
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        log.warning("cannot read %s (%s); using defaults", path, exc)
        try:
            path.replace(path.with_name(path.name + ".broken"))
        except OSError:
            pass
        return cfg
    profiles = [p for p in (_profile_from(item) for item in data.get("profiles") or []) if p is not None]
    if profiles:
        cfg.profiles = profiles
    cfg.local()
    cfg.last_profile = str(data.get("last_profile") or LOCAL_PROFILE_ID)
    cfg.last_mobile = str(data.get("last_mobile") or "")
    language = str(data.get("language") or "")
    cfg.language = language if language in ("zh_CN", "en") else ""
    cfg.windows = _windows_from(data.get("windows"))
    cfg.last_tab = str(data.get("last_tab") or "")
    return cfg


def _windows_from(data: Any) -> dict[str, list[int]]:
    """Remembered window sizes; a hand-edited entry that is not 2 or 5 numbers is dropped."""
    if not isinstance(data, dict):
        return {}
    found: dict[str, list[int]] = {}
    for key, value in data.items():
        if isinstance(value, list) and len(value) in (2, 5) and all(isinstance(v, int) for v in value):
            found[str(key)] = [int(v) for v in value]
    return found


def save_config(cfg: Config, path: Path | None = None) -> Path:
    """Write the configuration atomically (a crash mid-write leaves the old file intact)."""
    path = path or cfg.path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "version": CONFIG_VERSION,
        "profiles": [asdict(p) for p in cfg.profiles],
        "last_profile": cfg.last_profile,
        "last_mobile": cfg.last_mobile,
        "language": cfg.language,
        "windows": cfg.windows,
        "last_tab": cfg.last_tab,
    }
    fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=2)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    cfg.path = path
    return path


def update_config(path: Path | None = None, **changes: Any) -> Config:
    """Load, change a few preferences (``language=…``, ``last_mobile=…``) and save."""
    cfg = load_config(path)
    for key, value in changes.items():
        if key not in ("last_profile", "last_mobile", "language"):
            raise TypeError(f"unknown preference {key!r}")
        setattr(cfg, key, value)
    save_config(cfg)
    return cfg


# --- the OS keyring ------------------------------------------------------------------------
# keyring is imported inside the functions below: loading it takes ~0.2 s, which only a server
# profile's password needs (not an app on the local SQLite file). No import cycle involved.

def _usable(backend: Any) -> bool:
    from keyring.backends import chainer, fail, null

    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return any(_usable(b) for b in backend.backends)
    return True


def keyring_available() -> bool:
    """False when keyring found no real password store (its fail/null backends, or a
    chainer with nothing behind it): passwords then cannot be remembered."""
    try:
        import keyring

        return _usable(keyring.get_keyring())
    except Exception as exc:  # noqa: BLE001 - a broken backend counts as none
        log.warning("keyring unusable: %s", exc)
        return False


def get_password(profile: Profile) -> str | None:
    """The remembered password of a server profile, or None (none stored / no keyring)."""
    if profile.kind != "server" or not keyring_available():
        return None
    import keyring

    try:
        return keyring.get_password(KEYRING_SERVICE, profile.keyring_username())
    except Exception as exc:  # noqa: BLE001 - a locked or broken store: ask the user instead
        log.warning("cannot read the keyring: %s", exc)
        return None


def store_password(profile: Profile, password: str) -> bool:
    """Remember a server password in the keyring. Returns False when that is impossible."""
    if profile.kind != "server" or not keyring_available():
        return False
    import keyring

    try:
        keyring.set_password(KEYRING_SERVICE, profile.keyring_username(), password)
        return True
    except Exception as exc:  # noqa: BLE001
        log.warning("cannot write to the keyring: %s", exc)
        return False


def forget_password(profile: Profile) -> None:
    """Remove a remembered password (no error when there is none or no keyring)."""
    if profile.kind != "server" or not keyring_available():
        return
    import keyring
    from keyring.errors import PasswordDeleteError

    try:
        keyring.delete_password(KEYRING_SERVICE, profile.keyring_username())
    except PasswordDeleteError:
        pass
    except Exception as exc:  # noqa: BLE001
        log.warning("cannot delete from the keyring: %s", exc)


def with_path(profile: Profile, path: str) -> Profile:
    """A local profile pointing at another SQLite file."""
    return replace(profile, path=path)
