"""Testing helpers that ship with smsc_async: renderers of SMSC replies (the emulator's voice).

The embedded emulator (an ASGI app) builds on these.
"""

from smsc_async.testing._render import (
    render_error,
    render_ok,
    render_sender_id,
    render_senders,
    render_tariffs,
)

__all__ = [
    "render_error",
    "render_ok",
    "render_sender_id",
    "render_senders",
    "render_tariffs",
]
