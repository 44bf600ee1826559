"""One time limit for the whole model call: connecting, every read, every retry and its wait.

An HTTP client's timeout bounds each read, so a server that sends one byte a second never
trips it. Here a :class:`Deadline` is shared by everything the call does: the HTTP transport
gives each request only the time that is left and checks it after every chunk of the body,
the retry loop waits (``Retry-After`` or backoff) only when the wait fits, and the caller
stops waiting for a worker thread when the time is up, whatever the socket does. A
:class:`Watch` records what the endpoint did, so the warning can say what happened (no
answer, a trickling answer, a refusal to connect) rather than guess.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache

#: Extra time the caller gives the worker past the deadline to end on its own with its own message.
GRACE_S = 0.25


class DeadlineExceeded(Exception):
    """The whole call's time limit ran out."""


@dataclass
class Deadline:
    seconds: float
    end: float = field(init=False)

    def __post_init__(self) -> None:
        self.end = time.monotonic() + self.seconds

    def remaining(self) -> float:
        return max(0.0, self.end - time.monotonic())

    def fits(self, wait_s: float) -> bool:
        """Whether waiting ``wait_s`` still leaves time for another try."""
        return wait_s < self.remaining()


@dataclass
class Watch:
    """What the endpoint has done so far in this call."""

    requests: int = 0
    answered: bool = False  # status line and headers received
    body_bytes: int = 0
    started: float = field(default_factory=time.monotonic)

    def describe_timeout(self, limit_s: float) -> str:
        took = time.monotonic() - self.started
        if self.answered:
            return (f"the model endpoint was still sending its answer when the {limit_s:g} s time limit for the whole "
                    f"call ran out ({self.body_bytes} bytes in {took:.1f} s: it answers too slowly)")
        return f"the model endpoint sent no answer within the {limit_s:g} s time limit for the whole call"


class DeadlineTransport:
    """An HTTP transport that gives each request only the time left and checks it as the body arrives."""

    def __init__(self, inner, deadline: Deadline, watch: Watch, stream_base: type):
        self.inner, self.deadline, self.watch = inner, deadline, watch
        self.stream_class = _stream_class(stream_base)

    def handle_request(self, request):
        left = self.deadline.remaining()
        if left <= 0:
            raise DeadlineExceeded(self.watch.describe_timeout(self.deadline.seconds))
        request.extensions["timeout"] = {k: left if v is None else min(v, left)
                                         for k, v in request.extensions.get("timeout", {}).items()} or \
            {"connect": left, "read": left, "write": left, "pool": left}
        self.watch.requests += 1
        response = self.inner.handle_request(request)
        self.watch.answered = True
        response.stream = self.stream_class(response.stream, self.deadline, self.watch)
        return response

    def close(self) -> None:
        self.inner.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@lru_cache(maxsize=2)
def _stream_class(base: type) -> type:
    """A byte stream of the HTTP library's own kind (its client checks the type) that stops at the deadline."""

    class DeadlineStream(base):
        def __init__(self, inner, deadline: Deadline, watch: Watch):
            self.inner, self.deadline, self.watch = inner, deadline, watch

        def __iter__(self):
            for chunk in self.inner:
                self.watch.body_bytes += len(chunk)
                if self.deadline.remaining() <= 0:
                    raise DeadlineExceeded(self.watch.describe_timeout(self.deadline.seconds))
                yield chunk

        def close(self) -> None:
            self.inner.close()

    return DeadlineStream


def http_client(deadline: Deadline, watch: Watch):
    """The openai library's own HTTP client class, over a transport that keeps to ``deadline``."""
    import importlib

    import openai

    client_class = openai.DefaultHttpxClient
    http = importlib.import_module(client_class.__mro__[1].__module__.split(".")[0])  # httpx, or its successor
    transport = DeadlineTransport(http.HTTPTransport(), deadline, watch, http.SyncByteStream)
    return client_class(transport=transport)


def run_within(deadline: Deadline, watch: Watch, work, on_late=None):
    """``work()``'s result, or DeadlineExceeded when it has not returned by the deadline (the
    worker thread is left to end on its own; ``on_late`` is called to hurry it, e.g. closing
    its connection)."""
    box: dict = {}

    def target() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=target, name="intentctl-llm-call", daemon=True)
    worker.start()
    worker.join(deadline.remaining() + GRACE_S)
    if worker.is_alive():
        if on_late is not None:
            on_late()
        raise DeadlineExceeded(watch.describe_timeout(deadline.seconds))
    if "error" in box:
        raise box["error"]
    return box["value"]
