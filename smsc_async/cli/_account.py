"""``smsc-async tariffs`` and ``smsc-async senders list|add``: reading and naming the account."""

from __future__ import annotations

from decimal import Decimal

import click
from rich.table import Table

from smsc_async import Sender, SmscClient, Tariffs
from smsc_async.cli._common import Account, account_options, out_console, print_json, run

__all__ = ["senders", "tariffs"]


def _money(value: Decimal | None) -> str:
    return "" if value is None else str(value)


@click.command()
@account_options
def tariffs(*, account: Account, as_json: bool) -> None:
    """The account's prices: per zone, per operator, and for e-mail."""

    async def work(smsc: SmscClient) -> Tariffs:
        return await smsc.tariffs.get()

    price = run(account, work)
    if as_json:
        print_json(price)
        return
    table = Table("zone", "name", "API", "mass", "MMS", "HLR", "call", title="Prices per zone")
    for zone in price.zones:
        table.add_row(
            zone.zone,
            zone.name,
            *(_money(v) for v in (zone.api, zone.mass, zone.mms, zone.hlr, zone.call)),
        )
    console = out_console()
    console.print(table)
    if price.codes:
        codes = Table("mccmnc", "cost", title="Individual prices per operator")
        for code in price.codes:
            codes.add_row(code.mccmnc, str(code.cost))
        console.print(codes)
    if price.mail is not None:
        console.print(f"E-mail: {price.mail}")


@click.group()
def senders() -> None:
    """Sender names (Sender IDs) of the account or of a subclient."""


@senders.command("list")
@account_options
@click.option("--all", "every", is_flag=True, help="Every name, not only activated ones.")
@click.option("--user", default=None, help="Act for this subclient (its login).")
def list_senders(*, account: Account, as_json: bool, every: bool, user: str | None) -> None:
    """List sender names, every page of them."""

    async def work(smsc: SmscClient) -> list[Sender]:
        return [s async for s in smsc.senders.iterate(all=every, user=user)]

    names = run(account, work)
    if as_json:
        print_json(names)
        return
    table = Table("id", "sender", "status", title=f"{len(names)} sender names")
    for name in names:
        status = "" if name.status is None else name.status.name.lower().replace("_", " ")
        table.add_row(str(name.id), name.sender, status)
    out_console().print(table)


@senders.command("add")
@account_options
@click.argument("name")
@click.option("--comment", default=None, help="A comment on the name.")
@click.option("--user", default=None, help="Act for this subclient (its login).")
def add_sender(
    *, account: Account, as_json: bool, name: str, comment: str | None, user: str | None
) -> None:
    """Create the sender name NAME (SMSC takes 5 creations a minute)."""

    async def work(smsc: SmscClient) -> int:
        return await smsc.senders.add(name, comment=comment, user=user)

    new_id = run(account, work)
    if as_json:
        print_json({"sender": name, "id": new_id})
    else:
        click.echo(f"created sender name {name!r}: id {new_id}")
