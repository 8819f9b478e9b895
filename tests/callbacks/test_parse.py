"""Callback bodies typed by hand (form, JSON, XML; three charsets) read to the right event.

The bodies are written here, not by ``render``, so the parser is held to the wire as the
issue's sources describe it. Where the wire is inferred, the package's ``Assumption:``
comments say so; these tests pin the same reading.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from urllib.parse import urlencode

import pytest

from smsc_async import DeliveryError, MessageStatus, MessageType
from smsc_async.callbacks import (
    CallbackError,
    CallConfirmation,
    DeliveryReport,
    IncomingMessage,
    SignatureError,
    parse,
    parse_body,
)

MSK = dt.timezone(dt.timedelta(hours=3))
AT = dt.datetime(2026, 12, 7, 15, 53, 42, tzinfo=MSK)
STAMP = int(AT.timestamp())  # 1796648022
FORM = "application/x-www-form-urlencoded"

REPORT = DeliveryReport(
    id="17",
    phone="79991234567",
    status=MessageStatus.DELIVERED,
    err=DeliveryError.NONE,
    time=AT,
    sms_cnt=2,
    type=MessageType.SMS,
    sender_id="shop",
    extra={"flag": "3"},
)
REPLY = IncomingMessage(
    phone="79991234567",
    message="Yes, please",
    to_phone="79001112233",
    sms_id=900,
    sent=AT,
    received=AT,
    extra={},
)
CALL = CallConfirmation(phone="79991234567", time=AT)

REPORT_SHA1 = hashlib.sha1(b"17:79991234567:1:zxc").hexdigest()  # noqa: S324
REPLY_SHA1 = hashlib.sha1(b"79991234567:Yes, please:79001112233:zxc").hexdigest()  # noqa: S324
CALL_SHA1 = hashlib.sha1(f"79991234567:{STAMP}:zxc".encode()).hexdigest()  # noqa: S324

BODIES = [
    (
        "report-form",
        FORM,
        b"id=17&phone=79991234567&status=1&err=0&time=07.12.2026+15%3A53%3A42&cnt=2"
        b"&type=0&sender=shop&flag=3&sha1=" + REPORT_SHA1.encode(),
        REPORT,
    ),
    (
        "report-json",
        "application/json",
        b'{"id": 17, "phone": "79991234567", "status": 1, "err": 0, "ts": %d, "cnt": 2,'
        b' "type": 0, "sender": "shop", "flag": "3", "sha1": "%s"}' % (STAMP, REPORT_SHA1.encode()),
        REPORT,
    ),
    (
        "report-xml",
        "text/xml; charset=utf-8",
        b'<?xml version="1.0" encoding="utf-8"?>\n<status><id>17</id><phone>79991234567'
        b"</phone><status>1</status><err>0</err><time>07.12.2026 15:53:42</time><cnt>2</cnt>"
        b"<type>0</type><sender>shop</sender><flag>3</flag><sha1>%s</sha1></status>"
        % REPORT_SHA1.encode(),
        REPORT,
    ),
    (
        "reply-form",
        FORM,
        b"phone=79991234567&mes=Yes%%2C+please&to=79001112233&sms_id=900"
        b"&sent=07.12.2026+15%%3A53%%3A42&time=%d&sha1=%s" % (STAMP, REPLY_SHA1.encode()),
        REPLY,
    ),
    (
        "reply-json",
        "application/json; charset=utf-8",
        b'{"phone": "79991234567", "mes": "Yes, please", "to": "79001112233", "sms_id": 900,'
        b' "sent": "07.12.2026 15:53:42", "time": "07.12.2026 15:53:42", "sha1": "%s"}'
        % REPLY_SHA1.encode(),
        REPLY,
    ),
    (
        "reply-xml",
        "application/xml",
        b'<sms phone="79991234567" sms_id="900"><mes>Yes, please</mes><to>79001112233</to>'
        b"<sent>07.12.2026 15:53:42</sent><time>07.12.2026 15:53:42</time>"
        b"<sha1>%s</sha1></sms>" % REPLY_SHA1.encode(),
        REPLY,
    ),
    ("call-form", FORM, b"phone=79991234567&ts=%d&sha1=%s" % (STAMP, CALL_SHA1.encode()), CALL),
    (
        "call-json",
        "application/json",
        b'{"phone": "79991234567", "ts": %d, "sha1": "%s"}' % (STAMP, CALL_SHA1.encode()),
        CALL,
    ),
    (
        "call-xml",
        "application/xml",
        b"<call><phone>79991234567</phone><ts>%d</ts><sha1>%s</sha1></call>"
        % (STAMP, CALL_SHA1.encode()),
        CALL,
    ),
]


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [b[1:] for b in BODIES],
    ids=[b[0] for b in BODIES],
)
def test_each_kind_in_each_body_format(content_type: str, body: bytes, expected: object) -> None:
    """A report, a reply and a call confirmation read alike from form, JSON and XML."""
    assert expected == parse_body(body, content_type, secret="zxc", algorithm="sha1")


@pytest.mark.parametrize(("fmt", "index"), [("3", 1), ("2", 2), ("", 0)])
def test_without_a_content_type_the_url_fmt_decides(fmt: str, index: int) -> None:
    """No content type: fmt=3 is JSON, fmt=2 XML, none form fields."""
    body = BODIES[index][2]
    query = {"fmt": fmt} if fmt else {}
    assert REPORT == parse_body(body, None, query=query, secret="zxc", algorithm="sha1")


def test_a_report_time_may_be_a_timestamp_or_a_date() -> None:
    """``ts`` (Unix) and ``time`` (dd.mm.yyyy, Moscow) give one aware datetime."""
    by_ts = parse({"id": "1", "phone": "7", "status": "1", "ts": str(STAMP)})
    by_time = parse({"id": "1", "phone": "7", "status": "1", "time": "07.12.2026 15:53:42"})
    assert isinstance(by_ts, DeliveryReport)
    assert isinstance(by_time, DeliveryReport)
    assert AT == by_ts.time == by_time.time
    assert by_ts.time is not None
    assert dt.timedelta(hours=3) == by_ts.time.utcoffset()


def test_a_report_with_both_times_keeps_ts_in_extra() -> None:
    """``time`` is the report's time; ``ts`` beside it stays in extra, not lost."""
    event = parse({"id": "1", "phone": "7", "status": "1", "time": "07.12.2026 15:53:42",
                   "ts": "1"})  # fmt: skip
    assert {"ts": "1"} == event.extra


