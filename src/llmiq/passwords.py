"""Password hashes (Argon2id, the ``argon2-cffi`` defaults) and the rules for new passwords,
for the web app's sign-in and ``llmiq account``. argon2-cffi comes with the ``web`` extra;
without it hashing is one sentence saying what to install."""

from __future__ import annotations

from functools import cache
from typing import Any

from llmiq.errors import LlmiqError
from llmiq.messages import N_

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # hashing a megabyte per request would be a cheap denial of service


@cache
def password_hasher() -> Any:
    """argon2's hasher; one sentence saying what to install when argon2-cffi is missing."""
    try:
        from argon2 import PasswordHasher
    except ImportError:
        raise LlmiqError(
            N_("accounts need argon2-cffi to hash passwords: {command}"),
            command="pip install 'llmiq[web]'",
        ) from None
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown: a wrong name costs as long as a wrong
    password, so timing does not tell which names have accounts."""
    return password_hasher().hash("not anybody's password")


def hash_password(password: str) -> str:
    return password_hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; a missing account still spends the time of a check."""
    hasher = password_hasher()
    from argon2.exceptions import InvalidHashError, VerificationError

    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, name: str) -> str | None:
    """Why a new password is refused (in English), or None."""
    error = password_error(password, name)
    return None if error is None else str(error)


def password_error(password: str, name: str) -> LlmiqError | None:
    """Why a new password is refused, as an error with a catalog message, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return LlmiqError(
            N_("the password needs at least {count} characters"), count=MIN_PASSWORD_LENGTH
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        return LlmiqError(
            N_("the password may have at most {count} characters"), count=MAX_PASSWORD_LENGTH
        )
    if password.casefold() == name.casefold():
        return LlmiqError(N_("the password must not be the account name"))
    return None
