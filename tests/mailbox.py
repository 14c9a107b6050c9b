"""A real SMTP server for the tests (aiosmtpd), and what it received.

Every app the tests build (tests.conftest.make_app) sends mail over SMTP to this
server, started once per test run on a free port of 127.0.0.1 in its own thread.
Tests read the messages with the `mailbox` fixture; nothing is mocked: Flask-Mailman
speaks SMTP to a server that parses what arrives.
"""

from __future__ import annotations

import atexit
import re
import socket
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    to: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()

    def link(self, path_part: str) -> str:
        """The first link in the text part whose path contains `path_part`."""
        for url in re.findall(r"https?://\S+", self.text):
            if path_part in url:
                return url
        raise AssertionError(f"no link with {path_part!r} in:\n{self.text}")


class Mailbox:
    """The messages the SMTP server received, oldest first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[Received] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self._messages.append(Received(tuple(envelope.rcpt_tos), message))
        return "250 OK"

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    def messages(self, to: str | None = None) -> list[Received]:
        with self._lock:
            return [m for m in self._messages if to is None or to in m.to]

    def wait_for(self, to: str, count: int = 1, timeout: float = 5.0) -> Received:
        """The `count`-th message to `to` (waits a little: the server runs in a thread)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.messages(to)
            if len(found) >= count:
                return found[count - 1]
            time.sleep(0.05)
        raise AssertionError(f"no message {count} to {to}; got {len(self.messages(to))}")


class SmtpServer:
    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.host = "127.0.0.1"
        self.port = free_port()
        self._controller = Controller(self.mailbox, hostname=self.host, port=self.port)
        self._controller.start()
        atexit.register(self._controller.stop)


def free_port() -> int:
    """A port nothing listens on right now (also used to make sending fail on purpose)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


_server: SmtpServer | None = None
_server_lock = threading.Lock()


def smtp_server() -> SmtpServer:
    """The run's SMTP server, started on first use."""
    global _server
    with _server_lock:
        if _server is None:
            _server = SmtpServer()
        return _server
