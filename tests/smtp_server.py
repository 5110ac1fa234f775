"""A local mail server for the tests: enough SMTP (RFC 5321) for smtplib.

It listens on 127.0.0.1 on a free port, keeps what it accepted in
``messages`` (parsed with the standard library's e-mail parser), and can be
told to refuse the next N messages with a temporary error (451), as a real
server does when it is busy, so the tests see Django's SMTP backend raise.
"""

import email
import email.policy
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage


@dataclass
class State:
    messages: list[Received] = field(default_factory=list)
    refuse_next: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(socketserver.StreamRequestHandler):
    state: State

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 localhost test SMTP ready")
        sender, recipients = "", []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            command = raw.decode("utf-8", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in {"EHLO", "HELO"}:
                self.reply("250-localhost")
                self.reply("250 8BITMIME")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].strip(" <>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip(" <>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    lines.append(line[1:] if line.startswith(b"..") else line)
                with self.state.lock:
                    if self.state.refuse_next > 0:
                        self.state.refuse_next -= 1
                        self.reply("451 4.3.0 Try again later")
                        continue
                    parsed = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                    self.state.messages.append(Received(sender, recipients, parsed))
                self.reply("250 OK queued")
            elif verb == "RSET":
                sender, recipients = "", []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class SMTPStandIn:
    """``with SMTPStandIn() as server:`` then point EMAIL_HOST/PORT at it."""

    def __init__(self) -> None:
        self.state = State()
        handler = type("Handler", (_Handler,), {"state": self.state})
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]

    @property
    def messages(self) -> list[Received]:
        return self.state.messages

    def refuse(self, count: int = 1) -> None:
        self.state.refuse_next = count

    def __enter__(self) -> "SMTPStandIn":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
