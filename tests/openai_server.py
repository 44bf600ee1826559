"""A local HTTP server that speaks the OpenAI chat-completions API from scripted answers.

Each scripted answer is one of:
- ``Answer(arguments=dict|str)``: a tool call (or, when the request asked for a JSON
  response format, message content) carrying those arguments; a str is sent verbatim, so
  malformed JSON can be scripted;
- ``Answer(content="...")``: plain text (a refusal, say) and no tool call;
- ``Answer(status=429)`` / ``Answer(status=500)``: an HTTP error;
- ``Answer(delay=2.0, ...)``: wait before answering (for timeouts);
- ``Answer(trickle=0.05, ...)``: send the headers at once, then the body one byte per
  ``trickle`` seconds (a server that keeps a connection alive without answering);
- ``Answer(status=429, retry_after="30")``: an HTTP error with a Retry-After header;
- ``Answer(empty=True)``: a response with no choices.
When the script runs out, the last answer repeats. Every request body is recorded.
It binds to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TRICKLE_LIMIT_S = 60.0


@dataclass
class Answer:
    arguments: dict | str | None = None
    content: str | None = None
    status: int = 200
    delay: float = 0.0
    empty: bool = False
    trickle: float = 0.0
    retry_after: str | None = None


class ScriptedServer:
    def __init__(self, answers: list[Answer]):
        self.answers = list(answers)
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):  # the name http.server calls
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                answer = server._next(body)
                if answer.delay:
                    time.sleep(answer.delay)
                status, payload = server._render(answer, body)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    if answer.retry_after is not None:
                        self.send_header("Retry-After", answer.retry_after)
                    self.end_headers()
                    if answer.trickle:
                        self._trickle(data, answer.trickle)
                    else:
                        self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def _trickle(self, data: bytes, every_s: float) -> None:
                stop = time.monotonic() + TRICKLE_LIMIT_S  # bounded, whatever the client does
                for i in range(len(data)):
                    if time.monotonic() > stop:
                        return
                    self.wfile.write(data[i:i + 1])
                    self.wfile.flush()
                    time.sleep(every_s)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> ScriptedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _next(self, body: dict) -> Answer:
        with self._lock:
            self.requests.append(body)
            return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]

    def _render(self, answer: Answer, body: dict) -> tuple[int, dict]:
        if answer.status != 200:
            return answer.status, {"error": {"message": f"scripted {answer.status}", "type": "server_error"}}
        base = {"id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": body.get("model", "test"),
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
        if answer.empty:
            return 200, {**base, "choices": []}
        message: dict = {"role": "assistant", "content": answer.content}
        if answer.arguments is not None:
            arguments = answer.arguments if isinstance(answer.arguments, str) else json.dumps(answer.arguments)
            tools = body.get("tools") or []
            if tools:
                name = tools[0]["function"]["name"]
                message["tool_calls"] = [{"id": "call_1", "type": "function",
                                          "function": {"name": name, "arguments": arguments}}]
            else:
                message["content"] = arguments
        finish = "tool_calls" if message.get("tool_calls") else "stop"
        return 200, {**base, "choices": [{"index": 0, "message": message, "finish_reason": finish}]}