def test_unknown_codes_are_kept_as_lenient_members() -> None:
    """A status or error code SMSC adds later still parses, equal to its number."""
    event = parse({"id": "1", "phone": "7", "status": "77", "err": "999"})
    assert isinstance(event, DeliveryReport)
    assert 77 == event.status
    assert 999 == event.err
    assert "UNKNOWN_77" == event.status.name


# --- charsets ------------------------------------------------------------------------------

CYRILLIC = "Привет, мир! Ёжик: да"


def _signed_reply(charset: str) -> dict[str, str]:
    text = f"79991234567:{CYRILLIC}:79001112233:zxc".encode(charset)
    return {
        "phone": "79991234567",
        "mes": CYRILLIC,
        "to": "79001112233",
        "sha1": hashlib.sha1(text).hexdigest(),  # noqa: S324
    }


def test_a_cp1251_form_is_the_default() -> None:
    """A form without a charset anywhere is windows-1251, signed in windows-1251."""
    body = urlencode(_signed_reply("cp1251"), encoding="cp1251").encode("ascii")
    event = parse_body(body, FORM, secret="zxc", algorithm="sha1")
    assert isinstance(event, IncomingMessage)
    assert CYRILLIC == event.message


def test_a_koi8r_form_named_by_the_url() -> None:
    """The URL's ``charset=koi8-r`` decodes a koi8-r form (percent-escaped)."""
    body = urlencode(_signed_reply("koi8-r"), encoding="koi8-r").encode("ascii")
    event = parse_body(body, FORM, query={"charset": "koi8-r"}, secret="zxc", algorithm="sha1")
    assert isinstance(event, IncomingMessage)
    assert CYRILLIC == event.message


