"""Secure server mode: the duplicate-claim check (撞单) on a server whose row-level security
hides the records outside a user's data scope.

The check must find a matching lead or customer whoever owns it (services/records/
duplicates.py), but a user role reads only its own scope. ``crm_duplicate_candidates``
(SECURITY DEFINER, owned by the owner role, executable by the group role only) gives it the
candidate rows of each lookup, narrowed exactly as the app narrows them — exact name,
``customers.normalized_name``, the search index for the similar-name key, the phone cores,
the e-mail and the credit code, each narrowing at most ``MAX_NARROW`` index rows — live ones
only (not in the recycle bin, a lead not converted). The comparisons that decide a match
(``normalize_company_name``, ``phone_key``) stay in Python; the function only narrows.

It tells no more than the check tells the user: the id (to exclude the record being edited
and ask the user's own scope whether it is visible — that query runs under RLS, as the
user), the name, the owner's name, whether it lies in a pool, and only the compared value of
the lookup that found it — and that value only where it equals the looked-up one:

- phone lookups: a row whose phone or mobile has the looked-up phone key (computed in SQL by
  ``crm_phone_key``, the same digits-only, 0086/86-dropping rule as ``phone_key``); the other
  number of the row is not returned;
- e-mail: equal after trimming and lower-casing; credit code: the index's (upper-cased,
  trimmed) code is the looked-up one;
- similar names of customers: rows whose stored key is the looked-up one (the
  ``normalized`` lookup) or empty (the name is then compared in Python).

Left: the similar names of *leads*. Leads keep no normalized key, so the function returns the
names (and owners) of the leads whose name contains the key, at most ``MAX_NARROW`` of them,
for Python to compare; a user calling it by hand with a short key learns those names. A
stored lead key (a column beside the search index's initials) would close it.

Keys in SQL that Python computes differently (digits of scripts other than ASCII that NFKC
does not map, whitespace PostgreSQL's lower-casing treats otherwise) only make the function
return fewer rows than the shared-role path, never more.

The caller: a CRM user's own login role (``session_user``) must hold create or edit on
customers or leads, as ``find_in_session`` requires; any other connection (the owner, the
shared role of the old mode) is trusted, as in ``server_admin``'s password functions.
"""
from __future__ import annotations

import re

from crm_desktop.services.records.duplicates import (
    KINDS,
    MAX_NARROW,
    MIN_PHONE,
    SERVER_FUNCTION,
)

#: Signature → whether the group role may execute it (the others run inside it, as the owner).
DUPLICATE_FUNCTIONS: dict[str, bool] = {
    f"{SERVER_FUNCTION}(text, text[], text[])": True,
    "crm_phone_key(text)": False,
}

#: Python's ``str.strip`` whitespace (``str.isspace``), as a regular-expression class.
_SPACE = r"[\t\n\v\f\r\x1c-\x1f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"

# (table, search table, extra condition on a live row r, owner-less pool column)
_TABLES = {
    "customer": ("customers", "search_customers", "", "r.pool_id IS NOT NULL"),
    "lead": ("leads", "search_leads", " AND r.status <> 'converted'", "false"),
}


