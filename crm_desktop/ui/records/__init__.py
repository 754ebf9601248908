"""Screens for business records, generic over a ``services.records.RecordService``.

The folders depend one way (tests/ui/test_ui_structure.py checks it):

- ``shared/``  widgets and helpers several screens use: the keyset-paged list model, field
  editors, the condition editor, cell delegates, the product-lines editor, the operation log,
  names for the ids a row stores, the contract's actions;
- ``specs/``   one view spec per entity (columns, form layout, header facts, detail tabs,
  actions), taking types, labels and options from the services' field schema;
- ``forms/``   the record form generated from the schema and each entity's own form;
- ``details/`` the detail window and its tabs;
- ``lists/``   the list tabs (one per module) and their add-ons.

Lists import details and forms, details import forms, forms import neither; all read specs.
"""
from __future__ import annotations
