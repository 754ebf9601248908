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
    policies = ss._own_policies()
    assert set(policies) == set(ss.OWN_RULES)
    for table, privileges in ss.OWN_RULES.items():
        assert set(policies[table]) == set(privileges), table