def _lookups(entity: str) -> str:
    """One RETURN QUERY per lookup kind for ``entity``'s tables (k: kind, t: term, pat: the
    term as a literal LIKE "contains" pattern, core: a phone key without its trunk zeros)."""
    table, search, live, pooled = _TABLES[entity]
    narrow = f"SELECT s.record_id FROM {search} s WHERE {{}} LIMIT {MAX_NARROW}"  # no ORDER BY: as narrow()
    conditions = {
        "name": "r.name = t",
        "similar": f"r.id IN ({narrow.format('s.name ILIKE pat')})",
        "phone": f"r.id IN ({narrow.format('s.phone ILIKE core OR s.mobile ILIKE core')}) "
                 "AND (crm_phone_key(r.phone) = t OR crm_phone_key(r.mobile) = t)",
        "email": f"r.id IN ({narrow.format('s.email ILIKE pat')}) "
                 f"AND lower(regexp_replace(r.email, '^{_SPACE}+|{_SPACE}+$', '', 'g')) = lower(t)",
    }
    if entity == "customer":
        conditions["normalized"] = "r.normalized_name = t"
        # A customer with a stored key other than t cannot match by name: only the unfilled
        # ones are handed to Python's comparison.
        conditions["similar"] += " AND coalesce(r.normalized_name, '') IN ('', t)"
        conditions["credit_code"] = f"r.id IN ({narrow.format('s.credit_code = t')})"
    assert set(conditions) <= set(KINDS)
    branches = []
    for kind, condition in conditions.items():
        values = {
            "phone": "CASE WHEN crm_phone_key(r.phone) = t THEN r.phone::text END, "
                     "CASE WHEN crm_phone_key(r.mobile) = t THEN r.mobile::text END, NULL::text, NULL::text",
            "email": "NULL::text, NULL::text, r.email::text, NULL::text",
            "credit_code": "NULL::text, NULL::text, NULL::text, r.credit_code::text",
        }.get(kind, "NULL::text, NULL::text, NULL::text, NULL::text")
        branches.append(f"""
      ELSIF k = '{kind}' THEN
        RETURN QUERY SELECT k, t, r.id, r.name::text, {values}, coalesce(u.name, '')::text, {pooled}
          FROM {table} r LEFT JOIN users u ON u.id = r.owner_id
         WHERE r.deleted_at IS NULL{live} AND {condition};""")
    return "IF false THEN NULL;" + "".join(branches) + "\n      END IF;"


def duplicate_functions(prefix: str) -> str:
    """``crm_phone_key(text)`` and ``crm_duplicate_candidates(entity, kinds, terms)``: for each
    i, the live candidate rows of lookup ``kinds[i]`` (name · normalized · similar · phone ·
    email · credit_code) with term ``terms[i]``, as duplicates.candidate_rows describes."""
    pattern = "^" + re.escape(prefix) + "u_[0-9]+$"
    caller = f"CASE WHEN session_user ~ '{pattern}' THEN substring(session_user from {len(prefix) + 3})::integer END"
    may = " OR ".join(f"crm_can(caller, '{e}', '{a}')" for e in _TABLES for a in ("create", "edit"))
    return f"""
-- duplicates.phone_key: digits only (after NFKC), the country code 0086 / 86 dropped.
CREATE OR REPLACE FUNCTION crm_phone_key(p_value text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $fn$
  SELECT CASE WHEN n IS NULL THEN d WHEN n ~ '^[01]' THEN n ELSE '0' || n END
    FROM (SELECT d, CASE WHEN d LIKE '0086%' THEN substr(d, 5)
                         WHEN d LIKE '86%' AND length(d) >= 12 THEN substr(d, 3) END AS n
            FROM (SELECT regexp_replace(normalize(coalesce(p_value, ''), NFKC), '[^0-9]', '', 'g') AS d) digits) national
$fn$;

CREATE OR REPLACE FUNCTION {SERVER_FUNCTION}(p_entity text, p_kinds text[], p_terms text[])
RETURNS TABLE (kind text, term text, id integer, name text, phone text, mobile text, email text,
               credit_code text, owner_name text, in_pool boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
#variable_conflict use_column
DECLARE
  caller integer := {caller};
  k text;
  t text;
  pat text;
  core text;
BEGIN
  IF caller IS NOT NULL AND NOT ({may}) THEN
    RAISE EXCEPTION 'permission denied to check for duplicates' USING ERRCODE = '42501';
  END IF;
  IF p_entity NOT IN ('customer', 'lead') THEN
    RAISE EXCEPTION 'no duplicate check for %', p_entity USING ERRCODE = '22023';
  END IF;
  FOR i IN 1 .. coalesce(array_length(p_kinds, 1), 0) LOOP
    k := p_kinds[i];
    t := p_terms[i];  -- (text holds no NUL: Python drops it, as match_condition does)
    CONTINUE WHEN t IS NULL OR t = '' OR (k = 'phone' AND length(t) < {MIN_PHONE});
    pat := '%' || replace(replace(replace(t, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%';
    core := ltrim(t, '0');
    CONTINUE WHEN k = 'phone' AND core = '';
    core := '%' || core || '%';  -- digits only: nothing to escape
    IF p_entity = 'customer' THEN
      {_lookups("customer")}
    ELSE
      {_lookups("lead")}
    END IF;
  END LOOP;
END
$fn$;
"""
