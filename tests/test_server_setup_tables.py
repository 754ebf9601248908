"""Secure server mode (issue 17) decides, for every table, what a CRM user's own database role
may do with it; a table added without that decision would silently get no grant (or, worse,
be granted without row-level security). This keeps the lists complete."""
from __future__ import annotations

from collections import Counter

from crm_desktop.models import Base
from crm_desktop.services.maintenance import server_setup as ss


def test_every_table_is_classified_once() -> None:
    kinds = {
        "business (row-level security)": [t for t, _e, _s in ss.business_tables()],
        "read-only": list(ss.READ_ONLY),
        "administered (row-level security)": [t for t in ss.ADMIN_WRITES if t != "users"],
        "search index": list(ss.SEARCH_TABLES),
        "users (some columns)": ["users"],
        "no access": list(ss.NO_ACCESS),
        "row-level security of their own": list(ss.OWN_RULES),
        "not yet protected": list(ss.NOT_YET_PROTECTED),
    }
    seen = Counter(t for tables in kinds.values() for t in tables)
    twice = sorted(t for t, n in seen.items() if n > 1)
    assert not twice, f"classified twice: {twice}"
    tables = set(Base.metadata.tables) | {"alembic_version", "cache_signals", *ss.SEARCH_TABLES}
    missing = sorted(tables - set(seen))
    assert not missing, f"decide what a user role may do with: {missing} (services/maintenance/server_setup.py)"


def test_no_table_is_left_unprotected() -> None:
    """Issue 17: every table a user role may touch has its row-level security written."""
    assert ss.NOT_YET_PROTECTED == ()


def test_each_own_rule_table_has_its_policies() -> None:
    """A privilege granted on a table of its own rules comes with a policy for it (a privilege
    without one would read nothing, silently), and no policy is written for one not granted."""
    policies = ss.own_policies()
    assert set(policies) == set(ss.OWN_RULES)
    for table, privileges in ss.OWN_RULES.items():
        assert set(policies[table]) == set(privileges), table


def test_read_back_tables_are_inserted_and_read_by_id() -> None:
    """A table whose new rows are read back in the inserting transaction (INSERT … RETURNING of
    a row its SELECT policy would hide) is inserted into by a user role and keys its rows by an
    integer ``id``, which the trigger notes."""
    for table in ss.READ_BACK:
        assert {"SELECT", "INSERT"} <= set(ss.OWN_RULES[table]), table
        column = Base.metadata.tables[table].c.id
        assert column.primary_key and column.type.python_type is int, table


def test_every_record_a_row_can_be_about_is_in_the_one_visibility_expression() -> None:
    """``server_policies.record_sql`` answers for every business record and for tasks and events, and for
    nothing else (an entity it does not name is never visible)."""
    sql = ss.record_sql("t", edit=False)
    for _table, entity, _scoped in ss.business_tables():
        assert f"t.entity = '{entity}'" in sql
    for entity in ss.ACTIVITY_RECORDS:
        assert f"t.entity = '{entity}'" in sql
        assert f"t.entity = '{entity}'" not in ss.record_sql("t", edit=False, activities=False)
