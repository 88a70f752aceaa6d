"""Plain types shared by the non-chat adapters and their use-cases; no storage, no framework,
so the adapters in handlers/ can import them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def clean(text: str) -> str:
    """Text from outside as the database can store it: no NUL characters (PostgreSQL refuses
    them) and no lone surrogates (not encodable as UTF-8; JSON can carry them)."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


class OmniError(Exception):
    """A refusal with a stable code for the edge to translate (HTTP status, Rasa utterance)."""

    def __init__(self, code: str, message: str = "", **info: Any) -> None:
        super().__init__(code)
        self.code = code
        self.message = message or code
        self.info = info


@dataclass(frozen=True)
class Who:
    """The customer as the caller names them: a channel and that channel's id for them."""

    channel: str
    external_id: str
    name: str = ""
    language: str | None = None


@dataclass(frozen=True)
class ApiPrincipal:
    key_id: str
    scope: str
    name: str
    person: str | None
