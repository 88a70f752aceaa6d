"""Texts per language, from YAML files beside this module; never in code.

`Texts.get(lang, "customer.greeting", name=...)` fills placeholders and HTML-escapes every value,
so nothing a customer typed can become markup in a message to staff.
"""

from __future__ import annotations

import html
from functools import cache
from importlib import resources
from typing import Any

import yaml


class Raw(str):
    """A value that is already safe markup (built from escaped parts); not escaped again."""

    __slots__ = ()


def esc(value: Any) -> str:
    if isinstance(value, Raw):
        return value
    return html.escape(str(value), quote=False)


class MissingText(KeyError):
    pass


@cache
def _load(lang: str) -> dict[str, Any]:
    try:
        text = resources.files(__package__).joinpath(f"{lang}.yaml").read_text("utf-8")
    except FileNotFoundError:
        return {}
    data = yaml.safe_load(text) or {}
    flat: dict[str, Any] = {}

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        else:
            flat[prefix] = node

    walk("", data)
    return flat


class Texts:
    def __init__(self, languages: list[str], default: str) -> None:
        self.languages = [lang for lang in languages if _load(lang)]
        self.default = default if default in self.languages else (self.languages or ["en"])[0]

    def lang(self, code: str | None) -> str:
        """The supported language for a code like 'nl', 'en-GB', or None."""
        if code:
            base = code.split("-")[0].split("_")[0].lower()
            if base in self.languages:
                return base
        return self.default

    def raw(self, lang: str, key: str) -> str:
        for candidate in (lang, self.default, "en"):
            table = _load(candidate)
            if key in table:
                return str(table[key])
        raise MissingText(key)

    def get(self, lang: str, key: str, **values: Any) -> Raw:
        template = self.raw(lang, key)
        return Raw(template.format(**{k: esc(v) for k, v in values.items()}))
