"""Secure server mode: the administration path. The organisation and configuration tables
(departments, users, roles and their grants, custom fields, dictionaries, pools, flows,
rules, the company settings…) are read by every user role — every service call reads some —
and written only by a user holding one of the app's permissions that the services
``require`` before writing them, checked by the row-level security policies below through
``crm_can`` (the same role and permission tables as ``Actor.can``). So a rep's role that runs
``INSERT INTO user_roles`` from psql is refused, and an administrator's is let through, as
in the app.

Two rules of the services are the server's too: the super administrator role and its grants
are never changed (roles.py: "cannot be changed or deleted"; the set-up makes it), and a
user without a user-administration permission changes nothing of their own row but their
login bookkeeping (``crm_users_guard``, a trigger: a policy cannot name columns).

Password hashes are neither readable nor writable by a user role (``server_tables.USER_COLUMNS``;
no UPDATE on the column): ``crm_password_hash`` gives a user their own hash (to check the old
password before a change) and ``crm_set_password_hash`` writes one — the caller's own, or
anyone's with ``user.reset_password`` — both SECURITY DEFINER and checking the caller, whom
they know from ``session_user`` (a CRM user's login role; any other connection is the owner's
or the shared role's, trusted as the services are).
"""
from __future__ import annotations

import re

#: Table → the (module, action) permissions of which one lets a user role write it.
ADMIN_WRITES: dict[str, tuple[tuple[str, str], ...]] = {
    "departments": (("department", "create"), ("department", "edit"), ("department", "delete")),
    "roles": (("role", "create"), ("role", "edit"), ("role", "delete")),
    "role_permissions": (("role", "create"), ("role", "edit"), ("role", "delete")),
    "role_data_scopes": (("role", "create"), ("role", "edit"), ("role", "delete")),
    "role_scope_departments": (("role", "create"), ("role", "edit"), ("role", "delete")),
    "user_roles": (("user", "create"), ("user", "edit")),
    "users": (("user", "create"), ("user", "edit"), ("user", "disable"), ("user", "reset_password")),
    "custom_fields": (("setting", "manage"),),
    "dictionary_items": (("setting", "manage"),),
    # The field-permission matrix is part of the role editor (schema_admin: role "edit").
    "field_permissions": (("role", "edit"), ("setting", "manage")),
    # Categories: the catalogue's editors (products.py), an import that may create them.
    "product_categories": (("product", "create"), ("product", "edit"), ("setting", "manage")),
    "stage_groups": (("setting", "manage"),),
    "stages": (("setting", "manage"),),
    "number_rules": (("setting", "manage"),),
    "pools": (("pool", "manage"),),
    "pool_rules": (("pool", "manage"),),
    "pool_members": (("pool", "manage"),),
    "approval_flows": (("setting", "manage"),),
    "automation_rules": (("setting", "manage"),),
    "settings": (("setting", "manage"),),
}

#: The administered things whose changes are in the operation log (audit entries with these
#: entities): written and read by their administrators.
ADMIN_ENTITIES: dict[str, tuple[tuple[str, str], ...]] = {
    "department": ADMIN_WRITES["departments"], "role": ADMIN_WRITES["roles"], "user": ADMIN_WRITES["users"],
    "pool": ADMIN_WRITES["pools"], "product_category": ADMIN_WRITES["product_categories"],
    "stage_group": ADMIN_WRITES["stage_groups"],
}

_ME = "crm_user_id()"
#: Rows a write may never touch: the super administrator role and what belongs to it.
_NOT_SUPER = {
    "roles": "NOT is_super",
    **{t: "NOT EXISTS (SELECT 1 FROM roles r WHERE r.id = role_id AND r.is_super)"
       for t in ("role_permissions", "role_data_scopes", "role_scope_departments", "field_permissions")},
}


def may(permissions: tuple[tuple[str, str], ...]) -> str:
    """SQL: the connected CRM user holds one of ``permissions`` (once per statement)."""
    return "(" + " OR ".join(f"(SELECT crm_can({_ME}, '{m}', '{a}'))" for m, a in permissions) + ")"


def admin_audit_sql(row: str) -> str:
    """SQL: the audit entry ``row`` is about an administered thing the user administers."""
    return "(" + " OR ".join(f"({row}.entity = '{e}' AND {may(p)})" for e, p in ADMIN_ENTITIES.items()) + ")"


