"""Text normalisation for Dutch and English chat messages: folding, tokens, a light stemmer.

Everything here is deterministic and cheap; the classifier and the phrase patterns of the
signals use the same normalisation, so a keyword written in config matches the way a
customer types it (capitals, accents, typical inflections).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MAX_CHARS = 20_000  # longer messages are cut: the start says what it is about
_WORD = re.compile(r"[a-z0-9€]+(?:['’][a-z]+)?")
_SPACES = re.compile(r"\s+")
_FOLD_TABLE = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})


def fold(text: str) -> str:
    """Lower case, no accents, typographic quotes made plain, whitespace squeezed."""
    text = text[:MAX_CHARS].translate(_FOLD_TABLE).lower()
    if not text.isascii():
        text = "".join(
            ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
        )
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

    - words match whole words; a trailing `*` allows any ending (`bezorg*`);
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
        star = tok.endswith("*") and len(tok) > 1
        core = tok[:-1] if star else tok
        body = re.escape(core) + (r"[\w']*" if star else "")
        if core[:1].isalnum():
            body = r"(?<!\w)" + body
        if core[-1:].isalnum() and not star:
            body += r"(?!\w)"
        if out:
            out.append(r"\W+(?:\w+\W+){0,4}?" if gap else r"\W*")
        out.append(body)
        gap = False
    return "".join(out)
