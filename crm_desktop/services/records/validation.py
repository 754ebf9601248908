"""Small field checks shared by services. Each ``check_*`` returns {field: message template};
``search_text`` raises ValidationError."""
from __future__ import annotations

import re

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.errors import ValidationError

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


# --- text that can be stored and searched the same on SQLite and PostgreSQL -------------------

# Search-box and filter text longer than this is refused: nobody types more into a search box,
# and a pasted megabyte makes SQLite refuse the LIKE pattern ("too complex"). (A plain comment:
# lupdate would make a "#:" one part of the next message's translator comment.)
MAX_SEARCH = 200
#: A typed or imported text holds a NUL or a broken character that no database can store.
UNUSABLE_CHARACTER = QT_TRANSLATE_NOOP("errors", "Remove the unusable character (such as NUL) from this text.")
#: A value is longer than its field allows (shown next to the field).
TOO_LONG = QT_TRANSLATE_NOOP("errors", "Too long for this field: shorten it.")
#: Search-box or list filter text is too long; the number is MAX_SEARCH.
SEARCH_TOO_LONG = QT_TRANSLATE_NOOP("errors", "Search for at most 200 characters.")


def _unusable(text: str) -> bool:
    """NUL (PostgreSQL refuses it in text; SQLite would keep it and cut strings at it) or a
    lone surrogate (no encoding can write it: both drivers raise)."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def text_problem(text: str, max_length: int | None) -> str | None:
    """The error template for text that cannot be stored as given, or None.

    ``max_length`` counts characters, as PostgreSQL's varchar(n) does; SQLite does not check
    lengths, so this is where both backends agree."""
    if _unusable(text):
        return UNUSABLE_CHARACTER
    if max_length is not None and len(text) > max_length:
        return TOO_LONG
    return None


def check_search(text: str, *, field: str) -> None:
    """Raise ValidationError naming ``field`` when search or filter text holds an unusable
    character or is longer than ``MAX_SEARCH`` characters."""
    if len(text) > MAX_SEARCH:
        raise ValidationError({field: SEARCH_TOO_LONG})
    if _unusable(text):
        raise ValidationError({field: UNUSABLE_CHARACTER})


def search_text(text: str | None, *, field: str) -> str:
    """Search-box text as it is matched: stripped and checked (``check_search``)."""
    stripped = (text or "").strip()
    check_search(stripped, field=field)
    return stripped
