"""Queries and writes for the web app's tables: accounts, flags, failed logins and instance
options. Like :mod:`llmiq.store.progress`, every function works in the caller's session."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from llmiq.store.models import Account, Flag, InstanceOption, LoginFailure, User


def account_of(session: Session, user_id: int) -> Account | None:
    return session.get(Account, user_id)


def find_account(session: Session, name: str) -> tuple[User, Account] | None:
    row = session.execute(
        select(User, Account).join(Account, Account.user_id == User.id).where(User.name == name)
    ).one_or_none()
    return None if row is None else (row[0], row[1])


def user_names(session: Session) -> list[str]:
    """Every name taken, by an account or by a profile of the command line."""
    return list(session.scalars(select(User.name)))


def create_account(
    session: Session, name: str, password_hash: str, *, is_admin: bool, now: datetime
) -> User | None:
    """A new profile with an account; None when the name is taken (by an account or by a
    profile of the command line, whose progress must not be handed to a stranger), also in
    other letter case ("Ada" and "ada" would be confused for one another)."""
    taken = select(User.id).where(func.lower(User.name) == name.lower())
    if session.scalars(taken).first() is not None:
        return None
    user = User(name=name, created_at=now)
    session.add(user)
    session.flush()
    session.add(
        Account(
            user_id=user.id,
            password_hash=password_hash,
            is_admin=is_admin,
            session_version=1,
            created_at=now,
        )
    )
    return user


def set_password(session: Session, user_id: int, password_hash: str) -> None:
    """Change the password and end every session signed in with the old one."""
    session.execute(
        update(Account).where(Account.user_id == user_id).values(password_hash=password_hash)
    )
    end_sessions(session, user_id)


def end_sessions(session: Session, user_id: int) -> None:
    """Sign the person out everywhere: cookies carry the old session version."""
    session.execute(
        update(Account)
        .where(Account.user_id == user_id)
        .values(session_version=Account.session_version + 1)
    )


def set_admin(session: Session, user_id: int, is_admin: bool) -> None:
    session.execute(update(Account).where(Account.user_id == user_id).values(is_admin=is_admin))


def count_admins(session: Session) -> int:
    return session.scalar(select(func.count()).where(Account.is_admin.is_(True))) or 0


def accounts_with_activity(session: Session) -> list[tuple[User, Account, int, datetime | None]]:
    """Every account with its number of reviews and the time of the last one."""
    from llmiq.store.models import Review

    rows = session.execute(
        select(User, Account, func.count(Review.id), func.max(Review.reviewed_at))
        .join(Account, Account.user_id == User.id)
        .outerjoin(Review, Review.user_id == User.id)
        .group_by(User.id, Account.user_id)
        .order_by(User.name)
    ).all()
    return [(user, account, count, last) for user, account, count, last in rows]


def add_flag(
    session: Session,
    *,
    user_id: int,
    bank_id: str,
    question_id: str,
    reason: str,
    comment: str,
    now: datetime,
) -> Flag:
    flag = Flag(
        user_id=user_id,
        bank_id=bank_id,
        question_id=question_id,
        reason=reason,
        comment=comment,
        created_at=now,
    )
    session.add(flag)
    session.flush()
    return flag


def flags(session: Session, *, resolved: bool = False) -> list[tuple[Flag, str | None]]:
    """Flags with the name of who raised them (None: a deleted account), newest first."""
    done = Flag.resolved_at.is_not(None) if resolved else Flag.resolved_at.is_(None)
    rows = session.execute(
        select(Flag, User.name)
        .outerjoin(User, User.id == Flag.user_id)
        .where(done)
        .order_by(Flag.created_at.desc(), Flag.id.desc())
    ).all()
    return [(flag, name) for flag, name in rows]


def resolve_flag(session: Session, flag_id: int, now: datetime) -> bool:
    result = session.execute(
        update(Flag).where(Flag.id == flag_id, Flag.resolved_at.is_(None)).values(resolved_at=now)
    )
    return bool(result.rowcount)


def add_login_attempt(session: Session, username: str, address: str, now: datetime) -> int:
    """A sign-in attempt, counted as a failure until :func:`remove_login_attempt`."""
    attempt = LoginFailure(username=username[:100], address=address[:100], at=now)
    session.add(attempt)
    session.flush()
    return attempt.id


def remove_login_attempt(session: Session, attempt_id: int) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.id == attempt_id))


def count_login_failures(
    session: Session, *, since: datetime, username: str | None = None, address: str | None = None
) -> int:
    query = select(func.count()).select_from(LoginFailure).where(LoginFailure.at >= since)
    if username is not None:
        query = query.where(LoginFailure.username == username[:100])
    if address is not None:
        query = query.where(LoginFailure.address == address[:100])
    return session.scalar(query) or 0


def forget_login_failures(session: Session, *, before: datetime) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.at < before))


def get_option(session: Session, name: str) -> str | None:
    option = session.get(InstanceOption, name)
    return None if option is None else option.value


def set_option(session: Session, name: str, value: str) -> None:
    option = session.get(InstanceOption, name)
    if option is None:
        session.add(InstanceOption(name=name, value=value))
    else:
        option.value = value
