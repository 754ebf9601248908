"""Where files live: bundled resources, the user's data folder, the default database.

One ``resource_path()`` serves a source checkout, an installed wheel and the PyInstaller
bundle, so nothing else in the code base guesses at paths.
"""
from __future__ import annotations

import sys
from pathlib import Path

import platformdirs

from crm_desktop import APP_NAME

_PACKAGE_DIR = Path(__file__).resolve().parent


def _resource_roots() -> list[Path]:
    roots: list[Path] = []
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:  # PyInstaller one-folder bundle
        roots.append(Path(bundle) / "crm_desktop" / "resources")
    roots.append(_PACKAGE_DIR / "resources")  # installed wheel (package-dir mapping)
    roots.append(_PACKAGE_DIR.parent / "resources")  # source checkout / editable install
    return roots


def resource_path(*parts: str) -> Path:
    """Return the path of a bundled resource (icons, translations).

    Looks in the PyInstaller bundle, the installed package and the source checkout, in
    that order; returns the checkout path when nothing exists so callers get a clear
    "file not found" naming a sensible place.
    """
    for root in _resource_roots():
        candidate = root.joinpath(*parts)
        if candidate.exists():
            return candidate
    return _resource_roots()[-1].joinpath(*parts)


def migrations_path() -> Path:
    """The alembic script directory shipped inside the package."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle and (Path(bundle) / "crm_desktop" / "migrations").exists():
        return Path(bundle) / "crm_desktop" / "migrations"
    return _PACKAGE_DIR / "migrations"


def user_data_dir() -> Path:
    """The per-user data folder (created on demand)."""
    path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_config_dir() -> Path:
    """The per-user configuration folder (created on demand)."""
    path = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_sqlite_path() -> Path:
    """The embedded database used when neither --database nor CRM_DATABASE_URL is given."""
    return user_data_dir() / "crm.sqlite3"
