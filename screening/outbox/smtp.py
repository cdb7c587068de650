"""The SMTP transport: one connection per batch, one message at a time, and what a failure means.

A message goes MAIL FROM, RCPT TO, then a callback (the sender writes its in-flight marker
there), then DATA. Every failure becomes one of three errors, which is all the sender needs
to know:

- `Temporary`: the server did not take the message and may later (a 4xx reply, a refused or
  lost connection, a timeout before the data was sent). Try again.
- `Permanent`: the server refused it for good (a 5xx reply). Do not try again.
- `Uncertain`: the data went to the server and no reply came back (the connection dropped or
  timed out during DATA). The server may have delivered it: never send it again by itself.

A reply to DATA is an answer, not an uncertainty: 250 is delivered, 4xx and 5xx mean the
server did not accept responsibility for the message (RFC 5321, 4.2.5), so they are
`Temporary` and `Permanent` like any other reply.

Reasons are short and readable ("451 Try again later"); anything that looks like an email
address in a server's reply is replaced, so no address is ever stored or logged.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from collections.abc import Callable

from .settings import MailUrl

TIMEOUT_SECONDS = 30.0  # to connect, and for each reply
MAX_REASON = 200
ADDRESS_LIKE = re.compile(r"[^\s<>\"'(),;:]+@[^\s<>\"'(),;:]+")
ACCEPTED_RECIPIENT = (250, 251)


class DeliveryError(Exception):
    """A message did not go; `reason` is safe to store and show (no addresses)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Temporary(DeliveryError):
    """Not taken now, may be later: try again."""


class Permanent(DeliveryError):
    """Refused for good (5xx)."""


class Uncertain(DeliveryError):
    """The data reached the server and no reply came back: it may have been delivered."""


class ConnectionFailed(Temporary):
    """The server could not be reached, or refused the connection or the login: nothing
    can go over it, so the sender stops the run."""


def clean_reason(text: str) -> str:
    """One short line, with anything that looks like an address replaced."""
    line = " ".join(text.split())
    line = ADDRESS_LIKE.sub("[address]", line)
    return line if len(line) <= MAX_REASON else line[: MAX_REASON - 1] + "…"


def reply_reason(code: int, text: bytes | str) -> str:
    """"451 Try again later" from a reply code and its text."""
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return clean_reason(f"{code} {words}")


def from_reply(code: int, text: bytes | str) -> DeliveryError:
    """A reply's meaning: 5xx refuses for good; 4xx (or anything unexpected) may pass later."""
    reason = reply_reason(code, text)
    return Permanent(reason) if 500 <= code < 600 else Temporary(reason)


def describe(error: BaseException) -> str:
    """A readable reason for a network or protocol failure, without addresses."""
    if isinstance(error, smtplib.SMTPResponseException):
        return reply_reason(error.smtp_code, error.smtp_error)
    if isinstance(error, ConnectionRefusedError):
        return "Connection refused by the mail server"
    if isinstance(error, socket.gaierror):
        return "The mail server's name could not be found"
    if isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):  # smtplib wraps timeouts
        return "The mail server did not answer in time"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return "The mail server closed the connection"
    if isinstance(error, ssl.SSLCertVerificationError):
        return clean_reason(f"The mail server's certificate could not be verified ({error.verify_message})")
    if isinstance(error, ssl.SSLError):
        return clean_reason(f"TLS failed ({error.reason or error})")
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return clean_reason(f"The mail server does not support this ({error})")
    if isinstance(error, OSError):
        return clean_reason(f"Network error ({error.strerror or type(error).__name__})")
    return clean_reason(f"{type(error).__name__}: {error}")


class Connection:
    """A lazily opened SMTP connection, reused for the messages of one batch."""

    def __init__(self, url: MailUrl, timeout: float | None = None) -> None:
        self.url = url
        self.timeout = TIMEOUT_SECONDS if timeout is None else timeout
        self._client: smtplib.SMTP | None = None

    def send(self, sender: str, to: str, data: bytes, before_data: Callable[[], None]) -> None:
        """Deliver one message, or raise a DeliveryError.

        `before_data` runs after the server accepted the recipient and before any of the
        message goes out; whatever it raises is passed on, with the transaction reset and
        nothing sent.
        """
        client = self._envelope(sender, to)
        try:
            before_data()
        except BaseException:
            self._reset()
            raise
        try:
            code, text = client.data(data)
        except smtplib.SMTPResponseException as error:  # DATA itself refused: nothing was sent
            self._reset()
            raise from_reply(error.smtp_code, error.smtp_error) from None
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            raise Uncertain(describe(error)) from None
        if code != 250:
            self._reset()
            raise from_reply(code, text)

    def close(self) -> None:
        """QUIT, politely; a connection that already broke is just dropped."""
        if self._client is None:
            return
        client, self._client = self._client, None
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()

    def _envelope(self, sender: str, to: str) -> smtplib.SMTP:
        """MAIL FROM and RCPT TO accepted, on a connection opened or reused (once more on a
        fresh one if the server had closed a reused one in the meantime)."""
        reused = self._client is not None
        try:
            return self._mail_and_rcpt(sender, to)
        except Temporary as error:
            if not reused or isinstance(error, ConnectionFailed) or self._client is not None:
                raise
        return self._mail_and_rcpt(sender, to)

    def _mail_and_rcpt(self, sender: str, to: str) -> smtplib.SMTP:
        client = self._connected()
        try:
            code, text = client.mail(sender)
            if code != 250:
                raise from_reply(code, text)
            code, text = client.rcpt(to)
            if code not in ACCEPTED_RECIPIENT:
                raise from_reply(code, text)
        except DeliveryError:
            self._reset()
            raise
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            raise Temporary(describe(error)) from None
        return client

    def _connected(self) -> smtplib.SMTP:
        if self._client is not None:
            return self._client
        url = self.url
        context = ssl.create_default_context()
        client: smtplib.SMTP | None = None
        try:
            if url.security == "tls":
                client = smtplib.SMTP_SSL(url.host, url.port, timeout=self.timeout, context=context)
            else:
                client = smtplib.SMTP(url.host, url.port, timeout=self.timeout)
            client.ehlo_or_helo_if_needed()
            if url.security == "starttls":
                client.starttls(context=context)
                client.ehlo()
            if url.username:
                client.login(url.username, url.password or "")
        except (OSError, smtplib.SMTPException) as error:
            if client is not None:
                client.close()
            raise ConnectionFailed(describe(error)) from None
        self._client = client
        return client

    def _reset(self) -> None:
        """RSET after a refused step, so the connection can carry the next message."""
        if self._client is None:
            return
        try:
            code, _text = self._client.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()
            return
        if code != 250:
            self._drop()

    def _drop(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
