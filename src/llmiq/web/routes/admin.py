"""Admin pages: flags raised on questions, accounts, imported banks, registration."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from llmiq.clock import utc_now
from llmiq.errors import LlmiqError
from llmiq.messages import N_
from llmiq.store import accounts, progress, saved_banks
from llmiq.store.models import User
from llmiq.web.authentication import REGISTRATION_OPTION, registration_open
from llmiq.web.banks import UnknownBank
from llmiq.web.deps import FormCsrf, PageAdmin, WebDep
from llmiq.web.flags import FLAG_REASONS
from llmiq.web.rendering import flash, render, see_other

router = APIRouter(prefix="/admin", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
def admin_home(request: Request, web: WebDep, viewer: PageAdmin) -> HTMLResponse:
    with web.database.reading() as session:
        people = accounts.accounts_with_activity(session) if web.settings.multi_user else []
        imported = saved_banks.saved_banks(session)
        open_flags = len(accounts.flags(session))
    unreadable = web.shelf.unreadable()  # listed with the reason, so that one can fix them
    return render(
        request,
        "admin.html",
        viewer,
        {
            "people": people,
            "imported": imported,
            "unreadable": unreadable,
            "open_flags": open_flags,
            "registration": registration_open(web),
        },
    )


@router.get("/flags", response_class=HTMLResponse)
def flags_page(request: Request, web: WebDep, viewer: PageAdmin) -> HTMLResponse:
    with web.database.reading() as session:
        rows = {"open": accounts.flags(session), "resolved": accounts.flags(session, resolved=True)}
    prompts = {}
    for flag, _ in rows["open"] + rows["resolved"]:
        try:
            bank = web.shelf.get(flag.bank_id).bank
        except UnknownBank:
            continue
        for question in bank.questions:
            if question.id == flag.question_id:
                prompts[(flag.bank_id, flag.question_id)] = question.prompt
    return render(
        request,
        "flags.html",
        viewer,
        {"rows": rows, "prompts": prompts, "reasons": FLAG_REASONS},
    )


@router.post("/flags/{flag_id}/resolve", dependencies=[FormCsrf])
def resolve(request: Request, flag_id: int, web: WebDep, viewer: PageAdmin) -> Response:
    with web.database.transaction() as session:
        done = accounts.resolve_flag(session, flag_id, utc_now())
    flash(request, N_("Flag resolved.") if done else N_("No such open flag."))
    return see_other("/admin/flags")


@router.post("/registration", dependencies=[FormCsrf])
def set_registration(
    request: Request,
    web: WebDep,
    viewer: PageAdmin,
    state: Annotated[Literal["open", "closed"], Form()],
) -> Response:
    with web.database.transaction() as session:
        accounts.set_option(session, REGISTRATION_OPTION, state)
    flash(
        request, N_("Registration is open.") if state == "open" else N_("Registration is closed.")
    )
    return see_other("/admin")


#: what the admin page says after each action on an account
ACTION_DONE = {
    "make-admin": N_("{name}: make admin done."),
    "remove-admin": N_("{name}: remove admin done."),
    "sign-out": N_("{name}: sign out done."),
    "delete": N_("{name}: delete done."),
}


@router.post("/accounts/{name}", dependencies=[FormCsrf])
def change_account(
    request: Request,
    name: str,
    web: WebDep,
    viewer: PageAdmin,
    action: Annotated[Literal["make-admin", "remove-admin", "sign-out", "delete"], Form()],
) -> Response:
    if not web.settings.multi_user:
        raise LlmiqError(N_("accounts exist only in multi-user mode"))
    if name == viewer.name and action in ("remove-admin", "delete"):
        raise LlmiqError(N_("you cannot remove your own admin role or account; ask another admin"))
    with web.database.transaction() as session:
        found = accounts.find_account(session, name)
        if found is None:
            raise LlmiqError(N_("no account named {name}"), name=repr(name))
        user: User = found[0]
        if action == "delete":
            progress.delete_user(session, name)
        elif action == "sign-out":
            accounts.end_sessions(session, user.id)
        else:
            accounts.set_admin(session, user.id, action == "make-admin")
    flash(request, ACTION_DONE[action], name=name)
    return see_other("/admin")


@router.post("/banks/{bank_id}/delete", dependencies=[FormCsrf])
def delete_bank(request: Request, bank_id: str, web: WebDep, viewer: PageAdmin) -> Response:
    with web.database.transaction() as session:
        if not saved_banks.delete_saved_bank(session, bank_id):
            raise UnknownBank(N_("no imported bank named {bank}"), bank=repr(bank_id))
    flash(request, N_("Bank {bank} deleted; progress on it stays in the review log."), bank=bank_id)
    return see_other("/admin")
