"""A local OpenAI-compatible server that streams chat completions with controlled token timing.

Each request waits ``ttft_s`` before its first token, then ``itl_s`` between tokens, and sends
``max_tokens`` tokens (one per chunk), then a usage chunk when the request asks for one
(``stream_options.include_usage``) and ``data: [DONE]``. ``fail_every`` answers every n-th
request with HTTP 500. It binds to 127.0.0.1 only and serves requests concurrently (a sibling
of openai_server.py, which scripts whole answers for the LLM parser).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class StreamingServer:
    def __init__(self, ttft_s: float = 0.1, itl_s: float = 0.02, fail_every: int = 0):
        self.ttft_s, self.itl_s, self.fail_every = ttft_s, itl_s, fail_every
        self.requests: list[dict] = []
        self._count = itertools.count(1)
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):  # the name http.server calls
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                with server._lock:
                    server.requests.append(body)
                    n = next(server._count)
                try:
                    if server.fail_every and n % server.fail_every == 0:
                        self._fail()
                    else:
                        self._stream(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up

            def _fail(self):
                data = json.dumps({"error": {"message": "scripted failure", "type": "server_error"}}).encode()
                self.send_response(500)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body: dict):
                tokens = int(body.get("max_tokens") or 16)
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                started = time.perf_counter()
                for i in range(tokens):
                    # sleep to each token's scheduled time, so the timing does not drift with overheads
                    due = started + server.ttft_s + i * server.itl_s
                    time.sleep(max(0.0, due - time.perf_counter()))
                    self._event(_chunk(body, {"role": "assistant", "content": f"w{i} "} if i == 0 else
                                       {"content": f"w{i} "}, "length" if i == tokens - 1 else None))
                if (body.get("stream_options") or {}).get("include_usage"):
                    prompt = len(str(body["messages"][-1]["content"]).split())
                    self._event({**_chunk(body, None, None), "choices": [],
                                 "usage": {"prompt_tokens": prompt, "completion_tokens": tokens,
                                           "total_tokens": prompt + tokens}})
                self._write(b"data: [DONE]\n\n")
                self._write(b"")

            def _event(self, payload: dict):
                self._write(f"data: {json.dumps(payload)}\n\n".encode())

            def _write(self, data: bytes):
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):  # a client closing its connection is not a failure
        pass


def _chunk(body: dict, delta: dict | None, finish: str | None) -> dict:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
    return {"id": "chatcmpl-stream", "object": "chat.completion.chunk", "created": 0,
            "model": body.get("model", "test"), "choices": choices}
