"""The demo company (crm-admin demo-data, screenshots, UI tests): not part of the business services."""
