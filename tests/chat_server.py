"""A real HTTP server speaking the chat-completions protocol, replying with fixed JSON.

There is no model on the test machines; this stands in for Ollama or llama.cpp's server
at the protocol level: `POST /v1/chat/completions` with a JSON body, answered with a
chat-completion object whose message content is the next scripted reply. Every request
is recorded (headers and parsed body) so a test can check what the model was sent.

    with ChatServer(["{...}", "{...}"]) as server:
        app.config["LLM_BASE_URL"] = server.base_url
    ...
    server.requests[0]["body"]["messages"]

`delay` makes the server sleep before answering (a timeout). `closed_port()` gives a
port nothing listens on (connection refused).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ChatServer:
    def __init__(self, replies: list[str] | None = None, *, delay: float = 0.0):
        self.replies = list(replies or [])
        self.delay = delay
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> ChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _next(self) -> str:
        with self._lock:
            return self.replies.pop(0) if self.replies else '{"criteria": []}'

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with server._lock:
                    server.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body}
                    )
                if server.delay:
                    time.sleep(server.delay)
                if self.path != "/v1/chat/completions":
                    self.send_error(404)
                    return
                reply = {
                    "id": "chatcmpl-test",
                    "object": "chat.completion",
                    "model": body.get("model"),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": server._next()},
                            "finish_reason": "stop",
                        }
                    ],
                }
                data = json.dumps(reply).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout scenario)

        return Handler


def closed_port() -> int:
    """A local port with nothing listening (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
