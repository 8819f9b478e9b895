"""Per-family namespaces of :class:`~smsc_async.SmscClient`: methods are SMSC commands."""

from smsc_async.resources._base import Resource
from smsc_async.resources.op_templates import OpTemplatesResource
from smsc_async.resources.senders import SendersResource
from smsc_async.resources.subclients import SubclientsResource
from smsc_async.resources.tariffs import TariffsResource

__all__ = [
    "OpTemplatesResource",
    "Resource",
    "SendersResource",
    "SubclientsResource",
    "TariffsResource",
]
