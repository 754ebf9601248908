"""Connection profiles, preferences and the keyring rule: passwords never reach the file."""
from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from sqlalchemy.engine import make_url

from crm_desktop import config


class MemoryKeyring(KeyringBackend):
    """A real (in-memory) keyring backend, so the tests never touch the machine's store."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if (service, username) not in self.items:
            raise PasswordDeleteError(username)
        del self.items[(service, username)]


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CRM_CONFIG_DIR", str(tmp_path / "cfg"))
    return tmp_path / "cfg"


def use_keyring(monkeypatch: pytest.MonkeyPatch, backend: KeyringBackend) -> None:
    """Make ``backend`` the process's keyring for one test (restored afterwards)."""
    monkeypatch.setattr(keyring.core, "_keyring_backend", backend)


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    backend = MemoryKeyring()
    use_keyring(monkeypatch, backend)
    return backend


def _server(**overrides: object) -> config.Profile:
    values: dict[str, object] = dict(name="Head office", host="10.0.0.5", port=5433, database="crm", user="sales")
    values.update(overrides)
    return config.server_profile(**values)  # type: ignore[arg-type]


def test_missing_file_gives_defaults_with_the_local_profile(config_dir: Path) -> None:
    cfg = config.load_config()
    assert cfg.path == config_dir / "config.json"
    assert [p.kind for p in cfg.profiles] == ["local"]
    assert cfg.current_profile().kind == "local"
    assert cfg.language == "" and cfg.last_mobile == ""


def test_profiles_and_preferences_round_trip(config_dir: Path) -> None:
    cfg = config.load_config()
    server = _server()
    cfg.put_profile(server)
    cfg.put_profile(config.with_path(cfg.local(), str(config_dir / "mine.sqlite3")))
    cfg.last_profile, cfg.last_mobile, cfg.language = server.id, "13800000000", "zh_CN"
    config.save_config(cfg)

    again = config.load_config()
    assert again.profiles == cfg.profiles
    assert again.current_profile() == server
    assert again.local().sqlite_path() == config_dir / "mine.sqlite3"
    assert (again.last_mobile, again.language) == ("13800000000", "zh_CN")

    renamed = config.server_profile(
        name="HQ", host="db.example", database="crm", user="sales", profile_id=server.id
    )
    again.put_profile(renamed)
    assert len(again.servers()) == 1 and again.servers()[0].name == "HQ"
    again.remove_profile(server.id)
    again.remove_profile(config.LOCAL_PROFILE_ID)  # the local profile stays
    assert [p.kind for p in again.profiles] == ["local"]
    assert again.current_profile().kind == "local"


def test_update_config_changes_one_preference() -> None:
    config.update_config(language="en")
    config.update_config(last_mobile="13900000001")
    cfg = config.load_config()
    assert (cfg.language, cfg.last_mobile) == ("en", "13900000001")
    with pytest.raises(TypeError):
        config.update_config(password="secret")


def test_broken_file_is_kept_aside_and_defaults_used(config_dir: Path) -> None:
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "config.json").write_text("{not json", encoding="utf-8")
    cfg = config.load_config()
    assert [p.kind for p in cfg.profiles] == ["local"]
    assert (config_dir / "config.json.broken").read_text(encoding="utf-8") == "{not json"


def test_a_password_in_a_hand_edited_file_is_ignored(config_dir: Path) -> None:
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "config.json").write_text(json.dumps({"profiles": [
        {"id": "s1", "kind": "server", "host": "h", "port": "5432", "database": "d", "user": "u", "password": "pw"},
        {"id": "x", "kind": "ftp"},
    ]}), encoding="utf-8")
    cfg = config.load_config()
    assert sorted(p.id for p in cfg.profiles) == ["local", "s1"]
    assert cfg.profile("s1") == config.Profile(id="s1", kind="server", host="h", port=5432, database="d", user="u")
    config.save_config(cfg)
    assert "pw" not in (config_dir / "config.json").read_text(encoding="utf-8")


def test_password_lives_only_in_the_keyring(memory_keyring: MemoryKeyring, config_dir: Path) -> None:
    secret = "p@ss:w/rd#?% 中文"
    server = _server()
    assert config.keyring_available()
    assert config.store_password(server, secret)
    cfg = config.load_config()
    cfg.put_profile(server)
    config.save_config(cfg)

    text = (config_dir / "config.json").read_text(encoding="utf-8")
    assert secret not in text and "p@ss" not in text
    assert memory_keyring.items == {("crm-desktop", "sales@10.0.0.5:5433/crm"): secret}
    assert config.get_password(config.load_config().servers()[0]) == secret

    config.forget_password(server)
    config.forget_password(server)  # forgetting twice is harmless
    assert config.get_password(server) is None


def test_url_quotes_special_characters_and_hides_nothing_it_should_not() -> None:
    secret = "p@ss:w/rd#?%"
    url = make_url(_server().url(secret))
    assert url.drivername == "postgresql+psycopg"
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "sales", secret, "10.0.0.5", 5433, "crm",
    )
    assert secret not in _server().target()
    assert config.local_profile("/tmp/x.sqlite3").url() == "sqlite:////tmp/x.sqlite3"


@pytest.mark.parametrize(
    "backend",
    [fail.Keyring(), null.Keyring(), chainer.ChainerBackend()],
    ids=["fail", "null", "empty-chainer"],
)
def test_no_keyring_is_detected_and_nothing_is_stored(
    backend: KeyringBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    if isinstance(backend, chainer.ChainerBackend):
        monkeypatch.setattr(chainer.ChainerBackend, "backends", property(lambda self: []))
    use_keyring(monkeypatch, backend)
    assert not config.keyring_available()
    assert not config.store_password(_server(), "secret1")
    assert config.get_password(_server()) is None
    config.forget_password(_server())


def test_chainer_with_a_real_backend_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    chain = chainer.ChainerBackend()
    monkeypatch.setattr(chainer.ChainerBackend, "backends", property(lambda self: [MemoryKeyring()]))
    use_keyring(monkeypatch, chain)
    assert config.keyring_available()


def test_a_broken_keyring_means_ask_each_time(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise RuntimeError("store locked")

        def set_password(self, service: str, username: str, password: str) -> None:
            raise RuntimeError("store locked")

    use_keyring(monkeypatch, Broken())
    assert config.get_password(_server()) is None
    assert not config.store_password(_server(), "secret1")
