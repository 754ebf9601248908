"""Secure server mode (issue 17): each CRM user's own PostgreSQL login role follows the user.

On a server prepared with ``crm-admin server-setup`` every user has a login role
(``<prefix>u_<id>``); the database function ``crm_sync_login`` (services/maintenance/
server_setup.py) creates it, sets its password and lets it log in only while the user is
enabled. The user services call ``sync`` inside their own unit of work whenever a user is
created, given a password, disabled or enabled, so the role and the user change in the same
transaction (PostgreSQL's role changes are transactional): a failed save changes neither.
Elsewhere (SQLite, a server without the set-up) it does nothing.
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def secure_server(session: Session) -> bool:
    """Whether this database was prepared by ``server-setup`` (the function exists)."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    return bool(session.scalar(text("SELECT to_regprocedure('crm_sync_login(integer, text)') IS NOT NULL")))


def sync(session: Session, user_id: int, *, password: str | None = None) -> None:
    """Bring the user's login role in step (``password``: a new one, else unchanged)."""
    if secure_server(session):
        session.flush()  # the function reads the user's enabled state as this transaction has it
        session.execute(text("SELECT crm_sync_login(:uid, :password)"), {"uid": user_id, "password": password})
