"""Where the database is, and the errors of opening it: what the login window needs before any
database is open.

Kept apart from ``db`` (engines, sessions, migrations) so that showing the login window does
not import SQLAlchemy: the window is on screen while the database opens in the background
(``bench/startup.py`` measures it). ``db`` re-exports every name here.
"""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote

from crm_desktop.paths import default_sqlite_path

SQLITE_MAGIC = b"SQLite format 3\x00"


class DatabaseError(Exception):
    """A database could not be opened; the message is meant for the user."""


class NotADatabase(DatabaseError):
    """The chosen file exists but is not an SQLite database (it is left untouched)."""


class DatabaseUnavailable(DatabaseError):
    """The server cannot be reached or refused the connection."""


class DatabaseMissing(DatabaseError):
    """The SQLite file does not exist and this caller may not create it."""


def resolve_url(cli_url: str | None = None) -> str:
    """Pick the database: ``--database`` beats ``CRM_DATABASE_URL`` beats the default file."""
    url = cli_url or os.environ.get("CRM_DATABASE_URL")
    if not url:
        return f"sqlite:///{default_sqlite_path()}"
    return normalize_url(url)


def normalize_url(url: str) -> str:
    """Accept plain ``postgresql://`` and route it through psycopg 3."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def sqlite_file(url: str) -> Path | None:
    """The file behind an SQLite URL, or None (other backends, in-memory).

    Reads the URL as SQLAlchemy's ``make_url`` does (``sqlite[+driver]:///path[?query]``, the
    path percent-decoded); tests/test_db_location.py holds the two to the same answers.
    """
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.split("+", 1)[0] != "sqlite":
        return None
    _host, slash, database = rest.partition("/")
    database = unquote(database.split("?", 1)[0]) if slash else ""
    if not database or database == ":memory:":
        return None
    return Path(database)


def check_sqlite_file(path: Path) -> None:
    """Refuse a file that exists but is not SQLite, without writing a byte to it."""
    if path.exists() and path.stat().st_size > 0:
        with path.open("rb") as fh:
            header = fh.read(16)
        if header != SQLITE_MAGIC:
            raise NotADatabase(
                f"{path} is not a CRM database (it is not an SQLite file). "
                "The file was not changed. Choose another file or a new location."
            )


__all__ = ["SQLITE_MAGIC", "DatabaseError", "DatabaseMissing", "DatabaseUnavailable", "NotADatabase",
           "check_sqlite_file", "normalize_url", "resolve_url", "sqlite_file"]
