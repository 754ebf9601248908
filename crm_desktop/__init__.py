"""CRM Desktop: an installed desktop CRM for small and mid-sized sales teams."""
from __future__ import annotations

__version__ = "0.1.0"
APP_NAME = "crm-desktop"
