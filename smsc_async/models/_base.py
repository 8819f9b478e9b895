"""Building blocks shared by the model modules: lenient enums and field markers.

Models are plain frozen attrs classes; how each wire format fills them is the business of
``smsc_async.formats``. The markers here are metadata the converters read, not behaviour.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["FLATTEN", "LenientIntEnum", "LenientStrEnum", "extra_field"]

FLATTEN: Mapping[str, Any] = {"smsc_flatten": True}
"""Field metadata: this nested model's fields sit beside the parent's on the wire."""


def extra_field() -> Any:
    """The ``extra`` field of a model: wire keys the model does not know, as strings.

    A new server field therefore never breaks a call, and nothing the server says is lost.
    It takes part in equality but not in hashing (a mapping is not hashable).
    """
    return attrs.field(factory=dict, hash=False, kw_only=True)


class LenientIntEnum(enum.IntEnum):
    """An ``IntEnum`` that keeps codes it does not know instead of failing.

    SMSC adds status codes over time; an unknown code becomes a pseudo-member named
    ``UNKNOWN_<code>`` that still compares equal to its integer.
    """

    @classmethod
    def _missing_(cls, value: object) -> LenientIntEnum | None:
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        member = int.__new__(cls, value)
        member._name_ = f"UNKNOWN_{value}"
        member._value_ = value
        return member


class LenientStrEnum(str, enum.Enum):
    """A ``str`` enum that keeps values it does not know instead of failing.

    For the documented lists of words (message formats, ...): an unknown word becomes a
    pseudo-member named ``UNKNOWN_<value>`` that still compares equal to its string.
    """

    @classmethod
    def _missing_(cls, value: object) -> LenientStrEnum | None:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = f"UNKNOWN_{value}"
        member._value_ = value
        return member
