"""Events → callback requests, as SMSC would post them: the emulator's side of the wire.

The inverse of :mod:`._parse`: ``parse_body(*render(event))`` gives ``event`` back in every
shape and charset, which the property tests hold it to. The shapes are the parser's
assumptions, no more certain than they are.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Literal
from urllib.parse import quote_plus

from smsc_async.callbacks._signature import SIGNATURE_FIELDS, check_algorithm, sign
from smsc_async.formats._hooks import MSK
from smsc_async.models import DeliveryError
from smsc_async.models.callbacks import (
    CallbackEvent,
    DeliveryReport,
    IncomingMessage,
)

__all__ = ["BodyFormat", "render", "wire_fields"]

BodyFormat = Literal["form", "json", "xml"]
_CONTENT_TYPES = {
    "form": "application/x-www-form-urlencoded",
    "json": "application/json",
    "xml": "application/xml",
}


def render(
    event: CallbackEvent,
    *,
    fmt: BodyFormat = "form",
    charset: str = "utf-8",
    secret: str | None = None,
    algorithm: str = "md5",
) -> tuple[bytes, str]:
    """The request body and content type SMSC would post for ``event``.

    Args:
        event: The event to send.
        fmt: ``"form"`` (no ``fmt`` in the URL), ``"json"`` (fmt=3) or ``"xml"`` (fmt=2).
        charset: The body's charset (the URL's ``charset``): utf-8, koi8-r, windows-1251.
        secret: Sign the request with this secret, in the field named ``algorithm``.
        algorithm: ``"md5"``, ``"sha1"`` or ``"crc32"``.

    Returns:
        ``(body, content_type)``; the content type names the charset.

    Raises:
        ValueError: ``fmt`` or ``algorithm`` is unknown, or the text does not fit
            ``charset``.
    """
    if fmt not in _CONTENT_TYPES:
        raise ValueError(f"unknown callback body format {fmt!r}: use form, json or xml")
    fields = wire_fields(event)
    if secret is not None:
        check_algorithm(algorithm, allow_crc32=True)  # the sender may; the receiver decides
        fields[algorithm] = sign(_kind(event), fields, secret, algorithm, charset)
    if fmt == "form":
        text = "&".join(
            f"{quote_plus(k, encoding=charset)}={quote_plus(v, encoding=charset)}"
            for k, v in fields.items()
        )
    elif fmt == "json":
        text = json.dumps(fields, ensure_ascii=False)
    else:
        text = _xml(fields, charset)
    return text.encode(charset), f"{_CONTENT_TYPES[fmt]}; charset={charset}"


def wire_fields(event: CallbackEvent) -> dict[str, str]:
    """The event's fields as SMSC names and writes them (no signature)."""
    fields: dict[str, str]
    if isinstance(event, DeliveryReport):
        fields = {"id": event.id, "phone": event.phone, "status": str(int(event.status))}
        if event.err != DeliveryError.NONE:
            fields["err"] = str(int(event.err))
        _put(fields, "time", None if event.time is None else _date(event.time))
        _put(fields, "cnt", None if event.sms_cnt is None else str(event.sms_cnt))
        _put(fields, "type", None if event.type is None else str(int(event.type)))
        _put(fields, "sender", event.sender_id)
    elif isinstance(event, IncomingMessage):
        fields = {"phone": event.phone, "mes": event.message}
        _put(fields, "to", event.to_phone)
        _put(fields, "sms_id", None if event.sms_id is None else str(event.sms_id))
        _put(fields, "sent", None if event.sent is None else _date(event.sent))
        _put(fields, "time", None if event.received is None else _date(event.received))
    else:
        # Assumption: a call confirmation's ``ts`` is a Unix timestamp.
        fields = {"phone": event.phone, "ts": str(int(event.time.timestamp()))}
    for name, value in event.extra.items():
        if name not in fields and name not in SIGNATURE_FIELDS:
            fields[name] = value
    return fields


def _kind(event: CallbackEvent) -> str:
    if isinstance(event, DeliveryReport):
        return "report"
    return "incoming" if isinstance(event, IncomingMessage) else "call"


def _put(fields: dict[str, str], name: str, value: str | None) -> None:
    if value is not None:
        fields[name] = value


def _date(moment: dt.datetime) -> str:
    """SMSC's ``dd.mm.yyyy hh:mm:ss`` in Moscow time (seconds; finer parts are dropped)."""
    return moment.astimezone(MSK).strftime("%d.%m.%Y %H:%M:%S")


def _xml(fields: dict[str, str], charset: str) -> str:
    # Assumption: as the parser reads it, one element whose leaf children are the fields.
    # Carriage returns are written as references: XML parsers turn a bare CR into LF.
    children = "".join(f"<{name}>{_escape(value)}</{name}>" for name, value in fields.items())
    return f'<?xml version="1.0" encoding="{charset}"?>\n<callback>{children}</callback>'


def _escape(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )
