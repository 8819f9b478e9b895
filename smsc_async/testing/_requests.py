"""How the emulator reads a request (spec §1.2-1.4) and whose it is: accounts and sign-in.

Parameters come from the query string and the body (a form, or multipart with uploads),
decoded in the charset the request names; ``login``+``psw`` or ``apikey`` name the account.
"""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Mapping
from urllib.parse import parse_qsl

import attrs
from starlette.datastructures import UploadFile
from starlette.requests import Request

from smsc_async import Format
from smsc_async.testing._calls import Upload

__all__ = ["Account", "authenticate", "charset_of", "format_of", "read"]

_SERVER_CHARSET = "windows-1251"  # SMSC's default when a request names none
# Python's codec names, spelled as SMSC spells them in its Content-Type header.
_LABELS = {"cp1251": "windows-1251", "koi8-r": "koi8-r", "utf-8": "utf-8"}


@attrs.frozen
class Account:
    """An SMSC account of the emulator (a subclient is one too)."""

    login: str
    password: str = attrs.field(repr=False)
    apikey: str | None = attrs.field(default=None, repr=False)


def authenticate(accounts: Mapping[str, Account], params: Mapping[str, str]) -> Account | None:
    """The account the request's ``apikey``, or ``login`` and ``psw``, sign in to."""
    if apikey := params.get("apikey"):
        return next((a for a in accounts.values() if a.apikey == apikey), None)
    account = accounts.get(params.get("login", ""))
    psw = params.get("psw", "")
    if account is None or not psw:
        return None
    # Official libraries also send the lower-case MD5 of the password (spec §1.2,
    # UNVERIFIED for today's server); the emulator accepts both.
    md5 = hashlib.md5(account.password.encode(), usedforsecurity=False).hexdigest()
    return account if psw in (account.password, md5) else None


def format_of(params: Mapping[str, str]) -> Format:
    """The reply format the request asks for (``fmt``; fmt=0 when unreadable)."""
    try:
        return Format(int(params.get("fmt", "0")))
    except ValueError:
        return Format.LINES


def charset_of(params: Mapping[str, str]) -> str:
    """The charset the request names (``charset``), as SMSC labels it; windows-1251 else."""
    try:
        name = codecs.lookup(params.get("charset") or _SERVER_CHARSET).name
    except LookupError:
        return _SERVER_CHARSET
    return _LABELS.get(name, name)


async def read(request: Request) -> tuple[dict[str, str], dict[str, Upload]]:
    """Parameters from the query string and the body (form or multipart), and uploads.

    URL-encoded data is decoded in the charset the request names (SMSC's default,
    windows-1251, when it names none), as the server does.
    """
    raw_query = request.url.query
    content_type = request.headers.get("content-type", "")
    files: dict[str, Upload] = {}
    if content_type.startswith("multipart/form-data"):
        # Read every part as latin-1 (lossless), then decode it in the charset the request
        # names, like url-encoded data: Starlette alone would assume UTF-8.
        headers = [(k, v) for k, v in request.scope["headers"] if k != b"content-type"]
        headers.append((b"content-type", (content_type + "; charset=latin-1").encode()))
        raw = Request({**request.scope, "headers": headers}, request.receive)
        fields: list[tuple[str, str]] = []
        uploads: list[tuple[str, str, bytes, str]] = []
        async with raw.form() as form:
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    data = await value.read()
                    kind = value.content_type or "application/octet-stream"
                    uploads.append((key, value.filename or key, data, kind))
                else:
                    fields.append((key, value))
        charset = charset_of(_parse(raw_query) | dict(fields))

        def text(value: str) -> str:
            return value.encode("latin-1").decode(charset, errors="replace")

        params = _parse(raw_query)
        params.update((text(k), text(v)) for k, v in fields)
        for key, filename, data, kind in uploads:
            files[text(key)] = Upload(text(filename), data, kind)
        return params, files
    raw_body = (await request.body()).decode("latin-1")
    if content_type and not content_type.startswith("application/x-www-form-urlencoded"):
        raw_body = ""
    return _parse(raw_query, raw_body), files


def _parse(*raw: str) -> dict[str, str]:
    sniffed = dict(p for part in raw for p in parse_qsl(part, encoding="latin-1"))
    charset = charset_of(sniffed)
    params: dict[str, str] = {}
    for part in raw:
        params.update(parse_qsl(part, keep_blank_values=True, encoding=charset, errors="replace"))
    return params
