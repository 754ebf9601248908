"""Spreadsheet import (issue 14)."""
