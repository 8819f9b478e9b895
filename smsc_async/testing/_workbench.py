"""The emulator's workbench: its inbox page and JSON API under ``/_emulator/``.

Every answer is a view of the :class:`~smsc_async.testing.Emulator`'s own state, built at
the time of asking; the workbench keeps nothing of its own. Reads (``state``, ``stats``,
``messages``, ``events``, the page and its static files) need no token; the controls
(``faults``, ``clock``, ``reset``, ``subclients``, ``contacts``, ``replies``) need
``Authorization: Bearer <token>`` from a client that is not on this machine. The page
(``workbench/``, package data) is written against these answers (issue 20's contract).

Times are the emulator's calendar (Moscow), ISO 8601; durations (``window_s``,
``remaining_s``) are emulated seconds.

The clock control ages the emulator's state instead of offsetting its clock. The emulator's
time is its event loop's: the outbox's steps, the rule windows, the bans, the callback
sender's timers (``loop.call_at``) and its settling all read or schedule on that one clock.
An offset added to "now" would have to be added in each of those places, and the callback
sender's timers could not honour it at all (they fire on the loop's clock, not ours).
Moving every stored time back by the advance is the same thing seen from the other side:
"an hour passed" and "all that happened, happened an hour earlier" leave every comparison
the emulator makes with the same answer, and the loop's clock stays the only clock. The
callback sender is then told each message's coming changes were replaced (its observer
protocol), so it reports what came due and re-times the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hmac
import importlib.resources
import ipaddress
import json
import math
import mimetypes
import re
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import BaseRoute, Route

from smsc_async.models import AccountType, MessageStatus
from smsc_async.testing._faults import FaultKind
from smsc_async.testing._outbox import phone_key
from smsc_async.testing._rules import CONCURRENCY_LIMIT, ServerRule

if TYPE_CHECKING:
    from smsc_async.testing._emulator import Emulator
    from smsc_async.testing._outbox import InboxEntry, OutboxEntry

__all__ = ["message_view", "state_view", "stats_view", "workbench_routes"]

PREFIX = "/_emulator"
MESSAGES_SHOWN = 500  # the state's newest messages; /messages?limit= reads further
EVENT_PERIOD = 0.25  # seconds between looks at the version for the event stream
_STATIC_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_PLACEHOLDER = (
    "<!doctype html><html><head><meta charset='utf-8'><title>SMSC emulator</title></head>"
    "<body><h1>SMSC emulator</h1><p>The inbox page is not installed; the JSON API is at "
    "<a href='state'>state</a>, <a href='stats'>stats</a> and "
    "<a href='messages'>messages</a>.</p></body></html>"
)
_FAULT_KINDS = ("error", "bad_gateway", "reset", "truncate", "slow_body")

Endpoint = Callable[[Request], Awaitable[Response]]


class _BadRequestError(Exception):
    """A control's body is wrong: answered 400 with the message."""


def iso(when: dt.datetime) -> str:
    """A calendar time as the API writes it (to the second)."""
    return when.isoformat(timespec="seconds")


# -- views ----------------------------------------------------------------------------------


def message_view(entry: OutboxEntry) -> dict[str, Any]:
    """One message to one recipient, as the API shows it."""
    return {
        "login": entry.login,
        "id": entry.id,
        "phone": entry.phone,
        "text": entry.text,
        "sender": entry.sender,
        "kind": entry.kind,
        "parts": entry.parts,
        "cost": str(entry.cost),
        "status": entry.status,
        "status_name": MessageStatus(entry.status).name.lower(),
        "err": entry.err,
        "sent": iso(entry.sent_wall),
        "changed": iso(entry.changed_wall),
        "int_id": entry.int_id,
        "pending": len(entry.steps),
    }


def _reply_view(answer: InboxEntry) -> dict[str, Any]:
    return {
        "login": answer.login,
        "id": answer.id,
        "phone": answer.phone,
        "to_phone": answer.to_phone,
        "text": answer.text,
        "received": iso(answer.received_wall),
    }