def test_a_koi8r_form_with_raw_bytes_named_by_the_content_type() -> None:
    """Unescaped 8-bit text in a form body is read in the content type's charset."""
    fields = _signed_reply("koi8-r")
    body = "&".join(f"{k}={v}" for k, v in fields.items()).replace(" ", "+").encode("koi8-r")
    event = parse_body(body, f"{FORM}; charset=KOI8-R", secret="zxc", algorithm="sha1")
    assert isinstance(event, IncomingMessage)
    assert CYRILLIC == event.message


def test_the_content_type_charset_wins_over_the_url() -> None:
    """A charset in the content type beats the URL's."""
    body = urlencode(_signed_reply("utf-8")).encode("ascii")
    event = parse_body(body, f"{FORM}; charset=utf-8", query={"charset": "koi8-r"})
    assert isinstance(event, IncomingMessage)
    assert CYRILLIC == event.message


@pytest.mark.parametrize("charset", ["cp1251", "koi8-r", "utf-8"])
def test_cyrillic_json_and_xml_bodies(charset: str) -> None:
    """JSON and XML bodies in each charset read the same Cyrillic text."""
    fields = _signed_reply(charset)
    json_body = (
        f'{{"phone": "79991234567", "mes": "{CYRILLIC}", "to": "79001112233",'
        f' "sha1": "{fields["sha1"]}"}}'
    ).encode(charset)
    xml_body = (
        f'<?xml version="1.0" encoding="{charset}"?><sms><phone>79991234567</phone>'
        f"<mes>{CYRILLIC}</mes><to>79001112233</to><sha1>{fields['sha1']}</sha1></sms>"
    ).encode(charset)
    query = {"charset": charset}
    for body, content_type in ((json_body, "application/json"), (xml_body, "text/xml")):
        event = parse_body(body, content_type, query=query, secret="zxc", algorithm="sha1")
        assert isinstance(event, IncomingMessage)
        assert CYRILLIC == event.message


def test_a_utf8_signature_is_accepted_on_a_cp1251_body() -> None:
    """Assumption hedge: a signature over the UTF-8 text verifies too."""
    fields = {**_signed_reply("utf-8")}
    body = urlencode(fields, encoding="cp1251").encode("ascii")
    parse_body(body, FORM, secret="zxc", algorithm="sha1")


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"id": "1", "status": "1"}, "phone"),
        ({"phone": "7", "status": "1"}, "id"),
        ({"id": "1", "phone": "7", "status": ""}, "status"),
        ({"mes": "hi"}, "phone"),
        ({"phone": " ", "ts": "1"}, "phone"),
    ],
)
def test_a_missing_required_field(fields: dict[str, str], field: str) -> None:
    """A missing (or blank) required field raises CallbackError naming it."""
    with pytest.raises(CallbackError, match=f"no '{field}'") as caught:
        parse(fields)
    assert field == caught.value.field


@pytest.mark.parametrize(
    ("name", "value"),
    [("status", "delivered"), ("status", "1.5"), ("err", "x"), ("cnt", "two"), ("type", "-")],
)
def test_a_non_numeric_code(name: str, value: str) -> None:
    """A status (or err, cnt, type) that is not a number raises CallbackError."""
    fields = {"id": "1", "phone": "7", "status": "1", name: value}
    with pytest.raises(CallbackError, match="not a number") as caught:
        parse(fields)
    assert name == caught.value.field


@pytest.mark.parametrize(
    "value", ["yesterday", "31.02.2026 10:00:00", "07.12.2026", "-5", "999999999999"]
)
def test_a_bad_time(value: str) -> None:
    """A time that is neither a timestamp nor dd.mm.yyyy hh:mm:ss raises CallbackError."""
    with pytest.raises(CallbackError, match="not a time"):
        parse({"phone": "7", "ts": value})


def test_an_oversized_body_is_refused_unread() -> None:
    """A body over max_bytes raises CallbackError before anything is decoded."""
    body = b"phone=7&mes=" + b"x" * 100
    with pytest.raises(CallbackError, match="over 64 bytes"):
        parse_body(body, FORM, max_bytes=64)
    assert isinstance(parse_body(body, FORM, max_bytes=len(body)), IncomingMessage)


