"""How ``gdlab serve`` holds connections: uvicorn's h11 server with every wait bounded.

A connection must deliver its request's headers within
:data:`~gdlab.web.limits.HEADER_TIMEOUT` seconds of opening (or of the previous response, on a
kept-alive connection) and its body within :data:`~gdlab.web.limits.BODY_TIMEOUT` seconds
(:class:`~gdlab.web.app.BodyLimit`); otherwise it is answered 408 and closed. Idle kept-alive
connections close after :data:`~gdlab.web.limits.KEEP_ALIVE` seconds, at most
:data:`~gdlab.web.limits.MAX_CONNECTIONS` are held at once (more get 503), and headers over
:data:`~gdlab.web.limits.MAX_HEADERS` bytes get 431. Every refusal is JSON with a ``detail``.
A silent or trickling client can hold a socket for seconds, never the server.
"""

from __future__ import annotations

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from .limits import HEADER_TIMEOUT, KEEP_ALIVE, MAX_CONNECTIONS, MAX_HEADERS, SHUTDOWN_GRACE

#: the refusal of headers over the limit, worded once for the transport and the application
HEADERS_TOO_LARGE = "request headers larger than {} bytes"


def answer(status: int, reason: str, detail: str) -> bytes:
    """A whole HTTP response with ``{"detail": ...}``, for refusals made before a request
    reaches the application; the connection closes after it."""
    import json

    body = json.dumps({"detail": detail}).encode()
    return (f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
            f"connection: close\r\ncontent-length: {len(body)}\r\n\r\n").encode() + body


TIMED_OUT = answer(408, "Request Timeout",
                   f"the request did not arrive within {HEADER_TIMEOUT:g} s")
BUSY = answer(503, "Service Unavailable",
              "the server holds as many connections as it may already; try again")


class GuardedH11(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's headers."""

    header_timeout = HEADER_TIMEOUT
    max_connections = MAX_CONNECTIONS
    _header_timer = None
    _error = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        parse = self.conn.next_event

        def next_event():  # keep h11's error: uvicorn answers every one a plain 400
            try:
                return parse()
            except h11.RemoteProtocolError as exc:
                self._error = exc
                raise

        self.conn.next_event = next_event

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            transport.write(BUSY)
            transport.close()
            return
        self._arm()

    def send_400_response(self, msg: str) -> None:  # a request h11 cannot parse
        if getattr(self._error, "error_status_hint", 400) == 431:
            # headers still arriving past the limit (those that arrive whole at once are
            # refused by the application with the same words)
            refusal = answer(431, "Request Header Fields Too Large",
                             HEADERS_TOO_LARGE.format(MAX_HEADERS))
        else:
            refusal = answer(400, "Bad Request", f"invalid HTTP request: {msg}")
        self.transport.write(refusal)
        self.transport.close()

    def handle_events(self) -> None:
        before = self.cycle
        super().handle_events()
        if self.cycle is not before:  # a request's headers arrived: its cycle began
            self._disarm()

    def on_response_complete(self) -> None:
        self._arm()  # the next request on this connection gets the same deadline
        super().on_response_complete()  # (a pipelined next request starts here: disarmed)

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout, self._expired)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _expired(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or \
                (self.cycle is not None and not self.cycle.response_complete):
            return  # closed already, or a request is being served
        self.transport.write(TIMED_OUT)
        self.transport.close()


#: the keyword arguments of ``uvicorn.Config``
TRANSPORT = {"http": GuardedH11, "h11_max_incomplete_event_size": MAX_HEADERS,
             "timeout_keep_alive": KEEP_ALIVE, "timeout_graceful_shutdown": SHUTDOWN_GRACE}
