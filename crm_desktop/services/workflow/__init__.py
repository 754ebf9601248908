"""Automation rules and approval flows as settings and state (the engines are in crm_desktop.automation)."""
