"""Autogenerate a migration against a scratch SQLite database at head.

Usage: python tools/new_migration.py "message"
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from crm_desktop.db import _alembic_config, make_engine


def main() -> None:
    message = sys.argv[1] if len(sys.argv) > 1 else "change"
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'scratch.sqlite3'}", create=True)
        with engine.begin() as conn:
            command.upgrade(_alembic_config(conn), "head")
        with engine.begin() as conn:
            command.revision(_alembic_config(conn), message=message, autogenerate=True)
        engine.dispose()


if __name__ == "__main__":
    main()
