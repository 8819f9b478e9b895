"""Per-family namespaces of :class:`~smsc_async.SmscClient`: methods are SMSC commands."""

from smsc_async.resources._base import Resource
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