def test_the_default_limit_is_64_kib() -> None:
    """Without max_bytes a body of 64 KiB and one byte is refused."""
    with pytest.raises(CallbackError):
        parse_body(b"mes=" + b"x" * (64 * 1024), FORM)


@pytest.mark.parametrize(
    "fields", [{}, {"id": "1"}, {"phone": "7"}, {"id": "1", "phone": "7", "sha1": "x"}]
)
def test_an_unknown_kind(fields: dict[str, str]) -> None:
    """Fields that fit no kind of event raise CallbackError."""
    with pytest.raises(CallbackError, match="no known kind"):
        parse(fields)


def test_an_unknown_kind_is_checked_before_the_signature() -> None:
    """An unknown kind is a CallbackError, not a SignatureError, even with a secret."""
    with pytest.raises(CallbackError) as caught:
        parse({"foo": "bar"}, secret="zxc")
    assert not isinstance(caught.value, SignatureError)


@pytest.mark.parametrize(
    ("body", "content_type", "match"),
    [
        (b"{not json", "application/json", "not JSON"),
        (b"[1, 2]", "application/json", "not an object"),
        (b'{"phone": {"a": 1}, "ts": 1}', "application/json", "not text or a number"),
        (b"<sms><phone>7", "application/xml", "not .safe. XML"),
        (b"<sms><phone><x>7</x></phone></sms>", "application/xml", "not a leaf"),
        (
            b'<!DOCTYPE s [<!ENTITY a "aaaa">]><sms><phone>&a;</phone><ts>1</ts></sms>',
            "application/xml",
            "not .safe. XML",
        ),
        (b"phone=7&ts=1&phone=8", FORM, "appears twice"),
        (b'{"phone": "7", "ts": 1, "phone": "8"}', "application/json", "appears twice"),
        (b'{"phone": [], "ts": 1}', "application/json", "not text or a number"),
        (b"[[1, 2]]", "application/json", "not an object"),
        (b"[]", "application/json", "not an object"),
        (b"phone=%FF&ts=1", f"{FORM}; charset=utf-8", "not utf-8 text"),
        (b"\xff", "application/json; charset=utf-8", "not utf-8 text"),
        (b"phone=7&ts=1", f"{FORM}; charset=no-such-charset", "unknown charset"),
        (b"phone=7&ts=1", "multipart/form-data; boundary=x", "unsupported callback content"),
        (b"&".join(b"f%d=1" % i for i in range(300)), FORM, "over 200 fields"),
    ],
)
def test_an_undecodable_body(body: bytes, content_type: str, match: str) -> None:
    """A body not in its charset or shape raises CallbackError, never anything else."""
    with pytest.raises(CallbackError, match=match):
        parse_body(body, content_type)


def test_unknown_fields_are_kept_in_extra() -> None:
    """Every field an event does not model is kept as text; the signature is not."""
    fields = {"phone": "7", "mes": "hi", "new_field": "42", "flag": "", "md5": "x"}
    event = parse(fields)
    assert {"new_field": "42", "flag": ""} == event.extra


# --- dedupe keys ---------------------------------------------------------------------------


def test_dedupe_keys_are_stable_and_tell_events_apart() -> None:
    """The same event gives the same key; another status, time or kind another key."""
    later = AT + dt.timedelta(seconds=1)
    assert REPORT.dedupe_key == parse_body(BODIES[1][2], "application/json").dedupe_key
    keys = {
        REPORT.dedupe_key,
        DeliveryReport(id="17", phone="79991234567", status=MessageStatus.READ, time=AT).dedupe_key,
        DeliveryReport(id="17", phone="79991234567", status=REPORT.status, time=later).dedupe_key,
        REPLY.dedupe_key,
        IncomingMessage(phone="7", message="a").dedupe_key,
        IncomingMessage(phone="7", message="b").dedupe_key,
        CALL.dedupe_key,
        CallConfirmation(phone="79991234567", time=later).dedupe_key,
    }
    assert 8 == len(keys)
    assert "incoming:900" == REPLY.dedupe_key
    assert REPORT.dedupe_key.startswith("report:17:79991234567:1:")
