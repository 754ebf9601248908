"""The generic record machinery every module shares: field schema, record services, filters,
search, saved views, export, numbering, validation, duplicates, attachments and the operation log."""
