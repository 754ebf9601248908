"""The spreadsheet import wizard (issue 14)."""
