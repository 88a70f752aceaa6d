"""Text normalisation for Dutch and English chat messages: folding, tokens, a light stemmer.

Everything here is deterministic and cheap; the classifier and the phrase patterns of the
signals use the same normalisation, so a keyword written in config matches the way a
customer types it (capitals, accents, typical inflections).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

MAX_CHARS = 20_000  # longer messages are cut: the start says what it is about
_WORD = re.compile(r"[a-z0-9€]+(?:['’][a-z]+)?")
_SPACES = re.compile(r"\s+")
_FOLD_TABLE = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})


def fold(text: str) -> str:
    """Lower case, no accents, typographic quotes made plain, whitespace squeezed."""
    text = text[:MAX_CHARS].translate(_FOLD_TABLE).lower()
    if not text.isascii():
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return _SPACES.sub(" ", text).strip()


def words(folded: str) -> list[str]:
    return _WORD.findall(folded)


_SUFFIXES = (  # first match wins: longer endings before their tails
    "ingen", "heden", "ings", "heid", "ness", "ing", "ies", "ers", "ied", "den", "ten",
    "en", "es", "ed", "er", "ly", "de", "te", "e", "s", "d", "t", "y",
)  # fmt: skip
_DOUBLE_VOWEL = re.compile(r"(a|e|o|u)\1(?=[^aeiou]*$)")
_KEEP = frozenset({"niet", "geen", "kapot", "gast", "gas", "this", "was", "is", "has"})


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A deliberately light stemmer shared by NL and EN: one suffix off, doubled consonant undone.

    It is not linguistically exact; it only has to map the forms customers write
    (bezorgd / bezorgen / bezorging, delivered / delivery / delivering) onto one key, and it is
    applied the same way to config keywords and messages.
    """
    w = word.replace("'", "")
    if len(w) <= 3 or w in _KEEP or w.isdigit():
        return w
    if w.startswith("ge") and len(w) >= 7 and w[2] not in "aeiou":
        w = w[2:]
    for suf in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            w = w[: -len(suf)]
            break
    if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "aeiou":
        w = w[:-1]
    # Dutch open/closed syllables: betaald / betalen, maakt / maken -> one key.
    if len(w) >= 4:
        w = _DOUBLE_VOWEL.sub(r"\1", w)
    return w


def stems(tokens: list[str]) -> list[str]:
    return [stem(t) for t in tokens]


def phrase_regex(phrase: str) -> str:
    """A config phrase as a regex over folded text.

    - words match whole words; a trailing `*` allows any ending (`bezorg*`), a leading `*`
      any beginning, for the heads of Dutch compounds (`*lucht` matches gaslucht, brandlucht);
    - `..` between words allows up to four words in between (`water .. plafond`);
    - `re:` at the start means the rest is a regular expression, used as it is.
    """
    phrase = phrase.strip()
    if phrase.startswith("re:"):
        return phrase[3:].strip()
    out: list[str] = []
    gap = False
    for tok in fold(phrase).split(" "):
        if tok == "..":
            gap = True
            continue
        lead = tok.startswith("*") and len(tok) > 1
        if lead:
            tok = tok[1:]
        star = tok.endswith("*") and len(tok) > 1
        core = tok[:-1] if star else tok
        body = re.escape(core) + (r"[\w']*" if star else "")
        if lead:
            body = r"(?<![\w'])\w*" + body
        elif core[:1].isalnum():
            body = r"(?<!\w)" + body
        if core[-1:].isalnum() and not star:
            body += r"(?!\w)"
        if out:
            out.append(r"\W+(?:\w+\W+){0,4}?" if gap else r"\W*")
        out.append(body)
        gap = False
    return "".join(out)


@lru_cache(maxsize=16384)
def compile_phrase(phrase: str) -> re.Pattern[str]:
    """Compiled once per process: routers built again (tests, config reloads) reuse them."""
    return re.compile(phrase_regex(phrase))


def _literal(phrase: str) -> str | None:
    """A substring every match of the phrase must contain (for a cheap `in` pre-check)."""
    phrase = phrase.strip()
    if phrase.startswith("re:"):
        return None
    cores = [t.strip("*") for t in fold(phrase).split(" ") if t and t != ".."]
    cores = [c for c in cores if c]
    return max(cores, key=len) if cores else None


class PhraseSet:
    """Many phrases matched against folded text, fast.

    One big alternation makes Python's regex engine try every phrase at every position;
    instead each phrase keeps its own regex, run only when its longest literal word occurs in
    the text. Which literals occur is found with one set intersection on character trigrams
    (`grams(text)`, computed once per message and shared by all phrase sets), then confirmed
    with a substring test. Results are the same as the alternation's.
    """

    def __init__(self, phrases: Iterable[str]) -> None:
        always: list[re.Pattern[str]] = []
        keyed: list[tuple[str, str, re.Pattern[str]]] = []
        n = 0
        for p in phrases:
            if not p.strip():
                continue
            n += 1
            lit, rx = _literal(p), compile_phrase(p)
            if lit is None or len(lit) < 3:
                always.append(rx)
            else:
                keyed.append((lit[:3], lit, rx))
        # Where several phrases match at the same place, the one listed first is reported
        # first (phrases without a usable literal before the others, as they always were), so
        # the words a reason quotes do not depend on the order of a set.
        rank: dict[re.Pattern[str], int] = {}
        for rx in always + [rx for _, _, rx in keyed]:
            rank.setdefault(rx, len(rank))
        by_gram: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
        for key, lit, rx in keyed:
            by_gram.setdefault(key, []).append((lit, rx))
        self.size = n
        self.always = tuple(always)
        self.by_gram = by_gram
        self.keys = frozenset(by_gram)
        self._rank = rank.__getitem__

    def __bool__(self) -> bool:
        return self.size > 0

    def _candidates(self, text: str, g: frozenset[str] | None) -> list[re.Pattern[str]]:
        found = list(self.always)
        for key in self.keys & (g if g is not None else grams(text)):
            found.extend(rx for lit, rx in self.by_gram[key] if lit in text)
        found.sort(key=self._rank)
        return found

    def finditer(self, text: str, g: frozenset[str] | None = None) -> list[re.Match[str]]:
        out: list[re.Match[str]] = []
        for rx in self._candidates(text, g):
            out.extend(rx.finditer(text))
        out.sort(key=lambda m: m.start())
        return out

    def search(
        self, text: str, pos: int = 0, endpos: int | None = None, g: frozenset[str] | None = None
    ) -> re.Match[str] | None:
        end = len(text) if endpos is None else endpos
        window = text[pos:end] if (pos or end != len(text)) else text
        best: re.Match[str] | None = None
        for rx in self._candidates(window, g if window is text else None):
            m = rx.search(text, pos, end)
            if m is not None and (best is None or m.start() < best.start()):
                best = m
        return best


def grams(text: str) -> frozenset[str]:
    """All character trigrams of a text (the PhraseSet pre-filter)."""
    return frozenset(text[i : i + 3] for i in range(len(text) - 2))
