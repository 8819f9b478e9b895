"""Callback requests → events: form fields, or a raw body in one of three shapes.

Pure code (no I/O, no framework), like :mod:`smsc_async.formats`: the adapters hand it the
body, the content type and the URL's query, and get an event or a :class:`CallbackError`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import parse_qsl
from xml.etree.ElementTree import ParseError as XmlSyntaxError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from smsc_async.callbacks._signature import SIGNATURE_FIELDS, check_algorithm, verify
from smsc_async.errors import CallbackError
from smsc_async.formats._hooks import MSK, _to_datetime
from smsc_async.models import DeliveryError, MessageStatus, MessageType
from smsc_async.models.callbacks import (
    CallbackEvent,
    CallConfirmation,
    DeliveryReport,
    IncomingMessage,
)

__all__ = ["DEFAULT_CHARSET", "MAX_BYTES", "parse", "parse_body"]

# The sources: the handler URL's ``charset`` is utf-8, koi8-r or windows-1251,
# windows-1251 when it names none.
DEFAULT_CHARSET = "windows-1251"
MAX_BYTES = 64 * 1024
_MAX_FIELDS = 200  # far more than any event has; bounds the work a hostile body costs

_INT = re.compile(r"-?\d{1,18}")
_STAMP = re.compile(r"\d{1,12}")
_REPORT_FIELDS = frozenset({"id", "phone", "status", "err", "time", "cnt", "type", "sender"})
_INCOMING_FIELDS = frozenset({"phone", "mes", "to", "sms_id", "sent", "time"})

_T = TypeVar("_T")


def parse(
    fields: Mapping[str, str],
    *,
    secret: str | None = None,
    algorithm: str = "md5",
    allow_crc32: bool = False,
) -> CallbackEvent:
    """Read one callback from its (already decoded) form fields.

    The kind is told by the fields. Assumption (the field sets are not published): ``mes``
    makes an incoming message; else ``status`` a delivery report (with ``id``, ``phone``);
    else ``phone`` with ``ts`` or ``time`` a call confirmation. Every field the event does
    not model is kept in its ``extra``; the signature field is not.

    Args:
        fields: The request's fields, names to text.
        secret: The value of ``md5``/``sha1``/``crc32`` in the handler URL. When given, the
            request's signature must match it; when ``None``, nothing is checked.
        algorithm: ``"md5"``, ``"sha1"`` or ``"crc32"``: the one the URL names.
        allow_crc32: Accept crc32 (a checksum anyone can forge); off by default.

    Returns:
        A :class:`DeliveryReport`, :class:`IncomingMessage` or :class:`CallConfirmation`.

    Raises:
        CallbackError: A required field is missing or malformed, or the fields fit no kind.
        SignatureError: ``secret`` is set and the signature is missing or wrong, or crc32
            was asked for without ``allow_crc32``.
        ValueError: ``algorithm`` is unknown.
    """
    return _parse(fields, secret, algorithm, allow_crc32, ("utf-8",))


def parse_body(
    body: bytes,
    content_type: str | None,
    *,
    query: Mapping[str, str] | None = None,
    secret: str | None = None,
    algorithm: str = "md5",
    allow_crc32: bool = False,
    max_bytes: int = MAX_BYTES,
) -> CallbackEvent:
    """Read one callback from its raw request body.

    The shape comes from the content type (form-urlencoded, JSON or XML), else from the
    URL's ``fmt`` (2: XML, 3: JSON, none: form). The charset comes from the content type,
    else from the URL's ``charset``, else windows-1251.

    Args:
        body: The request body as received.
        content_type: The request's ``Content-Type`` header, if any.
        query: The handler URL's query parameters (``fmt``, ``charset``).
        secret: As for :func:`parse`.
        algorithm: As for :func:`parse`.
        allow_crc32: As for :func:`parse`.
        max_bytes: A longer body is refused before it is read.

    Returns:
        The event, as :func:`parse` returns it.

    Raises:
        CallbackError: The body is too long, not in its charset or shape, or its fields
            make no event (see :func:`parse`).
        SignatureError: As for :func:`parse`.
        ValueError: ``algorithm`` is unknown.
    """
    if len(body) > max_bytes:
        raise CallbackError(f"the callback body is over {max_bytes} bytes")
    query = query or {}
    media, charset = _content_type(content_type)
    charset = charset or query.get("charset") or DEFAULT_CHARSET
    try:
        text = body.decode(charset)
    except LookupError:
        raise CallbackError(f"unknown charset {charset[:40]!r}", field="charset") from None
    except UnicodeDecodeError:
        raise CallbackError(f"the callback body is not {charset} text") from None
    shape = _shape(media, query.get("fmt", ""))
    fields = shape(text, charset)
    # Assumption: SMSC hashes in the callback's charset; UTF-8 is accepted as well.
    return _parse(fields, secret, algorithm, allow_crc32, (charset, "utf-8"))


def _content_type(header: str | None) -> tuple[str, str | None]:
    """The media type (lower case) and the ``charset`` parameter of a content type."""
    if not header:
        return "", None
    media, *params = header.split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    return media.strip().lower(), charset


def _shape(media: str, fmt: str) -> Callable[[str, str], dict[str, str]]:
    if media == "application/x-www-form-urlencoded":
        return _form_fields
    if media.endswith(("/json", "+json")):
        return _json_fields
    if media.endswith(("/xml", "+xml")):
        return _xml_fields
    # Assumption: without a telling content type the URL's fmt decides (2 XML, 3 JSON),
    # and no fmt means form fields, as the handler URL's documentation says.
    fmt = fmt.strip()
    if fmt == "3":
        return _json_fields
    if fmt == "2":
        return _xml_fields
    if media in ("", "text/plain", "application/octet-stream"):
        return _form_fields
    raise CallbackError(f"unsupported callback content type {media[:60]!r}")


def _once(pairs: list[tuple[str, str]]) -> dict[str, str]:
    if len(pairs) > _MAX_FIELDS:
        raise CallbackError(f"the callback has over {_MAX_FIELDS} fields")
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            # Two values for one name could sign one and mean the other: refuse.
            raise CallbackError(f"the field {name[:40]!r} appears twice", field=name)
        fields[name] = value
    return fields


def _form_fields(text: str, charset: str) -> dict[str, str]:
    try:
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            encoding=charset,
            errors="strict",
            max_num_fields=_MAX_FIELDS,
        )
    except UnicodeDecodeError:
        raise CallbackError(f"a form field is not {charset} text") from None
    except ValueError:
        raise CallbackError(f"the callback has over {_MAX_FIELDS} fields") from None
    return _once(pairs)


def _json_fields(text: str, _charset: str) -> dict[str, str]:
    # Assumption: fmt=3 posts one flat JSON object holding the form's fields, each a
    # string or a number.
    try:
        # Pairs kept as a list, so a repeated key is seen (and refused) rather than lost.
        document = json.loads(text, object_pairs_hook=_Pairs)
    except ValueError:
        raise CallbackError("the callback body is not JSON") from None
    if not isinstance(document, _Pairs):
        raise CallbackError("the callback's JSON is not an object")
    return _once([(name, _json_text(name, value)) for name, value in document])


class _Pairs(list[tuple[str, Any]]):
    """A JSON object's members in order, repeats included (told apart from a JSON array)."""