def stats_view(emulator: Emulator) -> dict[str, Any]:
    """Traffic, refusals, concurrency, rule windows and bans (``GET /_emulator/stats``)."""
    now = emulator.loop_time()
    traffic = emulator.traffic
    rulebook = emulator.rulebook
    errors = Counter(e.error_code for e in traffic if e.error_code is not None)
    logins = sorted(
        {e.login for e in traffic if e.login in emulator.accounts}
        | {k for k, v in rulebook.peak_in_flight.items() if v}
    )
    peaks = [rulebook.peak_in_flight.get(login, 0) for login in logins]
    return {
        "requests": len(traffic),
        "violations": len(emulator.violations),
        "error_9": errors.get(9, 0),
        "peak_in_flight": max(peaks, default=0),
        "by_command": dict(Counter(e.command for e in traffic).most_common()),
        "by_error": {str(code): n for code, n in sorted(errors.items())},
        "logins": {
            login: {
                "in_flight": rulebook.in_flight.get(login, 0),
                "peak_in_flight": rulebook.peak_in_flight.get(login, 0),
                "cap": CONCURRENCY_LIMIT,
                "windows": _windows_of(emulator, login, now),
            }
            for login in logins
        },
        "violation_list": [
            {
                "at": iso(emulator.wall_clock(v.time)),
                "login": v.login,
                "command": v.command,
                "rule": v.rule,
                "ip": v.ip,
            }
            for v in emulator.violations
        ],
        "bans": [
            {
                "ip": b.ip,
                "reason": b.reason,
                # A ban without an end (one a test imposes) has no time: null.
                "until": iso(emulator.wall_clock(b.until)) if math.isfinite(b.until) else None,
                "remaining_s": (
                    round(max(b.until - now, 0.0) * 60.0 / emulator.minute, 3)
                    if math.isfinite(b.until)
                    else None
                ),
                "active": b.start <= now < b.until,
            }
            for b in emulator.bans
        ],
    }


def _windows_of(emulator: Emulator, login: str, now: float) -> list[dict[str, Any]]:
    """Each rule's fullest window of ``login`` now (only rules with requests in them)."""
    minute = emulator.minute
    fullest: dict[ServerRule, int] = {}
    windows = emulator.rulebook._windows  # noqa: SLF001 - the windows, read as they are
    for key, times in windows.items():
        rule, owner = key[0], key[1]
        if owner != login or not isinstance(rule, ServerRule):
            continue
        used = sum(1 for t in times if t > now - rule.minutes * minute)
        if used:
            fullest[rule] = max(fullest.get(rule, 0), used)
    return [
        {"rule": rule.describe(), "used": used, "limit": rule.limit, "window_s": rule.minutes * 60}
        for rule, used in fullest.items()
    ]


def state_view(emulator: Emulator) -> dict[str, Any]:
    """Everything the inbox page shows, in one answer (``GET /_emulator/state``)."""
    emulator.settle()
    entries = emulator.outbox.entries
    users = emulator.users
    contacts = emulator.contacts
    callbacks = emulator.callbacks
    return {
        "now": iso(emulator.now()),
        "minute": emulator.minute,
        "version": emulator.version,
        "stats": stats_view(emulator),
        "messages": [message_view(e) for e in reversed(entries[-MESSAGES_SHOWN:])],
        "messages_total": len(entries),
        "replies": [_reply_view(a) for a in reversed(emulator.outbox.answers)],
        "subclients": [
            {
                "login": sub.login,
                "id": sub.id,
                "parent": sub.parent,
                "type": AccountType(sub.type).name.lower(),
                "balance": str(emulator.messages.balance_of(sub.login)),
            }
            for sub in users.subclients.values()
        ],
        "senders": [
            {
                "login": owner,
                "id": entry.id,
                "sender": entry.sender,
                "status": entry.status.name.lower(),
                "comment": entry.cmt,
            }
            for owner, names in emulator.senders.names.items()
            for entry in names.values()
        ],
        "contacts": [
            {
                "login": owner,
                "id": contact.id,
                "name": contact.name,
                "phones": list(contact.addresses),
                "groups": [
                    group.name if (group := contacts.groups[owner].get(g)) else str(g)
                    for g in contact.groups
                ],
            }
            for (owner, script), book in list(contacts.books.items())
            if script == "phones.php"
            for contact in book.contacts.values()
        ],
        "codes": [
            {"login": owner, "sender": sender, "code": code.code}
            for (owner, sender), code in emulator.senders.codes.items()
        ],
        "callbacks": [
            {
                "kind": type(d.event).__name__,
                "login": d.login,
                "dedupe_key": d.event.dedupe_key,
                "attempts": [{"status": a.status, "answer": a.answer} for a in d.attempts],
                "delivered": d.delivered,
                "done": d.done,
            }
            for d in (callbacks.deliveries if callbacks is not None else [])
        ],
    }


