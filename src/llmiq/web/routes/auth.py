"""Sign in, sign out and register (multi-user mode)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from llmiq.account_names import NameLooksTaken, create_account, normalise_name
from llmiq.clock import utc_now
from llmiq.config import check_profile_name
from llmiq.errors import LlmiqError
from llmiq.messages import N_, error_text, translator
from llmiq.passwords import hash_password, password_error
from llmiq.store import accounts
from llmiq.store.errors import ConstraintViolation
from llmiq.web.authentication import (
    authenticate,
    client_address,
    registration_open,
    sign_in,
)
from llmiq.web.deps import FormCsrf, OptionalViewerDep, SessionDep, WebDep, lang_of
from llmiq.web.rendering import render, safe_next, see_other
from llmiq.web.state import WebApp

router = APIRouter(include_in_schema=False)

#: the refusal of a look-alike name ("bоb" beside "bob"); it names neither name, as a page
#: for strangers should not list who has an account
NAME_LOOKS_TAKEN = N_("That name looks like a name already taken: choose another.")


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request, web: WebDep, viewer: OptionalViewerDep, next: str = "/"
) -> Response:
    if not web.settings.multi_user or viewer is not None:
        return see_other(safe_next(next))
    return render(
        request, "login.html", None, {"next": safe_next(next), "register": registration_open(web)}
    )


@router.post("/login", dependencies=[FormCsrf])
def login(
    request: Request,
    web: WebDep,
    session: SessionDep,
    name: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    if not web.settings.multi_user:
        return see_other("/")
    context = {"next": safe_next(next), "register": registration_open(web), "name": name}
    try:
        found = authenticate(web, normalise_name(name), password, client_address(request))
    except LlmiqError as exc:
        return render(request, "login.html", None, context | {"error": str(exc)}, status_code=429)
    if found is None:
        error = N_("Wrong name or password.")
        return render(request, "login.html", None, context | {"error": error}, status_code=401)
    sign_in(session, *found)
    return see_other(safe_next(next))


@router.post("/logout", dependencies=[FormCsrf])
def logout(web: WebDep, session: SessionDep) -> Response:
    """Sign out: this account's session cookies stop working everywhere, copies included."""
    user_id = session.get("u")
    if web.settings.multi_user and isinstance(user_id, int):
        with web.database.transaction() as db:
            accounts.end_sessions(db, user_id)
    session.clear()
    return see_other("/login")


def _registration_refused(request: Request, web: WebApp) -> Response | None:
    """The answer to a registration while there is none (single-user) or it is closed."""
    if not web.settings.multi_user:
        return see_other("/")
    if not registration_open(web):
        return render(
            request, "error.html", None, {"message": N_("Registration is closed.")}, status_code=403
        )
    return None


@router.get("/register", response_class=HTMLResponse)
def register_form(request: Request, web: WebDep) -> Response:
    if (refused := _registration_refused(request, web)) is not None:
        return refused
    return render(request, "register.html", None, {})


@router.post("/register", dependencies=[FormCsrf])
def register(
    request: Request,
    web: WebDep,
    session: SessionDep,
    name: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1024)],
    password_again: Annotated[str, Form(max_length=1024)],
) -> Response:
    if (refused := _registration_refused(request, web)) is not None:
        return refused
    name = normalise_name(name)
    lang = lang_of(request)
    problem = None
    try:
        check_profile_name(name)
    except LlmiqError as exc:
        problem = error_text(exc, lang)
    if problem is None and (refused := password_error(password, name)) is not None:
        problem = error_text(refused, lang)
    if problem is None and password != password_again:
        problem = N_("the two passwords differ")
    if problem is None:
        try:
            with web.database.transaction() as db:
                user = create_account(
                    db, name, hash_password(password), is_admin=False, now=utc_now()
                )
                created = None if user is None else (user.id, 1)
        except ConstraintViolation:  # the same name registered at the same moment
            created = None
        except NameLooksTaken:
            created, problem = None, NAME_LOOKS_TAKEN
        if created is None:
            _ = translator(lang)
            problem = problem or _("the name {name} is taken").format(name=repr(name))
    if problem is not None:
        return render(
            request, "register.html", None, {"name": name, "error": problem}, status_code=422
        )
    sign_in(session, *created)
    return see_other("/")