def _json_text(name: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    raise CallbackError(f"the JSON field {name[:40]!r} is not text or a number", field=name)


def _xml_fields(text: str, _charset: str) -> dict[str, str]:
    # Assumption: fmt=2 posts one element (whatever its tag) whose attributes and leaf
    # children are the form's fields, the way the fmt=2 answers hold a record.
    body = re.sub(r"\A\s*<\?xml[^>]*\?>", "", text).strip()  # already decoded text
    try:
        root = fromstring(body)
    except (XmlSyntaxError, DefusedXmlException):
        raise CallbackError("the callback body is not (safe) XML") from None
    pairs = list(root.attrib.items())
    for child in root:
        if len(child):
            raise CallbackError(f"the XML field {child.tag[:40]!r} is not a leaf", field=child.tag)
        pairs.append((child.tag, child.text or ""))
    return _once(pairs)


def _parse(
    fields: Mapping[str, str],
    secret: str | None,
    algorithm: str,
    allow_crc32: bool,  # noqa: FBT001 - private, positional
    charsets: tuple[str, ...],
) -> CallbackEvent:
    if secret is not None:
        check_algorithm(algorithm, allow_crc32=allow_crc32)
    kind = _kind(fields)
    if secret is not None:
        verify(kind, fields, secret, algorithm, charsets)
    if kind == "incoming":
        return _incoming(fields)
    if kind == "report":
        return _report(fields)
    return _call(fields)


def _kind(fields: Mapping[str, str]) -> str:
    if "mes" in fields:
        return "incoming"
    if "status" in fields:
        return "report"
    # Assumption: a call confirmation is a phone and a time with neither text nor status.
    if "phone" in fields and ("ts" in fields or "time" in fields):
        return "call"
    names = ", ".join(sorted(n[:40] for n in fields if n not in SIGNATURE_FIELDS)[:20])
    raise CallbackError(f"the callback is no known kind of event (fields: {names or 'none'})")


def _extra(fields: Mapping[str, str], modelled: frozenset[str]) -> dict[str, str]:
    return {k: v for k, v in fields.items() if k not in modelled and k not in SIGNATURE_FIELDS}


def _required(fields: Mapping[str, str], name: str) -> str:
    value = fields.get(name)
    if value is None or not value.strip():
        raise CallbackError(f"the callback has no {name!r}", field=name)
    return value.strip()


def _optional(fields: Mapping[str, str], name: str, read: Callable[[str, str], _T]) -> _T | None:
    value = fields.get(name, "").strip()
    return read(name, value) if value else None


def _int(name: str, value: str) -> int:
    if not _INT.fullmatch(value.strip()):
        raise CallbackError(f"the callback's {name!r} is not a number", field=name)
    return int(value)


def _moment(name: str, value: str) -> dt.datetime:
    # Assumption: a time is a Unix timestamp (``ts``, as status.php's) or SMSC's
    # dd.mm.yyyy hh:mm:ss in Moscow time, read as the answers' decoders read it.
    text = value.strip()
    try:
        if _STAMP.fullmatch(text):
            return dt.datetime.fromtimestamp(int(text), MSK)
        return _to_datetime(text)
    except (ValueError, OverflowError, OSError):  # not a time, or one out of range
        raise CallbackError(f"the callback's {name!r} is not a time", field=name) from None


def _report(fields: Mapping[str, str]) -> DeliveryReport:
    # Assumption: a report's time is ``time``, else ``ts`` (the other stays in extra).
    when = "time" if fields.get("time", "").strip() else "ts"
    err = _optional(fields, "err", _int)
    kind = _optional(fields, "type", _int)
    return DeliveryReport(
        id=_required(fields, "id"),
        phone=_required(fields, "phone"),
        status=MessageStatus(_int("status", _required(fields, "status"))),
        err=DeliveryError.NONE if err is None else DeliveryError(err),
        time=_optional(fields, when, _moment),
        sms_cnt=_optional(fields, "cnt", _int),
        type=None if kind is None else MessageType(kind),
        sender_id=fields.get("sender") or None,
        extra=_extra(fields, _REPORT_FIELDS | {when}),
    )


def _incoming(fields: Mapping[str, str]) -> IncomingMessage:
    return IncomingMessage(
        phone=_required(fields, "phone"),
        message=fields["mes"],
        to_phone=fields.get("to") or None,
        sms_id=_optional(fields, "sms_id", _int),
        sent=_optional(fields, "sent", _moment),
        received=_optional(fields, "time", _moment),
        extra=_extra(fields, _INCOMING_FIELDS),
    )


def _call(fields: Mapping[str, str]) -> CallConfirmation:
    when = "ts" if fields.get("ts", "").strip() else "time"
    return CallConfirmation(
        phone=_required(fields, "phone"),
        time=_moment(when, _required(fields, when)),
        extra=_extra(fields, frozenset({"phone", when})),
    )