# -- reads ----------------------------------------------------------------------------------


def _json(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status, headers={"Cache-Control": "no-store"})


def workbench_routes(emulator: Emulator) -> list[BaseRoute]:
    """The workbench's routes, to mount before the emulator's catch-all route."""

    async def index(request: Request) -> Response:
        del request
        page = _resource("index.html")
        text = page.decode("utf-8") if page is not None else _PLACEHOLDER
        return HTMLResponse(text, headers={"Cache-Control": "no-store"})

    async def to_index(request: Request) -> Response:
        del request
        # The page's assets are relative ("static/app.js"): it must be read as a folder.
        return RedirectResponse(f"{PREFIX}/", status_code=307)

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        content = _resource(name) if _STATIC_NAME.fullmatch(name) else None
        if content is None or name == "index.html":
            return Response("not found", 404, media_type="text/plain")
        media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if media_type.startswith("text/") or media_type.endswith("javascript"):
            media_type += "; charset=utf-8"
        return Response(content, media_type=media_type, headers={"Cache-Control": "no-cache"})

    async def state(request: Request) -> Response:
        del request
        return _json(state_view(emulator))

    async def stats(request: Request) -> Response:
        del request
        emulator.settle()
        return _json(stats_view(emulator))

    async def messages(request: Request) -> Response:
        try:
            chosen = _filtered(emulator, request.query_params)
        except _BadRequestError as exc:
            return _json({"error": str(exc)}, 400)
        return _json([message_view(e) for e in chosen])

    async def events(request: Request) -> Response:
        async def stream() -> AsyncIterator[str]:
            last: int | None = None
            while not await request.is_disconnected():
                emulator.settle()
                if emulator.version != last:
                    last = emulator.version
                    body = json.dumps(state_view(emulator), ensure_ascii=False)
                    yield f"data: {body}\n\n"  # unnamed: the page's onmessage takes it
                await asyncio.sleep(EVENT_PERIOD)

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    controls = _Controls(emulator)
    return [
        Route(PREFIX, to_index, methods=["GET"]),
        Route(f"{PREFIX}/", index, methods=["GET"]),
        Route(f"{PREFIX}/static/{{name}}", static, methods=["GET"]),
        Route(f"{PREFIX}/state", state, methods=["GET"]),
        Route(f"{PREFIX}/stats", stats, methods=["GET"]),
        Route(f"{PREFIX}/messages", messages, methods=["GET"]),
        Route(f"{PREFIX}/events", events, methods=["GET"]),
        *(
            Route(f"{PREFIX}/{name}", controls.guarded(handler), methods=["POST"])
            for name, handler in controls.handlers().items()
        ),
    ]


def _resource(name: str) -> bytes | None:
    """A file of the page's folder (package data), or ``None`` when it is not there."""
    folder = importlib.resources.files("smsc_async.testing").joinpath("workbench")
    item = folder.joinpath(name)
    try:
        return item.read_bytes() if item.is_file() else None
    except OSError:
        return None


def _filtered(emulator: Emulator, query: Any) -> list[OutboxEntry]:
    """The messages ``GET /messages`` asks for, newest first.

    ``login``, ``kind`` and ``id`` match exactly; ``phone`` matches any number holding its
    digits (``+7 (900)`` finds ``79001234567``); ``status`` is a code or a name.
    """
    emulator.settle()
    login, kind, id_ = query.get("login"), query.get("kind"), query.get("id")
    phone = phone_key(query["phone"]) if query.get("phone") else None
    status = _status(query["status"]) if query.get("status") else None
    limit = _int(query.get("limit") or str(MESSAGES_SHOWN), "limit")
    if limit < 0:
        raise _BadRequestError("limit must not be negative")
    chosen: list[OutboxEntry] = []
    for entry in reversed(emulator.outbox.entries):
        if len(chosen) >= limit:
            break
        if (
            (login is None or entry.login == login)
            and (kind is None or entry.kind == kind)
            and (id_ is None or entry.id == id_)
            and (status is None or entry.status == status)
            and (phone is None or phone in phone_key(entry.phone))
        ):
            chosen.append(entry)
    return chosen


def _status(raw: str) -> int:
    if raw.lstrip("-").isdigit():
        return int(raw)
    try:
        return int(MessageStatus[raw.strip().upper()])
    except KeyError:
        raise _BadRequestError(f"unknown status {raw!r}") from None


