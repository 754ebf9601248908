"""Small field checks shared by services. Each returns {field: message template}."""
from __future__ import annotations

import re

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP

_MOBILE = re.compile(r"^\+?\d{5,20}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_mobile(value: str, *, field: str = "mobile") -> dict[str, str]:
    if not _MOBILE.match(value.strip()):
        return {field: QT_TRANSLATE_NOOP("errors", "Enter a mobile number (digits only).")}
    return {}


def check_email(value: str, *, field: str = "email") -> dict[str, str]:
    if value.strip() and not _EMAIL.match(value.strip()):
        return {field: QT_TRANSLATE_NOOP("errors", "Enter a valid e-mail address.")}
    return {}


def check_required(value: str, *, field: str) -> dict[str, str]:
    if not value.strip():
        return {field: QT_TRANSLATE_NOOP("errors", "Required.")}
    return {}
