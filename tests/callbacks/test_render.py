"""render() is parse_body()'s inverse: every event survives every body format and charset."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smsc_async import DeliveryError, MessageStatus, MessageType
from smsc_async.callbacks import (
    BodyFormat,
    CallbackEvent,
    CallConfirmation,
    DeliveryReport,
    IncomingMessage,
    parse_body,
    render,
)

MSK = dt.timezone(dt.timedelta(hours=3))
FORMATS: tuple[BodyFormat, ...] = ("form", "json", "xml")
CHARSETS = ("utf-8", "windows-1251", "koi8-r")
# Text every charset can carry: printable ASCII, Russian letters, and the white space a
# message may hold (CR included: the XML renderer must keep it).
ALPHABET = "".join(chr(c) for c in range(32, 127)) + "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
ALPHABET += ALPHABET[95:].upper() + "\n\t\r"
RESERVED = {
    "id", "phone", "status", "err", "time", "ts", "cnt", "type", "sender", "mes", "to",
    "sms_id", "sent", "md5", "sha1", "crc32",
}  # fmt: skip

texts = st.text(ALPHABET, max_size=40)
words = st.text(ALPHABET, min_size=1, max_size=20).map(str.strip).filter(bool)
phones = st.from_regex(r"\+?[0-9]{5,15}", fullmatch=True)
moments = st.integers(946_684_800, 4_102_444_800).map(lambda s: dt.datetime.fromtimestamp(s, MSK))
names = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True).filter(
    lambda n: n not in RESERVED and not n.startswith("xml")
)
extras = st.dictionaries(names, texts, max_size=4)

reports = st.builds(
    DeliveryReport,
    id=st.from_regex(r"[0-9]{1,10}", fullmatch=True),
    phone=phones,
    status=st.integers(-3, 300).map(MessageStatus),
    err=st.integers(0, 300).map(DeliveryError),
    time=st.none() | moments,
    sms_cnt=st.none() | st.integers(0, 10**6),
    type=st.none() | st.integers(0, 12).map(MessageType),
    sender_id=st.none() | words,
    extra=extras,
)
replies = st.builds(
    IncomingMessage,
    phone=phones,
    message=texts,
    to_phone=st.none() | words,
    sms_id=st.none() | st.integers(1, 2**40),
    sent=st.none() | moments,
    received=st.none() | moments,
    extra=extras,
)
calls = st.builds(CallConfirmation, phone=phones, time=moments, extra=extras)
events = reports | replies | calls


@given(
    event=events,
    fmt=st.sampled_from(FORMATS),
    charset=st.sampled_from(CHARSETS),
    signed=st.sampled_from([None, "md5", "sha1"]),
)
def test_parse_inverts_render(
    event: CallbackEvent, fmt: BodyFormat, charset: str, signed: str | None
) -> None:
    """For every event, format, charset and algorithm: parse_body(render(event)) == event."""
    secret = None if signed is None else "zxc"
    algorithm = signed or "md5"
    body, content_type = render(event, fmt=fmt, charset=charset, secret=secret, algorithm=algorithm)
    parsed = parse_body(body, content_type, secret=secret, algorithm=algorithm)
    assert event == parsed
    assert event.dedupe_key == parsed.dedupe_key


@given(event=events, fmt=st.sampled_from(FORMATS))
def test_the_url_query_alone_is_enough(event: CallbackEvent, fmt: BodyFormat) -> None:
    """Without a content type, the URL's fmt and charset read the rendered body."""
    body, _ = render(event, fmt=fmt, charset="koi8-r")
    url_fmt = {"form": {}, "json": {"fmt": "3"}, "xml": {"fmt": "2"}}[fmt]
    query = {"charset": "koi8-r", **url_fmt}
    assert event == parse_body(body, None, query=query)


def test_render_names_its_content_type_and_charset() -> None:
    """Each format has its media type, with the charset named."""
    event = CallConfirmation(phone="7", time=dt.datetime(2026, 1, 1, tzinfo=MSK))
    types = [render(event, fmt=f, charset="koi8-r")[1] for f in FORMATS]
    assert [
        "application/x-www-form-urlencoded; charset=koi8-r",
        "application/json; charset=koi8-r",
        "application/xml; charset=koi8-r",
    ] == types


def test_render_refuses_an_unknown_format() -> None:
    """A body format other than form, json, xml is a ValueError."""
    event = CallConfirmation(phone="7", time=dt.datetime(2026, 1, 1, tzinfo=MSK))
    with pytest.raises(ValueError, match="unknown callback body format"):
        render(event, fmt="csv")  # type: ignore[arg-type]
