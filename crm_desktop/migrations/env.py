"""Alembic environment. The app passes an open connection (db.migrate); developers can
also run ``alembic`` by hand with ``CRM_DATABASE_URL`` set (see tools/new_migration.py).

Either way the whole run is one transaction (``db.schema_transaction``): alembic's own
transaction handling is not used, so a revision must never commit by itself (no
``executescript``, no VACUUM; see ``db.migrate``).
"""
from __future__ import annotations

import os

from alembic import context

from crm_desktop.db import schema_include_name
from crm_desktop.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
        compare_type=True,
        include_name=schema_include_name,  # the hand-made search index has no model
        # db.migrate's progress report: after each revision, before anything is committed.
        on_version_apply=config.attributes.get("on_version_apply"),
    )


connection = config.attributes.get("connection")
if connection is not None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()
else:
    from crm_desktop.db import make_engine, resolve_url, schema_transaction

    engine = make_engine(resolve_url(os.environ.get("CRM_DATABASE_URL")))
    try:
        with schema_transaction(engine) as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()
