"""Backups and restore checks."""
