"""Per-family namespaces of :class:`~smsc_async.SmscClient`: methods are SMSC commands.

Each family's module (its commands, models and decoders' shapes) loads on first use, so a
client pays only for the families it calls.
"""

from typing import TYPE_CHECKING

from smsc_async import _lazy
from smsc_async.resources._base import Resource

if TYPE_CHECKING:
    from smsc_async.resources.balance import BalanceResource
    from smsc_async.resources.blacklist import BlacklistResource
    from smsc_async.resources.contacts import ContactsResource
    from smsc_async.resources.groups import GroupsResource
    from smsc_async.resources.history import HistoryResource
    from smsc_async.resources.inbox import InboxResource
    from smsc_async.resources.mailings import MailingsResource
    from smsc_async.resources.messages import MessagesResource
    from smsc_async.resources.op_templates import OpTemplatesResource
    from smsc_async.resources.operators import OperatorsResource
    from smsc_async.resources.senders import SendersResource
    from smsc_async.resources.stats import StatsResource
    from smsc_async.resources.subclients import SubclientsResource
    from smsc_async.resources.tariffs import TariffsResource
    from smsc_async.resources.templates import TemplatesResource

__all__ = [
    "BalanceResource",
    "BlacklistResource",
    "ContactsResource",
    "GroupsResource",
    "HistoryResource",
    "InboxResource",
    "MailingsResource",
    "MessagesResource",
    "OpTemplatesResource",
    "OperatorsResource",
    "Resource",
    "SendersResource",
    "StatsResource",
    "SubclientsResource",
    "TariffsResource",
    "TemplatesResource",
]

# Each family's class, by the module it lives in.
_LAZY = {
    "BalanceResource": "balance",
    "BlacklistResource": "blacklist",
    "ContactsResource": "contacts",
    "GroupsResource": "groups",
    "HistoryResource": "history",
    "InboxResource": "inbox",
    "MailingsResource": "mailings",
    "MessagesResource": "messages",
    "OpTemplatesResource": "op_templates",
    "OperatorsResource": "operators",
    "SendersResource": "senders",
    "StatsResource": "stats",
    "SubclientsResource": "subclients",
    "TariffsResource": "tariffs",
    "TemplatesResource": "templates",
}

if not TYPE_CHECKING:
    __getattr__, __dir__ = _lazy.attach(
        __name__,
        lambda name: f"{__name__}.{_LAZY[name]}" if name in _LAZY else None,
        __all__,
    )
