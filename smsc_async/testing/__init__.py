"""Testing tools that ship with smsc_async: the SMSC emulator and its reply renderers.

The emulator needs the ``emulator`` extra (``pip install 'smsc_async[emulator]'``)::

    from smsc_async.testing import Emulator

    emulator = Emulator(minute=1.0, latency=0.05)      # a compressed minute, 50 ms per call
    async with emulator.client() as smsc:
        await smsc.tariffs.get()
    emulator.violations                                 # every error 9 the rules caused
"""

from smsc_async.testing._render import (
    render_blacklist,
    render_contacts,
    render_created_id,
    render_error,
    render_groups,
    render_ok,
    render_op_templates,
    render_sender_id,
    render_senders,
    render_subclient_day_stats,
    render_subclient_id,
    render_subclient_stats,
    render_tariffs,
)
from smsc_async.testing._render_messages import (
    render_balance,
    render_price,
    render_sent,
    render_statuses,
    status_fields,
)

try:
    from smsc_async.testing._emulator import (
        DEFAULT_APIKEY,
        DEFAULT_LOGIN,
        DEFAULT_PASSWORD,
        Account,
        Emulator,
        Exchange,
    )
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "smsc_async.testing needs the emulator extra: pip install 'smsc_async[emulator]'"
    ) from exc
from smsc_async.testing._callbacks import CallbackAttempt, CallbackDelivery, CallbackSender
from smsc_async.testing._calls import Call, Refusal, Upload
from smsc_async.testing._faults import ConnectionResetByEmulator, Faults
from smsc_async.testing._messages import MessagesFamily
from smsc_async.testing._outbox import InboxEntry, Outbox, OutboxEntry
from smsc_async.testing._rules import Ban, RuleBook, ServerRule, Violation, Window
from smsc_async.testing._serve import serve, serving, serving_in_thread
from smsc_async.testing._transport import EmulatorTransport

__all__ = [
    "DEFAULT_APIKEY",
    "DEFAULT_LOGIN",
    "DEFAULT_PASSWORD",
    "Account",
    "Ban",
    "Call",
    "CallbackAttempt",
    "CallbackDelivery",
    "CallbackSender",
    "ConnectionResetByEmulator",
    "Emulator",
    "EmulatorTransport",
    "Exchange",
    "Faults",
    "InboxEntry",
    "MessagesFamily",
    "Outbox",
    "OutboxEntry",
    "Refusal",
    "RuleBook",
    "ServerRule",
    "Upload",
    "Violation",
    "Window",
    "render_balance",
    "render_blacklist",
    "render_contacts",
    "render_created_id",
    "render_error",
    "render_groups",
    "render_ok",
    "render_op_templates",
    "render_price",
    "render_sender_id",
    "render_senders",
    "render_sent",
    "render_statuses",
    "render_subclient_day_stats",
    "render_subclient_id",
    "render_subclient_stats",
    "render_tariffs",
    "serve",
    "serving",
    "serving_in_thread",
    "status_fields",
]
