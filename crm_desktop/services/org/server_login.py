"""Logging in on a secure server (issue 17): the app connects as the user's own database role.

A server prepared by ``crm-admin server-setup`` has one login role per CRM user
(``<prefix>u_<id>``, its password the user's own: ``login_roles``) and a directory role
(``<prefix>login``) that the PCs' server entries name. The directory may do one thing:
``crm_login_role(mobile)``, the role name of the enabled user with that mobile number (or
NULL). So logging in is: connect with the server entry (the directory), ask for the role
of the mobile typed, connect again as that role with the password typed — PostgreSQL checks
the password — and load the user behind ``crm_user_id()`` (``auth.login_connected``); the
composition root does the connecting (``bootstrap.log_in``). From then on every statement runs
under the server's row-level security as that user.

The password is checked by PostgreSQL, not by the app: the app's lock-out after five wrong
passwords does not apply (a connection that fails authentication writes nothing); on the
server, ``auth_delay`` slows guessing (README, "Team on a LAN").
"""
from __future__ import annotations

from sqlalchemy import text

from crm_desktop.db import Database
from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.uow import read_only

WRONG = QT_TRANSLATE_NOOP("errors", "Wrong mobile number or password.")


def is_directory(db: Database) -> bool:
    """Whether ``db`` is connected as a secure server's directory role (it may look up login
    roles and read nothing else)."""
    if db.backend != "postgresql":
        return False
    with read_only(db, None) as uow:
        return bool(uow.session.scalar(text(
            "SELECT to_regprocedure('crm_login_role(text)') IS NOT NULL "
            "AND has_function_privilege('crm_login_role(text)', 'EXECUTE') "
            "AND NOT has_column_privilege('users', 'id', 'SELECT')")))


def login_role(db: Database, mobile: str) -> str | None:
    """The login role of the enabled user with ``mobile``, asked of the directory."""
    with read_only(db, None) as uow:
        found = uow.session.scalar(text("SELECT crm_login_role(:mobile)"), {"mobile": mobile.strip()})
    return str(found) if found else None


def own_url(db: Database, role: str, password: str) -> str:
    """The directory connection's URL with the user's own role and password instead."""
    return db.engine.url.set(username=role, password=password).render_as_string(hide_password=False)


def authentication_failed(exc: BaseException) -> bool:
    """Whether a failed connection was PostgreSQL refusing the role's password (or login)."""
    words = str(exc).lower()
    return "password authentication failed" in words or "is not permitted to log in" in words
