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

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from crm_desktop.models import User


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


def password_hash(session: Session, user_id: int) -> str:
    """The user's password hash: on a secure server only through ``crm_password_hash`` (a
    user role cannot read the column; the function gives a user their own hash only)."""
    if secure_server(session):
        return str(session.scalar(text("SELECT crm_password_hash(:uid)"), {"uid": user_id}) or "")
    return str(session.scalar(select(User.password_hash).where(User.id == user_id)) or "")


def set_password_hash(session: Session, user_id: int, new_hash: str) -> None:
    """Store a new hash: on a secure server through ``crm_set_password_hash`` (one's own, or
    anyone's with ``user.reset_password``; a user role cannot write the column)."""
    if secure_server(session):
        session.flush()
        session.execute(text("SELECT crm_set_password_hash(:uid, :hash)"), {"uid": user_id, "hash": new_hash})
    else:
        session.execute(update(User).where(User.id == user_id).values(password_hash=new_hash)
                        .execution_options(synchronize_session=False))