def admin_policies(readable: dict[str, str]) -> dict[str, dict[str, tuple[str | None, str | None]]]:
    """table → policy command → (USING, WITH CHECK). ``readable``: tables whose reading is
    narrower than "everyone" (pool members: a member's own rows) → that condition, to which
    the table's administrators are added."""
    out: dict[str, dict[str, tuple[str | None, str | None]]] = {}
    for table, permissions in ADMIN_WRITES.items():
        allowed = may(permissions)
        if table in _NOT_SUPER:
            allowed = f"({allowed} AND {_NOT_SUPER[table]})"
        read = f"({readable[table]} OR {may(permissions)})" if table in readable else "true"
        own_row = ""
        if table == "users":  # one's own password and login bookkeeping (crm_users_guard says which columns)
            own_row = f" OR id = {_ME}"
        out[table] = {"SELECT": (read, None), "INSERT": (None, allowed),
                      "UPDATE": (f"({allowed}{own_row})", f"({allowed}{own_row})")}
        if table != "users":  # a user is disabled, never deleted: no such privilege
            out[table]["DELETE"] = (allowed, None)
    return out


def users_guard_sql() -> str:
    """The trigger keeping a user role's change of a ``users`` row to what its permissions
    allow: ``user.edit`` anything; ``user.disable`` the enabled flag; ``user.reset_password``
    the password and the lock-out; anyone their own password and login bookkeeping. Other
    connections (the owner, the shared role of the old mode) are not CRM users: unchecked."""
    return f"""
CREATE OR REPLACE FUNCTION crm_users_guard() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  me integer := {_ME};
  allowed text[] := ARRAY[]::text[];
  changed text[];
BEGIN
  IF me IS NULL OR crm_can(me, 'user', 'edit') THEN
    RETURN NEW;
  END IF;
  IF crm_can(me, 'user', 'disable') THEN
    allowed := allowed || ARRAY['enabled'];
  END IF;
  IF crm_can(me, 'user', 'reset_password') THEN
    allowed := allowed || ARRAY['failed_logins', 'locked_until'];
  END IF;
  IF NEW.id = me THEN
    allowed := allowed || ARRAY['failed_logins', 'locked_until', 'last_login_at'];
  END IF;
  SELECT array_agg(n.key) INTO changed FROM jsonb_each(to_jsonb(NEW)) n
    JOIN jsonb_each(to_jsonb(OLD)) o ON o.key = n.key WHERE n.value IS DISTINCT FROM o.value;
  IF changed IS NOT NULL AND NOT changed <@ allowed THEN
    RAISE EXCEPTION 'permission denied to change % of user %', array_to_string(changed, ', '), OLD.id
      USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END
$fn$;
DROP TRIGGER IF EXISTS crm_users_guard ON users;
CREATE TRIGGER crm_users_guard BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION crm_users_guard();
"""


def password_functions_sql(prefix: str) -> str:
    """``crm_password_hash(uid)`` and ``crm_set_password_hash(uid, hash)`` (see the module doc)."""
    pattern = "^" + re.escape(prefix) + "u_[0-9]+$"
    caller = f"CASE WHEN session_user ~ '{pattern}' THEN substring(session_user from {len(prefix) + 3})::integer END"
    return f"""
CREATE OR REPLACE FUNCTION crm_password_hash(uid integer) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  caller integer := {caller};
BEGIN
  IF caller IS NOT NULL AND caller IS DISTINCT FROM uid THEN
    RAISE EXCEPTION 'permission denied to read the password of user %', uid USING ERRCODE = '42501';
  END IF;
  RETURN (SELECT password_hash FROM users WHERE id = uid);
END
$fn$;

CREATE OR REPLACE FUNCTION crm_set_password_hash(uid integer, new_hash text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  caller integer := {caller};
BEGIN
  IF caller IS NOT NULL AND caller IS DISTINCT FROM uid AND NOT crm_can(caller, 'user', 'reset_password') THEN
    RAISE EXCEPTION 'permission denied to set the password of user %', uid USING ERRCODE = '42501';
  END IF;
  UPDATE users SET password_hash = new_hash WHERE id = uid;
END
$fn$;
"""


def directory_sql(prefix: str, directory: str) -> str:
    """``crm_login_role(mobile)``: the login role of the enabled user with that mobile number
    (services/org/server_login.py), executable by the directory role ``directory`` alone."""
    return f"""
CREATE OR REPLACE FUNCTION crm_login_role(p_mobile text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  SELECT '{prefix}u_' || id FROM users WHERE mobile = p_mobile AND enabled ORDER BY id LIMIT 1
$fn$;
REVOKE ALL ON FUNCTION crm_login_role(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_login_role(text) TO "{directory}";
"""
