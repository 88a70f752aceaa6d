"""Channel-neutral events in and messages out. Every channel adapter translates to these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Action:
    """What a button means, independent of how a channel encodes it (Telegram: CallbackData)."""

    name: str
    ref: str = ""  # a case reference or an intake token
    arg: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"n": self.name, "r": self.ref, "a": self.arg}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Action:
        return cls(str(d.get("n", "")), str(d.get("r", "")), str(d.get("a", "")))


@dataclass(frozen=True)
class Button:
    label: str
    action: Action


@dataclass(frozen=True)
class IncomingAttachment:
    kind: str  # photo | document | voice | video | audio
    file_id: str
    file_name: str | None = None
    caption: str | None = None


@dataclass(frozen=True)
class Sender:
    channel: str
    external_id: str  # the person's id on the channel
    first_name: str = ""
    language_code: str | None = None


@dataclass(frozen=True)
class Inbound:
    """One event from a channel: a message, a command or a button press."""

    channel: str
    event_id: str  # unique per channel: a redelivered event has the same id
    sender: Sender
    chat_id: str
    is_group: bool = False
    text: str = ""
    attachments: tuple[IncomingAttachment, ...] = ()
    command: str | None = None  # "start", "take", ... without the slash
    args: str = ""
    action: Action | None = None  # a button press
    invalid_action: bool = False  # a button whose data could not be read (forged, or too old)
    reply_to_message_id: str | None = None
    # The text of the bot message being replied to (Telegram includes it in the update): lets a
    # reply find its case even before the outbox has recorded which case that message was.
    reply_to_text: str | None = None
    unsupported: str | None = None  # "sticker", "location", ...: content we cannot take in
    timestamp: float | None = None


@dataclass
class Handled:
    """The outcome for the adapter: a log word, and a short toast for a button press."""

    outcome: str
    toast: str | None = None
    alert: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SendResult:
    message_id: str | None


class DeliveryError(Exception):
    """A send that failed. `permanent` failures are not retried; `retry_after` is honoured."""

    def __init__(self, message: str, *, permanent: bool = False, retry_after: float | None = None,
                 unreachable: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after
        self.unreachable = unreachable


class Transport(Protocol):
    """The outbound side of one channel: renders a neutral payload and sends it."""

    channel: str

    async def deliver(self, chat_id: str, payload: dict[str, Any]) -> SendResult: ...


def text_payload(text: str, buttons: list[list[Button]] | None = None,
                 reply_to: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"type": "text", "text": text}
    if buttons:
        payload["buttons"] = [[{"label": b.label, "action": b.action.to_dict()} for b in row]
                              for row in buttons]
    if reply_to:
        payload["reply_to"] = reply_to
    return payload


def media_payload(kind: str, file_id: str, caption: str | None = None,
                  file_name: str | None = None) -> dict[str, Any]:
    return {"type": "media", "kind": kind, "file_id": file_id, "caption": caption,
            "file_name": file_name}
