"""Where each field of ``send.php`` and ``status.php`` replies sits in each format (§2.2, §3.2).

fmt=1 status rows have no keys and their layout depends on the row itself (an HLR request's
row is 8 columns longer than an SMS's), so the rows carry a chooser, as SMSC's official
libraries do the same reading.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from smsc_async._types import Format, Params
from smsc_async.formats import Column, Items, LineStyle, Row, Single

__all__ = ["STATUS_MANY_ROW", "STATUS_ROW", "sent_shape"]

_Chooser = Callable[[Sequence[str], Params], tuple[Column, ...]]

# Assumption (spec §2.2 gives no sample): per-phone details (op=1, err=1) are an array
# "phones" of {phone, mccmnc, cost, status, error} in fmt=3, elements of <phones> in fmt=2,
# and in fmt=0/1 one line per phone after the reply's own line, in that key order.
_PHONE = Row((Column("phone"), Column("mccmnc"), Column("cost"), Column("status"), Column("error")))
_PHONES = Items("phones", _PHONE)


def sent_shape(*columns: str) -> Single:
    """A send reply with these fmt=1 columns, and per-phone details after it."""
    # fmt=0: "OK - 2 SMS, ID - 279[, COST - 4.48][, BALANCE - 100.50]" (spec §2.2).
    row = Row(
        tuple(Column(name) for name in columns),
        renames={Format.LINES: {"ok": "cnt"}},
        lines=LineStyle.LABELS,
    )
    return Single(row, items=_PHONES)


# "More than 1 identical send a minute" (spec §8). Every send carries an id, most of them
_HLR = ("imsi", "msc", "mcc", "mnc", "cn", "net", "rcn", "rnet")
_LOCATION = ("country", "operator", "region")


def _status_columns(detail: int, *, hlr: bool, many: bool) -> tuple[Column, ...]:
    """The fmt=1 columns of one status row (spec §3.2, from SMSC's official libraries)."""
    names = ["status", "last_timestamp", "err", *(_HLR if hlr else ())]
    if detail:
        names += ["send_timestamp", "phone", *(_LOCATION if detail > 1 else ())]
        names += ["cost", "sender_id", "status_name", "message"]
    # Assumption: several messages' rows end with their id (and phone, for all=0).
    names += (["id", "phone"] if detail == 0 else ["id"]) if many else []
    return tuple(Column(n, free_text=n == "message") for n in names)


_NOT_FOUND = (Column("status"),)
_NOT_FOUND_MANY = (Column("status"), Column("id"), Column("phone"))


def _status_chooser(*, many: bool) -> _Chooser:
    layouts = {
        (detail, hlr): _status_columns(detail, hlr=hlr, many=many)
        for detail in (0, 1, 2)
        for hlr in (False, True)
    }

    def choose(cells: Sequence[str], params: Params) -> tuple[Column, ...]:
        detail = {"1": 1, "2": 2}.get(params.get("all", ""), 0)
        if cells[0].strip() == "-3" and len(cells) == (3 if many else 1):
            # Assumption: a message SMSC does not know has its status only (and, in a reply
            # about several, its id and phone), as the recorded fmt=3 row has.
            return _NOT_FOUND_MANY if many else _NOT_FOUND
        if detail == 0:
            # No free text: an HLR row is the one 8 columns longer. A single SMS status may
            # also come without err (the docs' own example is "1,1286524541").
            sms = layouts[0, False]
            if len(cells) == len(sms) + len(_HLR):
                return layouts[0, True]
            if not many and len(cells) == len(sms) - 1:
                return sms[:2]
            return sms
        # The message text may hold commas: like SMSC's libraries, tell an HLR row by the
        # sender column, which reads "HLR", where it sits in an HLR row.
        hlr = layouts[detail, True]
        where = [c.name for c in hlr].index("sender_id")
        is_hlr = len(cells) >= len(hlr) and cells[where] == "HLR"
        return hlr if is_hlr else layouts[detail, False]

    return choose


_STATUS_NAMES = tuple(
    Column(n, free_text=n == "message")
    for n in (
        "status",
        "last_date",
        "last_timestamp",
        "err",
        *_HLR,
        "send_date",
        "send_timestamp",
        "phone",
        *_LOCATION,
        "cost",
        "sender_id",
        "status_name",
        "message",
        "id",
    )
)
# fmt=0 says "Status = 1, check_time = 10.10.2010 10:10:10" (spec §3.2).
_STATUS_RENAMES = {Format.LINES: {"check_time": "last_date"}}
STATUS_ROW = Row(_STATUS_NAMES, _STATUS_RENAMES, choose=_status_chooser(many=False))
STATUS_MANY_ROW = Row(_STATUS_NAMES, _STATUS_RENAMES, choose=_status_chooser(many=True))
