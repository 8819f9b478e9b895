"""Bad arguments to ``smsc.messages`` raise ValidationError naming every field, before sending."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import respx

from smsc_async import (
    Attachment,
    CallSettings,
    MessageType,
    SmscClient,
    ValidationError,
)
from tests._support import make_client, posted_form, reply

PHONE = "79991234567"
Call = Callable[[SmscClient], Awaitable[object]]


def send(*args: Any, **kwargs: Any) -> Call:
    """``smsc.messages.send(...)``, later."""
    return lambda smsc: smsc.messages.send(*args, **kwargs)


CASES: dict[str, tuple[Call, tuple[str, ...]]] = {
    # text
    "empty-text": (send(PHONE, ""), ("text",)),
    "blank-text": (send(PHONE, "   "), ("text",)),
    "text-over-1000": (send(PHONE, "x" * 1001), ("text",)),
    "no-text": (send(PHONE), ("text",)),
    "text-for-hlr": (send(PHONE, "Hi", kind=MessageType.HLR), ("text",)),
    "text-not-hex-for-bin": (send(PHONE, "xyz", kind=MessageType.BIN), ("text",)),
    "text-not-str": (send(PHONE, 42), ("text",)),
    # phones
    "short-phone": (send("123", "Hi"), ("phones",)),
    "letters": (send("call me", "Hi"), ("phones",)),
    "no-phones": (send([], "Hi"), ("phones",)),
    "none-in-phones": (send([PHONE, None], "Hi"), ("phones",)),
    "email-for-sms": (send("a@example.com", "Hi"), ("phones",)),
    "phone-for-mail": (
        send(PHONE, "Hi", kind=MessageType.MAIL, sender="s@example.com", subject="S"),
        ("phones",),
    ),
    # id
    "id-zero": (send(PHONE, "Hi", id=0), ("id",)),
    "id-over-32-bits": (send(PHONE, "Hi", id=2**31), ("id",)),
    "id-bad-characters": (send(PHONE, "Hi", id="order 17!"), ("id",)),
    "id-too-long": (send(PHONE, "Hi", id="x" * 41), ("id",)),
    "id-bool": (send(PHONE, "Hi", id=True), ("id",)),
    "id-float": (send(PHONE, "Hi", id=1.5), ("id",)),
    # time, tz
    "time-unknown-form": (send(PHONE, "Hi", time="tomorrow"), ("time",)),
    "time-not-a-date": (send(PHONE, "Hi", time="32.01.26 10:00"), ("time",)),
    "time-digits-not-a-date": (send(PHONE, "Hi", time="3201261000"), ("time",)),
    "time-hours-backwards": (send(PHONE, "Hi", time="18-9"), ("time",)),
    "time-hours-past-24": (send(PHONE, "Hi", time="20-25"), ("time",)),
    "time-zero-delay": (send(PHONE, "Hi", time=dt.timedelta(0)), ("time",)),
    "time-delay-seconds": (send(PHONE, "Hi", time=dt.timedelta(seconds=90)), ("time",)),
    "time-int": (send(PHONE, "Hi", time=12345), ("time",)),
    "tz-too-far-east": (send(PHONE, "Hi", tz=12), ("tz",)),
    "tz-too-far-west": (send(PHONE, "Hi", tz=-16), ("tz",)),
    # period, freq, valid
    "period-too-short": (send(PHONE, "Hi", period=0.05), ("period",)),
    "period-too-long": (send(PHONE, "Hi", period=721), ("period",)),
    "period-text": (send(PHONE, "Hi", period="1"), ("period",)),
    "freq-without-period": (send(PHONE, "Hi", freq=10), ("freq",)),
    "freq-zero": (send(PHONE, "Hi", period=1, freq=0), ("freq",)),
    "freq-over-a-day": (send(PHONE, "Hi", period=1, freq=1441), ("freq",)),
    "valid-zero-hours": (send(PHONE, "Hi", valid=0), ("valid",)),
    "valid-25-hours": (send(PHONE, "Hi", valid=25), ("valid",)),
    "valid-past-24-00": (send(PHONE, "Hi", valid="24:01"), ("valid",)),
    "valid-00-00": (send(PHONE, "Hi", valid="00:00"), ("valid",)),
    "valid-60-minutes": (send(PHONE, "Hi", valid="01:60"), ("valid",)),
    "valid-seconds": (send(PHONE, "Hi", valid=dt.timedelta(seconds=30)), ("valid",)),
    "valid-over-a-day": (send(PHONE, "Hi", valid=dt.timedelta(hours=25)), ("valid",)),
    "valid-words": (send(PHONE, "Hi", valid="a day"), ("valid",)),
    "valid-bool": (send(PHONE, "Hi", valid=True), ("valid",)),
    # content
    "maxsms-zero": (send(PHONE, "Hi", maxsms=0), ("maxsms",)),
    "translit-3": (send(PHONE, "Hi", translit=3), ("translit",)),
    "sender-too-long": (send(PHONE, "Hi", sender="A" * 12), ("sender",)),
    "mail-without-sender": (
        send("a@example.com", "Hi", kind=MessageType.MAIL, subject="S"),
        ("sender",),
    ),
    "mail-sender-not-an-address": (
        send("a@example.com", "Hi", kind=MessageType.MAIL, sender="Shop", subject="S"),
        ("sender",),
    ),
    "mail-without-subject": (
        send("a@example.com", "Hi", kind=MessageType.MAIL, sender="s@example.com"),
        ("subject",),
    ),
    "subject-for-sms": (send(PHONE, "Hi", subject="S"), ("subject",)),
    "attachment-for-sms": (
        send(PHONE, "Hi", attachments=[Attachment("a.jpg", b"x")]),
        ("attachments",),
    ),
    "empty-attachment": (
        send(PHONE, "Hi", kind=MessageType.MMS, attachments=[Attachment("a.jpg", b"")]),
        ("attachments[0]",),
    ),
    "fileurl-not-http": (send(PHONE, "Hi", fileurl="ftp://example.com/a.jpg"), ("fileurl",)),
    "voice-for-sms": (send(PHONE, "Hi", voice="w"), ("voice",)),
    "unknown-voice": (send(PHONE, "Hi", kind=MessageType.CALL, voice="robot"), ("voice",)),
    "call-settings-out-of-range": (
        send(PHONE, "Hi", kind=MessageType.CALL, call=CallSettings(100, 5, 10)),
        ("call.wait", "call.interval", "call.attempts"),
    ),
    "unknown-kind": (send(PHONE, "Hi", kind=99), ("kind",)),
    "params-set-id": (send(PHONE, "Hi", params={"id": "1"}), ("params",)),
    "params-set-a-flag": (
        send(PHONE, "Hi", kind=MessageType.FLASH, params={"flash": "0"}),
        ("params",),
    ),
    "params-not-text": (send(PHONE, "Hi", params={"pp": 1}), ("params",)),
    "every-bad-field": (
        send("123", "", id=0, time="soon", valid=30, maxsms=0),
        ("phones", "text", "id", "time", "valid", "maxsms"),
    ),
    # send_list
    "list-empty": (lambda s: s.messages.send_list({}), ("messages",)),
    "list-a-string": (lambda s: s.messages.send_list("7999:Hi"), ("messages",)),  # type: ignore[arg-type]
    "list-line-break": (lambda s: s.messages.send_list({PHONE: "a\nb"}), ("messages[0]",)),
    "list-bad-phone": (lambda s: s.messages.send_list([("123", "Hi")]), ("messages[0]",)),
    "list-not-pairs": (lambda s: s.messages.send_list([(PHONE,)]), ("messages[0]",)),  # type: ignore[list-item]
    "list-empty-text": (lambda s: s.messages.send_list({PHONE: ""}), ("messages[0]",)),
    "list-of-hlr": (
        lambda s: s.messages.send_list({PHONE: "Hi"}, kind=MessageType.HLR),
        ("kind",),
    ),
    # cost
    "cost-empty-text": (lambda s: s.messages.cost(PHONE, ""), ("text",)),
    "cost-bad-phone": (lambda s: s.messages.cost("1", "Hi"), ("phones",)),
    # status, status_many, delete
    "status-bad-phone": (lambda s: s.messages.status("nobody", 1), ("phone",)),
    "status-bad-id": (lambda s: s.messages.status(PHONE, -1), ("id",)),
    "status-detail-3": (lambda s: s.messages.status(PHONE, 1, detail=3), ("detail",)),
    "status-many-empty": (lambda s: s.messages.status_many([]), ("messages",)),
    "status-many-a-string": (lambda s: s.messages.status_many("7999,1"), ("messages",)),  # type: ignore[arg-type]
    "status-many-bad-pair": (
        lambda s: s.messages.status_many([(PHONE, 1), ("bad", 2), (PHONE,)]),  # type: ignore[list-item]
        ("messages[1]", "messages[2]"),
    ),
    "delete-bad-id": (lambda s: s.messages.delete(PHONE, "a b"), ("id",)),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_bad_arguments_are_refused_before_sending(
    router: respx.MockRouter, case: str
) -> None:
    """The call raises ValidationError naming exactly the bad fields; nothing is posted."""
    call, fields = CASES[case]
    routes = [
        router.post(script).mock(return_value=reply("{}")) for script in ("send.php", "status.php")
    ]
    async with make_client() as smsc:
        with pytest.raises(ValidationError) as caught:
            await call(smsc)
    assert fields == caught.value.fields
    assert [False, False] == [route.called for route in routes]


async def test_a_refused_send_uses_up_no_id(router: respx.MockRouter) -> None:
    """Ids are assigned after the checks: the send after a refused one gets the next id."""
    route = router.post("send.php").mock(return_value=reply('{"id": 1, "cnt": 1}'))
    async with make_client() as smsc:
        await smsc.messages.send(PHONE, "a")
        with pytest.raises(ValidationError):
            await smsc.messages.send(PHONE, "")
        await smsc.messages.send(PHONE, "b")
    first, second = (int(posted_form(call.request)["id"]) for call in route.calls)
    assert first + 1 == second