def _int(raw: str, name: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise _BadRequestError(f"{name} must be a whole number, not {raw!r}") from None


# -- controls -------------------------------------------------------------------------------


class _Controls:
    """The POST endpoints that change the emulator (token-guarded from other machines)."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def handlers(self) -> dict[str, Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]]:
        return {
            "faults": self.faults,
            "clock": self.clock,
            "reset": self.reset,
            "subclients": self.subclients,
            "contacts": self.contacts,
            "replies": self.replies,
        }

    def guarded(self, handler: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]) -> Endpoint:
        """``handler`` behind the token check and the JSON body's parsing."""

        async def endpoint(request: Request) -> Response:
            if refusal := self._forbidden(request):
                return _json({"error": refusal}, 403)
            raw = await request.body()
            try:
                body = json.loads(raw) if raw.strip() else {}
            except ValueError:
                return _json({"error": "the body is not JSON"}, 400)
            if not isinstance(body, dict):
                return _json({"error": "the body must be a JSON object"}, 400)
            try:
                answer = await handler(body)
            except _BadRequestError as exc:
                return _json({"error": str(exc)}, 400)
            self.emulator.bump()
            return _json({"ok": True, **answer})

        return endpoint

    def _forbidden(self, request: Request) -> str | None:
        """Why the request may not use a control, or ``None`` when it may.

        A client on this machine may; one elsewhere needs the token. Assumption: the
        client's address is what the server sees (no proxy in front of the emulator);
        one would make every client look local.
        """
        host = request.client.host if request.client else ""
        if _loopback(host):
            return None
        token = self.emulator.control_token
        if token is None:
            return "controls are open to this machine only (no control token is set)"
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip(), token):
            return "this control needs Authorization: Bearer <the emulator's control token>"
        return None

    async def faults(self, body: dict[str, Any]) -> dict[str, Any]:
        """Plan a fault: ``{"command", "kind", "code", "times", "message", "delay"}``."""
        faults = self.emulator.faults
        command = _text(body, "command", default="*")
        kind = _text(body, "kind", default="error")
        times = body.get("times", 1)
        if times is not None and (not isinstance(times, int) or isinstance(times, bool)):
            raise _BadRequestError("times must be a whole number or null (always)")
        if kind == "error":
            code = body.get("code")
            if not isinstance(code, int) or isinstance(code, bool):
                raise _BadRequestError("an error fault needs an SMSC error code (code)")
            message = _text(body, "message", default="forced error")
            faults.error(command, code, message, times=times)
        elif kind == "bad_gateway":
            faults.bad_gateway(command, times=times)
        elif kind == "reset":
            faults.reset(command, after=bool(body.get("after", True)), times=times)
        elif kind == "truncate":
            faults.truncate(command, times=times)
        elif kind == "slow_body":
            delay = _number(body, "delay", default=1.0)
            faults.slow_body(command, delay=delay, times=times)
        else:
            raise _BadRequestError(f"unknown fault kind {kind!r}: use {', '.join(_FAULT_KINDS)}")
        plan = faults.plans[-1]
        kinds = {FaultKind.RESET_BEFORE: "reset", FaultKind.RESET_AFTER: "reset"}
        return {
            "planned": {
                "command": plan.command,
                "kind": kinds.get(plan.kind, plan.kind.value),
                "times": plan.times,
            }
        }

    async def clock(self, body: dict[str, Any]) -> dict[str, Any]:
        """``{"advance": seconds}`` or ``{"set": iso}``: the new calendar time answered."""
        emulator = self.emulator
        if "advance" in body:
            seconds = _number(body, "advance")
            if seconds < 0:
                raise _BadRequestError("advance must not be negative: the clock only moves forward")
            emulator.advance(seconds)
        elif "set" in body:
            try:
                when = dt.datetime.fromisoformat(_text(body, "set"))
            except ValueError:
                raise _BadRequestError("set must be an ISO 8601 time") from None
            emulator.set_clock(when)
        else:
            raise _BadRequestError('say {"advance": seconds} or {"set": "<ISO 8601 time>"}')
        return {"now": iso(emulator.now())}

    async def reset(self, body: dict[str, Any]) -> dict[str, Any]:
        """Forget everything but the settings."""
        del body
        await self.emulator.reset()
        return {}

    async def subclients(self, body: dict[str, Any]) -> dict[str, Any]:
        """``{"login", "password", "balance", "parent"?, "type"?}``: a subclient, no checks."""
        login = _text(body, "login")
        password = _text(body, "password")
        parent = _text(body, "parent", default="demo")
        try:
            balance = Decimal(str(body.get("balance", "0")))
            kind = AccountType(int(body.get("type", 0)))
        except (InvalidOperation, ValueError, TypeError):
            raise _BadRequestError(
                "balance must be a number and type an account type (0-4)"
            ) from None
        if not balance.is_finite():
            raise _BadRequestError("balance must be a number")
        if parent not in self.emulator.accounts:
            raise _BadRequestError(f"no account {parent!r} to be the parent")
        try:
            id_ = self.emulator.add_subclient(
                login, password, parent=parent, type=kind, balance=balance
            )
        except ValueError as exc:
            raise _BadRequestError(str(exc)) from None
        return {"id": id_}

    async def contacts(self, body: dict[str, Any]) -> dict[str, Any]:
        """``{"phones": [...], "name", "login"?}``: a contact in the account's phone book."""
        phones = body.get("phones")
        if (
            not isinstance(phones, list)
            or not phones
            or not all(isinstance(p, str) and p.strip() for p in phones)
        ):
            raise _BadRequestError("phones must be a list of phone numbers")
        login = _text(body, "login", default="demo")
        if login not in self.emulator.accounts:
            raise _BadRequestError(f"no account {login!r}")
        entry = self.emulator.contacts.add_contact(
            [p.strip() for p in phones], owner=login, name=_text(body, "name", default="")
        )
        return {"id": entry.id}

    async def replies(self, body: dict[str, Any]) -> dict[str, Any]:
        """``{"phone", "text", "login"?, "to_phone"?}``: an incoming message arrives."""
        login = _text(body, "login", default="demo")
        if login not in self.emulator.accounts:
            raise _BadRequestError(f"no account {login!r}")
        answer = self.emulator.outbox.receive(
            login,
            _text(body, "phone"),
            _text(body, "text"),
            to_phone=_text(body, "to_phone", default=""),
        )
        return {"id": answer.id}


_MISSING = object()


def _text(body: dict[str, Any], name: str, *, default: Any = _MISSING) -> str:
    value = body.get(name, default)
    if value is _MISSING or (default is _MISSING and value == ""):
        raise _BadRequestError(f"{name} is required")
    if not isinstance(value, str):
        raise _BadRequestError(f"{name} must be a string")
    return value


def _number(body: dict[str, Any], name: str, *, default: float | None = None) -> float:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _BadRequestError(f"{name} must be a number")
    return float(value)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(host).is_loopback
    return False
