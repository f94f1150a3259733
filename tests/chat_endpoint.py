"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions protocol, with a
scripted stand-in model behind it (tests import it like ``conftest_moto``).

``script`` holds failures to play first (status, headers, body, delay); after that every
request is answered by ``answer(request_body) -> text`` (default: echo the last message).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["ChatServer", "Step", "running_chat_server"]

# One scripted step: (status, headers, body or None for a chat completion, delay seconds)
Step = tuple[int, dict[str, str], Any, float]
USAGE = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}


def _echo(body: dict[str, Any]) -> str:
    return f"echo: {body['messages'][-1]['content']}"


class ChatServer:
    """A chat-completions endpoint that plays a script, then answers with ``answer``."""

    def __init__(self, answer: Callable[[dict[str, Any]], str] = _echo) -> None:
        self.script: list[Step] = []
        self.answer = answer
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.paths: list[str] = []
        self.released = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append(body)
                server.headers.append(dict(self.headers))
                server.paths.append(self.path)
                status, headers, reply, delay = (server.script.pop(0) if server.script
                                                 else (200, {}, None, 0.0))
                if delay:
                    server.released.wait(delay)
                if reply is None:
                    reply = {"id": "c1", "object": "chat.completion", "model": body["model"],
                             "choices": [{"index": 0, "finish_reason": "stop", "message": {
                                 "role": "assistant", "content": server.answer(body)}}],
                             "usage": USAGE}
                data = reply if isinstance(reply, bytes) else json.dumps(reply).encode()
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"


@contextmanager
def running_chat_server(answer: Callable[[dict[str, Any]], str] = _echo
                        ) -> Iterator[ChatServer]:
    server = ChatServer(answer)
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.released.set()
        server.httpd.shutdown()
        server.httpd.server_close()
