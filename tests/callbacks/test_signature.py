"""Callback signatures: the published vector, each algorithm, forged and missing ones."""

from __future__ import annotations

import hashlib
import zlib

import pytest

from smsc_async import SmscError
from smsc_async.callbacks import (
    CallbackError,
    CallConfirmation,
    DeliveryReport,
    IncomingMessage,
    SignatureError,
    parse,
    parse_body,
    render,
)

VECTOR = {"phone": "123", "mes": "text", "to": "234"}
VECTOR_SHA1 = "b6f768ce7614d7858cc4a6116f8ffd0dc236a3cd"
REPORT = {"id": "17", "phone": "79991234567", "status": "1"}
CALL = {"phone": "79991234567", "ts": "1796640822"}


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - SMSC's algorithm


def test_the_published_sha1_vector_verifies() -> None:
    """phone=123, mes=text, to=234 signed with secret zxc: the published sha1 is accepted."""
    event = parse({**VECTOR, "sha1": VECTOR_SHA1}, secret="zxc", algorithm="sha1")
    assert IncomingMessage(phone="123", message="text", to_phone="234") == event


def test_the_vector_in_capitals_verifies() -> None:
    """A signature in upper-case hex is the same signature."""
    parse({**VECTOR, "sha1": VECTOR_SHA1.upper()}, secret="zxc", algorithm="sha1")


def test_a_report_signs_id_phone_status() -> None:
    """A delivery report's md5 is of ``id:phone:status:secret``."""
    signature = _md5("17:79991234567:1:s3cret")
    event = parse({**REPORT, "md5": signature}, secret="s3cret")
    assert isinstance(event, DeliveryReport)
    assert "md5" not in event.extra


def test_a_call_confirmation_signs_phone_ts() -> None:
    """A call confirmation's md5 is of ``phone:ts:secret``."""
    signature = _md5("79991234567:1796640822:s3cret")
    assert isinstance(parse({**CALL, "md5": signature}, secret="s3cret"), CallConfirmation)


@pytest.mark.parametrize(
    ("fields", "algorithm"),
    [(VECTOR, "sha1"), (REPORT, "md5"), (CALL, "md5"), (REPORT, "sha1")],
)
def test_a_forged_signature_is_refused(fields: dict[str, str], algorithm: str) -> None:
    """A signature made with another secret raises SignatureError, quoting neither value."""
    forged = hashlib.new(algorithm, b"anything").hexdigest()
    with pytest.raises(SignatureError) as caught:
        parse({**fields, algorithm: forged}, secret="zxc", algorithm=algorithm)
    assert "zxc" not in str(caught.value)
    assert forged not in str(caught.value)
    assert algorithm == caught.value.field


def test_a_signature_for_other_fields_is_refused() -> None:
    """The vector's signature on a changed text (a tampered request) is refused."""
    with pytest.raises(SignatureError):
        parse({**VECTOR, "mes": "texT", "sha1": VECTOR_SHA1}, secret="zxc", algorithm="sha1")


@pytest.mark.parametrize("signature", [None, "", "   "])
def test_a_missing_signature_is_refused(signature: str | None) -> None:
    """With a secret configured, a request without its signature field is refused."""
    fields = dict(VECTOR) if signature is None else {**VECTOR, "sha1": signature}
    with pytest.raises(SignatureError, match="no sha1 signature"):
        parse(fields, secret="zxc", algorithm="sha1")


def test_a_signature_in_another_algorithm_field_is_refused() -> None:
    """A valid sha1 does not satisfy a handler configured for md5."""
    with pytest.raises(SignatureError):
        parse({**VECTOR, "sha1": VECTOR_SHA1}, secret="zxc", algorithm="md5")


def test_a_replayed_request_verifies_again_and_dedupes() -> None:
    """A replay still verifies (SMSC signs no nonce); equal events share one dedupe key."""
    fields = {**VECTOR, "sha1": VECTOR_SHA1, "sms_id": "900"}
    first = parse(fields, secret="zxc", algorithm="sha1")
    second = parse(dict(fields), secret="zxc", algorithm="sha1")
    assert first == second
    assert first.dedupe_key == second.dedupe_key


def test_without_a_secret_nothing_is_checked() -> None:
    """secret=None accepts any (or no) signature, and keeps it out of extra."""
    event = parse({**VECTOR, "sha1": "nonsense"})
    assert {} == event.extra


def test_crc32_is_refused_without_the_opt_in() -> None:
    """crc32 (a forgeable checksum) raises SignatureError unless allow_crc32=True."""
    signature = str(zlib.crc32(b"123:text:234:zxc"))
    with pytest.raises(SignatureError, match="allow_crc32"):
        parse({**VECTOR, "crc32": signature}, secret="zxc", algorithm="crc32")


@pytest.mark.parametrize("spelling", ["decimal", "hex"])
def test_crc32_with_the_opt_in(spelling: str) -> None:
    """With allow_crc32=True a crc32 signature (decimal or hex) is checked and accepted."""
    value = zlib.crc32(b"123:text:234:zxc")
    signature = str(value) if spelling == "decimal" else f"{value:08x}"
    fields = {**VECTOR, "crc32": signature}
    parse(fields, secret="zxc", algorithm="crc32", allow_crc32=True)
    with pytest.raises(SignatureError):
        parse({**fields, "crc32": "1"}, secret="zxc", algorithm="crc32", allow_crc32=True)


def test_an_unknown_algorithm_is_a_value_error() -> None:
    """An algorithm SMSC does not offer is a programming error."""
    with pytest.raises(ValueError, match="unknown signature algorithm"):
        parse(VECTOR, secret="zxc", algorithm="sha256")


def test_signature_errors_are_callback_errors_in_the_one_tree() -> None:
    """SignatureError ⊂ CallbackError ⊂ SmscError."""
    assert issubclass(SignatureError, CallbackError)
    assert issubclass(CallbackError, SmscError)


@pytest.mark.parametrize("algorithm", ["md5", "sha1", "crc32"])
def test_render_signs_what_parse_verifies(algorithm: str) -> None:
    """A rendered signed request verifies with the same secret, and not with another."""
    event = IncomingMessage(phone="123", message="Привет", to_phone="234")
    body, _ = render(event, secret="zxc", algorithm=algorithm)
    fields = dict(pair.split("=") for pair in body.decode().split("&"))
    assert algorithm in fields

    body, content_type = render(event, secret="zxc", algorithm=algorithm, charset="koi8-r")
    parse_body(body, content_type, secret="zxc", algorithm=algorithm, allow_crc32=True)
    with pytest.raises(SignatureError):
        parse_body(body, content_type, secret="zxd", algorithm=algorithm, allow_crc32=True)


def test_the_render_of_the_vector_is_the_vector() -> None:
    """render() writes the published sha1 for the published fields."""
    event = IncomingMessage(phone="123", message="text", to_phone="234")
    body, content_type = render(event, secret="zxc", algorithm="sha1")
    assert b"phone=123&mes=text&to=234&sha1=" + VECTOR_SHA1.encode() == body
    assert "application/x-www-form-urlencoded; charset=utf-8" == content_type
