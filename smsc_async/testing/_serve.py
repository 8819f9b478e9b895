"""Serving the emulator over real HTTP with uvicorn (``smsc-async emulator``, loopback tests)."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import uvicorn

    from smsc_async.testing._callbacks import CallbackSender
    from smsc_async.testing._emulator import Emulator

__all__ = ["RedactSecrets", "serve", "serving", "serving_in_thread"]

_STARTUP_POLLS = 500  # x 10 ms: give up on a server that has not started in 5 s
# An open inbox page holds an event stream that never ends by itself: without a bound,
# uvicorn's shutdown (Ctrl+C, the end of a serving() block) would wait for the tab to close.
_GRACE = 2  # seconds
_SECRET_IN_QUERY = re.compile(r"\b(psw|pswc|apikey|password)=[^&\s\"]*", re.IGNORECASE)


class RedactSecrets(logging.Filter):
    """Masks ``psw=``, ``pswc=``, ``apikey=`` and ``password=`` values in log records.

    Other SMSC clients send GET requests with credentials in the query string, and
    uvicorn's access log prints the request line: the emulator must not echo them.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message arguments; never drops a record."""
        if isinstance(record.args, tuple):
            record.args = tuple(
                _SECRET_IN_QUERY.sub(r"\1=***", a) if isinstance(a, str) else a for a in record.args
            )
        if isinstance(record.msg, str):
            record.msg = _SECRET_IN_QUERY.sub(r"\1=***", record.msg)
        return True


def _redact_uvicorn_logs() -> None:
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())


def _callbacks_of(emulator: Emulator) -> CallbackSender | None:
    # getattr: tests serve wrappers around an emulator (any ASGI app serves).
    sender: CallbackSender | None = getattr(emulator, "callbacks", None)
    return sender


def _config(emulator: Emulator, host: str, port: int, log_level: str) -> uvicorn.Config:
    """The uvicorn settings of the emulator: no lifespan, a short graceful shutdown."""
    import uvicorn  # noqa: PLC0415 - only needed when serving over HTTP

    return uvicorn.Config(
        emulator,
        host=host,
        port=port,
        log_level=log_level,
        lifespan="off",
        timeout_graceful_shutdown=_GRACE,
    )


def _base_url(server: uvicorn.Server, host: str) -> str:
    """The base URL of a server that has started (the port it bound, when asked for 0)."""
    if not server.started:
        raise RuntimeError("the emulator's uvicorn server did not start within 5 s")
    bound = server.servers[0].sockets[0].getsockname()[1]
    return f"http://{host}:{bound}/sys/"


@asynccontextmanager
async def serving(
    emulator: Emulator, *, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[str]:
    """Serve ``emulator`` with uvicorn while the block runs; yields its base URL.

    ``port=0`` picks a free port. The server stops when the block ends.
    """
    import uvicorn  # noqa: PLC0415 - only needed when serving over HTTP

    config = _config(emulator, host, port, "warning")
    server = uvicorn.Server(config)
    _redact_uvicorn_logs()
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(_STARTUP_POLLS):
            if server.started or task.done():
                break
            await asyncio.sleep(0.01)
        if task.done():
            task.result()  # the startup error, if any
        if (sender := _callbacks_of(emulator)) is not None:
            sender.bind(asyncio.get_running_loop())
        yield _base_url(server, host)
    finally:
        server.should_exit = True
        await task


@contextmanager
def serving_in_thread(
    emulator: Emulator, *, host: str = "127.0.0.1", port: int = 0
) -> Iterator[str]:
    """Serve ``emulator`` from a background thread while the block runs; yields its base URL.

    For code that is not async itself, or runs its own event loop: a command line, a
    framework's synchronous test client (FastAPI's ``TestClient``)::

        with serving_in_thread(Emulator(minute=1.0)) as base_url:
            monkeypatch.setenv("SMSC_BASE_URL", base_url)
            ...

    The emulator's requests run on the thread's event loop; read its state (``traffic``,
    ``violations``) once the requests you made have been answered.
    """
    import uvicorn  # noqa: PLC0415

    config = _config(emulator, host, port, "warning")
    server = uvicorn.Server(config)
    _redact_uvicorn_logs()
    failures: list[BaseException] = []

    def run() -> None:
        try:
            server.run()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread below
            failures.append(exc)

    thread = threading.Thread(target=run, name="smsc-emulator", daemon=True)
    thread.start()
    try:
        for _ in range(_STARTUP_POLLS):
            if server.started or not thread.is_alive():
                break
            time.sleep(0.01)
        if not thread.is_alive():
            cause = failures[0] if failures else None
            raise RuntimeError(f"the emulator's server could not start on {host}:{port}") from cause
        if (sender := _callbacks_of(emulator)) is not None:
            # The server thread's loop: answers received from this thread are posted at once.
            sender.bind(server.servers[0].get_loop())
        yield _base_url(server, host)
    finally:
        server.should_exit = True
        thread.join()


def serve(emulator: Emulator, *, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serve ``emulator`` until interrupted (Ctrl+C), then print its summary.

    The summary (:meth:`Emulator.summary`) says what the app did: requests, violations by
    rule, error codes, peak in flight, bans.
    """
    import uvicorn  # noqa: PLC0415

    config = _config(emulator, host, port, "info")
    server = uvicorn.Server(config)  # configures uvicorn's loggers: redact after that
    _redact_uvicorn_logs()
    _log_refusals()
    server.run()  # returns once Ctrl+C has shut the server down
    summary = getattr(emulator, "summary", None)  # any ASGI app serves; only ours sums up
    if callable(summary):
        print(summary(), flush=True)  # noqa: T201 - the command's last words, for its user


def _log_refusals() -> None:
    """Show the emulator's WARNING lines (refusals, bans) beside uvicorn's access log.

    A command line has no logging set up (uvicorn configures its own loggers only): the
    lines get a handler of their own, formatted like uvicorn's. Where the root logger has
    handlers (an app's, pytest's), the records go there as they are.
    """
    logger = logging.getLogger("smsc_async.emulator")
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:  emulator: %(message)s"))
        logger.addHandler(handler)
