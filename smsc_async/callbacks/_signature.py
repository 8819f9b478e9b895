"""Callback signatures: what SMSC signs for each kind of event, and the check.

Assumption: the strings signed are the ones two independent public libraries compute
(the issue's sources): a status report ``"{id}:{phone}:{status}:{secret}"``, an incoming
message ``"{phone}:{mes}:{to}:{secret}"``, a call confirmation ``"{phone}:{ts}:{secret}"``
(one library only, and with md5; we take the configured algorithm for it too).
"""

from __future__ import annotations

import hashlib
import hmac
import zlib
from collections.abc import Mapping

from smsc_async.errors import SignatureError

__all__ = [
    "ALGORITHMS",
    "SIGNATURE_FIELDS",
    "check_algorithm",
    "digests",
    "sign",
    "signed_text",
    "verify",
]

# Assumption: the signature travels in the field named after the algorithm the handler
# URL asked for (``sha1=...``), as the published test vector's request carries it.
ALGORITHMS = ("md5", "sha1", "crc32")
SIGNATURE_FIELDS = frozenset(ALGORITHMS)


def check_algorithm(algorithm: str, *, allow_crc32: bool) -> None:
    """Refuse an unknown algorithm (``ValueError``) or crc32 without the opt-in.

    Raises:
        ValueError: ``algorithm`` is none of md5, sha1, crc32.
        SignatureError: crc32 was asked for without ``allow_crc32=True``.
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown signature algorithm {algorithm!r}: use md5 or sha1")
    if algorithm == "crc32" and not allow_crc32:
        # A 32-bit checksum is forged in seconds; accept it only when asked to.
        raise SignatureError("crc32 signatures are refused unless allow_crc32=True")


def signed_text(kind: str, fields: Mapping[str, str], secret: str) -> str:
    """The text signed for an event of ``kind`` (``report``, ``incoming``, ``call``)."""
    get = fields.get
    if kind == "report":
        return f"{get('id', '')}:{get('phone', '')}:{get('status', '')}:{secret}"
    if kind == "incoming":
        return f"{get('phone', '')}:{get('mes', '')}:{get('to', '')}:{secret}"
    # Assumption: a call confirmation without ``ts`` signs its ``time`` in that place.
    ts = get("ts") if "ts" in fields else get("time", "")
    return f"{get('phone', '')}:{ts}:{secret}"


def digests(algorithm: str, data: bytes) -> tuple[str, ...]:
    """Every accepted spelling of ``data``'s digest (lower-case hex; crc32 two ways)."""
    if algorithm == "md5":
        return (hashlib.md5(data, usedforsecurity=False).hexdigest(),)
    if algorithm == "sha1":
        return (hashlib.sha1(data, usedforsecurity=False).hexdigest(),)
    value = zlib.crc32(data)
    # Assumption: PHP's crc32() gives an unsigned decimal number; hash("crc32b") gives
    # eight hex digits. Either is accepted; sign() writes the decimal one.
    return (str(value), f"{value:08x}")


def sign(kind: str, fields: Mapping[str, str], secret: str, algorithm: str, charset: str) -> str:
    """The signature of an event's fields, as SMSC would send it.

    Assumption: the signed text is hashed as bytes in the callback's charset.
    """
    return digests(algorithm, signed_text(kind, fields, secret).encode(charset))[0]


def verify(
    kind: str,
    fields: Mapping[str, str],
    secret: str,
    algorithm: str,
    charsets: tuple[str, ...],
) -> None:
    """Check the signature field against every accepted digest, in constant time.

    Raises:
        SignatureError: The field is missing or matches none. The message quotes neither
            the secret nor the signature.
    """
    given = fields.get(algorithm)
    if given is None or not given.strip():
        raise SignatureError(f"the callback carries no {algorithm} signature", field=algorithm)
    presented = given.strip().lower().encode("ascii", "replace")
    text = signed_text(kind, fields, secret)
    matched = False
    for charset in dict.fromkeys(charsets):  # each once, in order
        try:
            data = text.encode(charset)
        except UnicodeEncodeError:
            continue
        for expected in digests(algorithm, data):
            # No early exit: every candidate is compared, each in constant time.
            matched |= hmac.compare_digest(presented, expected.encode("ascii"))
    if not matched:
        raise SignatureError(f"the callback's {algorithm} signature is wrong", field=algorithm)
