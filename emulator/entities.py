"""Shared pieces of Telegram's text parsers: UTF-16 positions, entity building, links."""

from __future__ import annotations

import re
from typing import Any

Entity = dict[str, Any]


def u16len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


class Builder:
    """Accumulates plain text and tracks the UTF-16 position."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[Entity] = []

    def add(self, text: str) -> None:
        if text:
            self.parts.append(text)
            self.pos += u16len(text)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        length = self.pos - start
        if length > 0:
            self.entities.append({"type": kind, "offset": start, "length": length, **extra})

    def text_since(self, start: int) -> str:
        data = "".join(self.parts).encode("utf-16-le")
        return data[start * 2 :].decode("utf-16-le", errors="replace")

    def result(self) -> tuple[str, list[Entity]]:
        return "".join(self.parts), sort_entities(self.entities)


def sort_entities(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _normalize_url(url: str) -> str | None:
    url = url.strip()
    if not url:
        return None
    if url.startswith("tg://"):
        return url
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", url):
        if "." not in url.split("/")[0]:
            return None
        url = "http://" + url
    scheme, rest = url.split("://", 1)
    if "/" not in rest and "?" not in rest and "#" not in rest:
        rest += "/"
    elif "/" not in rest:
        cut = min(i for i in (rest.find("?"), rest.find("#")) if i >= 0)
        rest = rest[:cut] + "/" + rest[cut:]
    return f"{scheme.lower()}://{rest}"


def link_entity(url: str) -> tuple[str, dict[str, Any]] | None:
    mention = re.match(r"^tg://user\?id=(\d+)$", url)
    if mention:
        user = {"id": int(mention.group(1)), "is_bot": False, "first_name": ""}
        return "text_mention", {"user": user}
    normalized = _normalize_url(url)
    if normalized is None:
        return None
    return "text_link", {"url": normalized}
