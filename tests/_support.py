"""Shared test helpers: credentials, a client factory, and reading what was posted."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import httpx

from smsc_async import Format, SmscClient

BASE_URL = "https://smsc.ru/sys/"
LOGIN = "alex"
PASSWORD = "pa55-S3CRET-word"
APIKEY = "ak-0123456789-SECRET-key"


def make_client(fmt: Format = Format.JSON, **kwargs: Any) -> SmscClient:
    """A client for the test account; keyword arguments override the defaults."""
    options: dict[str, Any] = {"login": LOGIN, "password": PASSWORD, "fmt": fmt}
    options.update(kwargs)
    return SmscClient(**options)


def posted_form(request: httpx.Request) -> dict[str, str]:
    """The urlencoded body of a request, as a dict (the SDK sends each key once)."""
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    pairs = parse_qsl(request.content.decode("ascii"), keep_blank_values=True, strict_parsing=True)
    form = dict(pairs)
    assert len(form) == len(pairs), "a field was sent twice"
    return form


def reply(text: str, charset: str = "utf-8") -> httpx.Response:
    """An SMSC reply: HTTP 200 with the body in ``charset``, as the real server sends."""
    return httpx.Response(
        200,
        content=text.encode(charset),
        headers={"content-type": f"text/plain; charset={charset}"},
    )
