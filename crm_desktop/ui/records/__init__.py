"""Screens for business records, generic over a ``services.records.RecordService``.

``list_model`` (keyset-paged table model), ``record_dialog`` (the form), ``conflict_dialog``
(mine / theirs / original after a stale save), ``recycle_bin`` and ``operation_log`` work for
any record module; ``customers_tab`` puts them together for customers. Later modules (and
the schema-driven field registry) reuse the same pieces with their own column and field specs.
"""
from __future__ import annotations
