"""``smsc-async contacts import FILE`` and ``contacts export``: the address books in bulk.

The export writes the columns the import reads, so a book can be copied from one account
to another (``export`` > file, then ``import`` file).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click

from smsc_async import Contact, SmscClient, bulk
from smsc_async.cli._common import (
    Account,
    UserError,
    account_options,
    err_console,
    jsonable,
    run,
)
from smsc_async.cli._jobs import (
    Record,
    finish,
    prepare_report,
    read_records,
    report_option,
    split_list,
    watch,
)
from smsc_async.resources import ContactsResource

__all__ = ["contacts"]

# The columns of an export, in order; an import reads each of them.
COLUMNS = (
    "addresses",
    "name",
    "groups",
    "first_name",
    "last_name",
    "middle_name",
    "birthday",
    "comment",
    "tags",
    "other_addresses",
    "id",
)
_TEXT = ("name", "first_name", "last_name", "middle_name", "myid", "comment", "tags")
# An export's "id" is the contact's client id (myid; seed 004), which an import gives back as
# myid; "int_id" is the server's own (a new one is given on import) and "extra" holds the
# fields this SDK does not know, which the server would not take back: both are ignored.
_IGNORED = ("int_id", "extra")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _book(smsc: SmscClient, mail: bool) -> ContactsResource:  # noqa: FBT001
    return smsc.mail_contacts if mail else smsc.contacts


def _group(value: object) -> object:
    """A group id as a number; anything else as it is, for the SDK's check to name."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def contact_fields(record: Record, *, mail: bool) -> dict[str, Any]:
    """The keyword arguments of ``contacts.add`` a record describes.

    Values are checked by ``add`` itself, item by item.

    Raises:
        UserError: An unknown field, or no addresses.
    """
    alias = "emails" if mail else "phones"
    record.check_keys((*COLUMNS, alias, "myid", *_IGNORED), ())
    fields = dict(record.fields)
    if alias in fields:
        if "addresses" in fields:
            raise record.fail(f"give 'addresses' or {alias!r}, not both")
        fields["addresses"] = fields.pop(alias)
    if not fields.get("addresses"):
        raise record.fail(f"'addresses' (or {alias!r}) is missing")
    made: dict[str, Any] = {
        "addresses": [str(a) for a in split_list(fields["addresses"])],
        **{k: str(fields[k]) for k in _TEXT if k in fields},
    }
    if fields.get("id") not in (None, "") and "myid" not in fields:
        made["myid"] = str(fields["id"])
    if "groups" in fields:
        made["groups"] = [_group(g) for g in split_list(fields["groups"])]
    if "other_addresses" in fields:
        made["other_addresses"] = [str(a) for a in split_list(fields["other_addresses"])]
    if "birthday" in fields:
        day = str(fields["birthday"])
        made["birthday"] = dt.date.fromisoformat(day) if _ISO_DATE.fullmatch(day) else day
    return made


@click.group()
def contacts() -> None:
    """The phone book (or, with --mail, the e-mail book)."""


_mail_option = click.option(
    "--mail", is_flag=True, help="The e-mail book (mails.php) instead of the phone book."
)


@contacts.command("import")
@account_options
@_mail_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@report_option
def import_contacts(
    *, account: Account, as_json: bool, mail: bool, file: Path, report: Path | None
) -> None:
    """Add the contacts listed in FILE (.csv or .json), concurrently.

    Columns (or keys): addresses (or phones / emails), name, groups (group ids),
    first_name, last_name, middle_name, birthday (dd.mm.yyyy or yyyy-mm-dd), myid,
    comment, tags, other_addresses; several values in a CSV cell are separated by ';'.
    An "id" column (as exported: the client's id) is read as myid; "int_id" is ignored:
    the server gives each contact a new one.
    The report lists every contact: done with its id, failed with the reason, or maybe
    applied (its answer was lost: it may have been added; exit 3).
    """
    items = [contact_fields(record, mail=mail) for record in read_records(file)]
    out = prepare_report(file, report)

    def name(fields: dict[str, Any]) -> str:
        return ";".join(fields["addresses"])

    async def work(smsc: SmscClient) -> tuple[bulk.BulkReport[Any, int], dict[str, Any]]:
        book = _book(smsc, mail)

        async def add(fields: dict[str, Any], steps: list[str]) -> int:
            new_id = await book.add(**fields)
            steps.append("add")
            return new_id

        return await watch(
            lambda hook: bulk.run(items, add, on_progress=hook),
            total=len(items),
            what="importing",
            report=out,
            name=name,
        )

    finish(*run(account, work), out, as_json=as_json)


def _row(contact: Contact) -> dict[str, str]:
    birthday = contact.birthday.strftime("%d.%m.%Y") if contact.birthday else ""
    return {
        "addresses": ";".join(contact.addresses),
        "name": contact.name or "",
        "groups": ";".join(str(g) for g in contact.groups),
        "first_name": contact.first_name or "",
        "last_name": contact.last_name or "",
        "middle_name": contact.middle_name or "",
        "birthday": birthday,
        "comment": contact.comment or "",
        "tags": contact.tags or "",
        "other_addresses": ";".join(contact.other_addresses),
        "id": contact.id or "",
    }


def _writer(
    stream: IO[str],
    as_json: bool,  # noqa: FBT001
) -> tuple[Callable[[Contact], None], Callable[[], None]]:
    """Write one contact at a time (a book of any size is never held whole), then close."""
    if as_json:
        first = [True]

        def write_json(contact: Contact) -> None:
            stream.write(("[\n" if first[0] else ",\n") + json.dumps(jsonable(contact)))
            first[0] = False

        def close_json() -> None:
            stream.write("[]\n" if first[0] else "\n]\n")

        return write_json, close_json
    table = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
    table.writeheader()

    def write_row(contact: Contact) -> None:
        table.writerow(_row(contact))

    return write_row, lambda: None


@contextmanager
def _opened(output: Path | None) -> Iterator[IO[str]]:
    """Standard output, or ``output`` opened for writing.

    Raises:
        UserError: ``output`` cannot be written.
    """
    if output is None:
        yield sys.stdout
        return
    try:
        stream = output.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise UserError(f"{output}: cannot write there ({exc.strerror})") from None
    with stream:
        yield stream


@contacts.command("export")
@account_options
@_mail_option
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write to this file [default: standard output].",
)
@click.option("--group", "groups", type=int, multiple=True, help="Only this group (repeatable).")
@click.option("--search", default=None, help="Only contacts whose name or number matches.")
def export_contacts(
    *,
    account: Account,
    as_json: bool,
    mail: bool,
    output: Path | None,
    groups: tuple[int, ...],
    search: str | None,
) -> None:
    """Write the book's contacts as CSV (the columns import reads), or JSON with --json.

    Contacts are fetched a page (1000) at a time and written as they come.
    """

    async def work(smsc: SmscClient) -> int:
        # Checked (and refused) before anything is sent or any file is written.
        contacts = _book(smsc, mail).iterate(groups=groups or None, search=search)
        count = 0
        with _opened(output) as stream:
            write, close = _writer(stream, as_json)
            async for contact in contacts:
                write(contact)
                count += 1
            close()
        return count

    count = run(account, work)
    if output is not None:
        err_console().print(f"exported {count} contacts to {output}")
