"""Password hashing (argon2id) and the password policy."""
from __future__ import annotations

import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.errors import ValidationError

# argon2-cffi's defaults are argon2id with RFC 9106's low-memory profile.
_hasher = PasswordHasher()
MIN_LENGTH = 8

# The hash of a random password nobody knows, made with _hasher's parameters. A login for a
# mobile number that has no account is checked against it, so that it costs exactly what a
# real check costs: the answer's timing must not tell who has an account. A constant keeps the
# first such login as fast as the others; should argon2-cffi's defaults change, the constant
# no longer matches _hasher and is replaced once (tests/test_auth.py catches it earlier).
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$dSDi92N/VTCRHXB7e1WHEA$32mDPkDIzbYQUN6g42XnDRqf5RjvHQDwlHPrSQAmGxY"
_dummy_lock = threading.Lock()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def dummy_hash() -> str:
    """A hash with the current parameters that no password matches (see _DUMMY_HASH)."""
    global _DUMMY_HASH
    with _dummy_lock:
        if _hasher.check_needs_rehash(_DUMMY_HASH):
            _DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(32))
        return _DUMMY_HASH


def spend_a_verification(password: str) -> None:
    """Verify ``password`` against a hash nobody's password matches: the cost of a real check.

    Thread rule: any thread (argon2 releases the GIL).
    """
    verify_password(dummy_hash(), password)


def check_policy(password: str, *, field: str = "password") -> None:
    """At least 8 characters with a letter and a digit."""
    if (
        len(password) < MIN_LENGTH
        or not any(c.isalpha() for c in password)
        or not any(c.isdigit() for c in password)
    ):
        raise ValidationError(
            {field: QT_TRANSLATE_NOOP("errors", "Use at least 8 characters with letters and digits.")}
        )
