"""Text normalisation for Dutch and English chat messages: folding, tokens, a light stemmer.

Everything here is deterministic and cheap; the classifier and the phrase patterns of the
signals use the same normalisation, so a keyword written in config matches the way a
customer types it (capitals, accents, typical inflections).
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

MAX_CHARS = 20_000  # longer messages are cut: the start says what it is about
_WORD = re.compile(r"[a-z0-9€]+(?:['’][a-z]+)?")
_SPACES = re.compile(r"\s+")
_FOLD_TABLE = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
# Chat spellings written out, so one word list serves both ("mn voet", "dont", "somebody elses").
# Only unambiguous ones: "u" (Dutch "you"), "its" and "k" are left alone.
_SPELLED = {
    "mn": "mijn", "m'n": "mijn", "mijne": "mijn", "zn": "zijn", "z'n": "zijn", "ff": "even",
    "ipv": "in plaats van", "nie": "niet", "ur": "your", "pls": "please", "plz": "please",
    "dont": "don't", "cant": "can't", "didnt": "didn't", "doesnt": "doesn't", "isnt": "isn't",
    "wasnt": "wasn't", "wont": "won't", "havent": "haven't", "hasnt": "hasn't", "arent": "aren't",
    "werent": "weren't", "couldnt": "couldn't", "wouldnt": "wouldn't", "shouldnt": "shouldn't",
    "im": "i'm", "ive": "i've", "thats": "that's", "theres": "there's", "hes": "he's",
    "shes": "she's", "elses": "else's", "whats": "what's", "youre": "you're", "theyre": "they're",
}  # fmt: skip
_SPELLED_RX = re.compile(r"(?<![\w'])(?:" + "|".join(re.escape(k) for k in _SPELLED) + r")(?![\w'])")


# The last text folded and indexed, and the result: a decision folds and indexes its message
# in classification and again in the rule walk (when a rule has keywords).
_last_fold: tuple[str, str] = ("", "")
_last_index: tuple[str, TextIndex] | None = None


def fold(text: str) -> str:
    """Lower case, no accents, typographic quotes made plain, whitespace squeezed."""
    global _last_fold
    last = _last_fold
    if text is last[0]:
        return last[1]
    out = text[:MAX_CHARS].translate(_FOLD_TABLE).lower()
    if not out.isascii():
        out = unicodedata.normalize("NFKD", out)
        marks = {ord(ch): None for ch in set(out) if unicodedata.combining(ch)}
        if marks:  # accents and other combining marks go
            out = out.translate(marks)
    out = _SPELLED_RX.sub(lambda m: _SPELLED[m.group(0)], out)
    out = _SPACES.sub(" ", out).strip()
    _last_fold = (text, out)
    return out


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


_RUN = re.compile(r"\w+")


class TextIndex:
    r"""What the phrase sets look up in one text, computed once per text and shared by all sets:
    its words (maximal runs of `\w` characters, exactly what the phrase regexes' `(?<!\w)` and
    `(?!\w)` delimit), their first three letters, and whether it is plain ASCII."""

    __slots__ = ("_heads", "ascii", "first", "found", "text", "words")

    def __init__(self, text: str) -> None:
        self.text = text
        self.words = frozenset(_RUN.findall(text))
        self.ascii = text.isascii()
        self._heads: frozenset[str] | None = None
        self.found: dict[PhraseGroup, dict[int, list[_Phrase]]] = {}  # candidates, by group
        self.first: dict[re.Pattern[str], re.Match[str] | None] = {}  # first match of a regex

    @property
    def heads(self) -> frozenset[str]:
        if self._heads is None:
            self._heads = frozenset(w[:3] for w in self.words)
        return self._heads


def index(text: str) -> TextIndex:
    """The `TextIndex` of a text (the last one's is kept: see `_last_fold`)."""
    global _last_index
    last = _last_index
    if last is not None and text is last[0]:
        return last[1]
    found = TextIndex(text)
    _last_index = (text, found)
    return found


class _Phrase:
    """One phrase of a set: its regex, what a text must contain for it to match anywhere, and
    the literal every match starts with (so it is tried only where that literal occurs)."""

    __slots__ = ("anchor", "lead", "options", "plain", "rank", "rx", "subs", "words")

    def __init__(self, rx: re.Pattern[str], rank: int) -> None:
        self.rx = rx
        self.rank = rank
        self.words: tuple[str, ...] = ()  # whole words it needs besides its key
        self.subs: tuple[str, ...] = ()  # substrings it needs besides its key
        # Every match starts with `anchor`, or (`lead`) at the start of the word holding it;
        # None: the regex scans the text itself.
        self.anchor: str | None = None
        self.lead = False
        self.options: tuple[tuple[str, ...], ...] | None = None  # `re:`: see regex_literals
        self.plain = True  # no words or substrings to check besides its key

    def needs(self, words: list[str], subs: list[str]) -> None:
        self.words, self.subs = tuple(words), tuple(subs)
        self.plain = not (words or subs)

    def possible(self, ix: TextIndex) -> bool:
        words = ix.words
        text = ix.text
        return all(w in words for w in self.words) and all(s in text for s in self.subs)

    def matches(self, text: str, pos: int, end: int, stop: int | None = None) -> list[re.Match[str]]:
        """What `rx.finditer(text, pos, end)` returns (the first match only, or none starting
        after `stop`, when `stop` is given)."""
        a = self.anchor
        rx = self.rx
        if a is None:
            if stop is None:
                return list(rx.finditer(text, pos, end))
            m = rx.search(text, pos, end)
            return [] if m is None else [m]
        out: list[re.Match[str]] = []
        done = pos  # where the regex would go on searching
        i = text.find(a, pos, end)
        while i >= 0:
            p = i
            if self.lead:  # `(?<![\w'])\w*core`: only the start of the word can match
                while p > 0 and (text[p - 1].isalnum() or text[p - 1] == "_"):
                    p -= 1
            if stop is not None and p > stop:
                break
            if p >= done:
                m = rx.match(text, p, end)
                if m is not None:
                    out.append(m)
                    if stop is not None:
                        break
                    done = m.end()
            i = text.find(a, i + 1, end)
        return out


def _tokens(phrase: str) -> list[tuple[bool, bool, str]]:
    """(leading *, trailing *, core) of each word of a phrase, as `phrase_regex` reads them."""
    out = []
    for tok in fold(phrase).split(" "):
        if tok == "..":
            continue
        lead = tok.startswith("*") and len(tok) > 1
        if lead:
            tok = tok[1:]
        star = tok.endswith("*") and len(tok) > 1
        out.append((lead, star, tok[:-1] if star else tok))
    return out


# The only characters outside ASCII that an ASCII letter matches under IGNORECASE (found by
# trying every code point): İ and ı for i, the Kelvin sign for k, the long s for s.
CASELESS_ASCII_LOOKALIKES = "\u0130\u0131\u212a\u017f"


def regex_literals(rx: re.Pattern[str]) -> tuple[tuple[str, ...], ...] | None:
    """Sets of strings such that every match of a regular expression contains one string of
    each set (the most telling set first), or None when none is known.

    With IGNORECASE they are lower-case ASCII, for a test on the lower-cased text, which holds
    only for a text without the four other letters that match ASCII ones then (see
    `CASELESS_ASCII_LOOKALIKES`).
    """
    try:
        from re import _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(rx.pattern, rx.flags)
    except Exception:  # no pre-check then; the regex itself compiled
        return None
    found = {tuple(sorted(f)) for f in _options(list(parsed)) if f}
    if rx.flags & re.IGNORECASE:
        found = {tuple(sorted({o.lower() for o in f})) for f in found if all(o.isascii() for o in f)}
    ordered = sorted(found, key=lambda f: (-min(map(len, f)), len(f), f))
    return tuple(ordered) or None


def has_literals(text: str, literals: tuple[tuple[str, ...], ...]) -> bool:
    """Whether `text` holds a string of each set of `regex_literals`."""
    return all(any(map(text.__contains__, options)) for options in literals)


def _best(found: list[frozenset[str]]) -> tuple[str, ...] | None:
    usable = [f for f in found if f]
    if not usable:
        return None
    best = max(usable, key=lambda f: (min(map(len, f)), -len(f)))
    return tuple(sorted(best))


def _options(seq: list[Any]) -> list[frozenset[str]]:
    """For a parsed sequence: sets of strings, for each set one of them occurs in every match."""
    from re import _constants as c  # type: ignore[attr-defined]

    found: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            found.append(frozenset(["".join(run)]))
            run.clear()

    for op, av in seq:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        flush()
        if op is c.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if not (add_flags or del_flags):
                found.extend(_options(list(sub)))
        elif op is c.ATOMIC_GROUP:
            found.extend(_options(list(av)))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            lo, _hi, sub = av
            if lo >= 1:
                found.extend(_options(list(sub)))
        elif op is c.BRANCH:
            alts: set[str] = set()
            for alt in av[1]:
                best = _best(_options(list(alt)))
                if best is None:
                    break
                alts.update(best)
            else:
                found.append(frozenset(alts))
    flush()
    return found


class PhraseSet:
    """Many phrases matched against folded text, fast.

    One big alternation makes Python's regex engine try every phrase at every position;
    instead each phrase keeps its own regex, tried only where it can match. A phrase is
    indexed by one whole word it needs (its longest; for `bezorg*` the first three letters of
    a word it starts; for `*lucht` or an emoji a substring; for `re:` a literal the expression
    needs, when there is one): with the text's words (`index(text)`, computed once per message
    and shared by all phrase sets) one set intersection finds the phrases that may occur, a
    look at their other words and substrings confirms it, and their regexes are then matched
    only where the literal they start with occurs in the text. Results are what running every
    regex over the whole text gives; where several phrases match at the same place, the one
    listed first comes first.
    """

    def __init__(self, phrases: Iterable[str]) -> None:
        entries: list[tuple[str, str | None, re.Pattern[str]]] = []
        for p in phrases:
            if not p.strip():
                continue
            lit, rx = _literal(p), compile_phrase(p)
            entries.append((p, lit, rx))
        # The order in which matches at the same place are reported: phrases without a usable
        # literal first (as they always were), then the others, each in the order listed.
        always = [e for e in entries if e[1] is None or len(e[1]) < 3]
        keyed = [e for e in entries if not (e[1] is None or len(e[1]) < 3)]
        rank: dict[re.Pattern[str], int] = {}
        for _, _, rx in always + keyed:
            rank.setdefault(rx, len(rank))
        self.size = len(entries)
        self.by_word: dict[str, list[_Phrase]] = {}
        self.by_head: dict[str, list[_Phrase]] = {}
        self.by_sub: list[tuple[str, bool, _Phrase]] = []  # (substring, is ASCII, phrase)
        self.scanned: list[_Phrase] = []  # `re:` and phrases without words
        for p, _, rx in entries:
            self._add(p.strip(), _Phrase(rx, rank[rx]))
        self.word_keys = frozenset(self.by_word)
        self.head_keys = frozenset(self.by_head)
        self.group: PhraseGroup | None = None  # looked up together with other sets
        self.slot = 0  # its place in the group

    def _add(self, phrase: str, ph: _Phrase) -> None:
        if phrase.startswith("re:"):
            ph.options = None if ph.rx.flags & re.IGNORECASE else regex_literals(ph.rx)
            self.scanned.append(ph)
            return
        toks = _tokens(phrase)
        if not toks:
            self.scanned.append(ph)
            return
        ph.lead, ph.anchor = toks[0][0], toks[0][2]
        exact: list[str] = []  # words that occur whole in every match
        subs: list[str] = []  # substrings that occur in every match
        head: str | None = None  # first letters of a word of the text every match starts
        for lead, star, core in toks:
            bounded_left = not lead and core[:1].isalnum()
            bounded_right = core[-1:].isalnum() and not star
            partial = False
            for m in _RUN.finditer(core):
                left = m.start() > 0 or bounded_left
                right = m.end() < len(core) or bounded_right
                if left and right:
                    exact.append(m.group())
                else:
                    partial = True
                    if left and head is None and len(m.group()) >= 3:
                        head = m.group()[:3]
            if partial or not _RUN.fullmatch(core):
                subs.append(core)
        if exact:
            key = max(exact, key=len)
            exact.remove(key)
            ph.needs(exact, subs)
            self.by_word.setdefault(key, []).append(ph)
        elif head is not None:
            ph.needs([], subs)
            self.by_head.setdefault(head, []).append(ph)
        else:
            lit = max(subs, key=len)
            subs.remove(lit)
            ph.needs([], subs)
            self.by_sub.append((lit, lit.isascii(), ph))

    def __bool__(self) -> bool:
        return self.size > 0

    def _candidates(self, ix: TextIndex) -> list[_Phrase]:
        found: list[_Phrase] = []
        for w in self.word_keys & ix.words:
            found.extend(ph for ph in self.by_word[w] if ph.plain or ph.possible(ix))
        if self.head_keys:
            for h in self.head_keys & ix.heads:
                found.extend(ph for ph in self.by_head[h] if ph.plain or ph.possible(ix))
        text = ix.text
        for lit, is_ascii, ph in self.by_sub:
            if (is_ascii or not ix.ascii) and lit in text and (ph.plain or ph.possible(ix)):
                found.append(ph)
        for ph in self.scanned:
            if ph.options is None or has_literals(text, ph.options):
                found.append(ph)
        if len(found) > 1:
            found.sort(key=_rank)
        return found

    def _shared(self, ix: TextIndex) -> Sequence[_Phrase]:
        """The candidates in a message's shared index: found for all sets of the group at once."""
        if self.group is None:
            return self._candidates(ix)
        found = ix.found.get(self.group)
        if found is None:
            found = ix.found[self.group] = self.group.candidates(ix)
        return found.get(self.slot, ())

    def finditer(self, text: str, g: TextIndex | None = None) -> list[re.Match[str]]:
        out: list[re.Match[str]] = []
        end = len(text)
        for ph in self._shared(g) if g is not None else self._candidates(TextIndex(text)):
            out.extend(ph.matches(text, 0, end))
        out.sort(key=_start)
        return out

    def search(
        self, text: str, pos: int = 0, endpos: int | None = None, g: TextIndex | None = None
    ) -> re.Match[str] | None:
        end = len(text) if endpos is None else endpos
        candidates: Sequence[_Phrase]
        best: re.Match[str] | None = None
        if pos or end != len(text):
            candidates = self._candidates(TextIndex(text[pos:end]))
        elif g is not None and self.group is not None:
            # The whole message, in its shared index: each regex's first match is kept there,
            # for the other sets of the group with the same phrase (rules share keywords).
            known = g.first
            first: re.Match[str] | None
            for ph in self._shared(g):
                if ph.rx in known:
                    first = known[ph.rx]
                else:
                    found = ph.matches(text, 0, end, end)
                    first = known[ph.rx] = found[0] if found else None
                if first is not None and (best is None or first.start() < best.start()):
                    best = first
            return best
        else:
            candidates = self._candidates(TextIndex(text) if g is None else g)
        for ph in candidates:
            # Only a match starting before the best so far counts: the first listed wins ties.
            found = ph.matches(text, pos, end, None if best is None else best.start() - 1)
            if found and (best is None or found[0].start() < best.start()):
                best = found[0]
        return best


class PhraseGroup:
    """Phrase sets that are all looked up in the same messages (a classifier's, or the keyword
    conditions of a rule list): their candidates in a message are found in one pass over its
    index instead of one per set; the same lists `PhraseSet._candidates` gives."""

    def __init__(self, sets: Iterable[PhraseSet]) -> None:
        self.by_word: dict[str, list[tuple[int, _Phrase]]] = {}
        self.by_head: dict[str, list[tuple[int, _Phrase]]] = {}
        self.by_sub: list[tuple[str, bool, int, _Phrase]] = []
        self.scanned: list[tuple[int, _Phrase]] = []
        for slot, ps in enumerate(sets):
            if ps.group is not None:
                raise ValueError("a phrase set belongs to one group")
            ps.group, ps.slot = self, slot
            for w, phs in ps.by_word.items():
                self.by_word.setdefault(w, []).extend((slot, ph) for ph in phs)
            for h, phs in ps.by_head.items():
                self.by_head.setdefault(h, []).extend((slot, ph) for ph in phs)
            self.by_sub.extend((lit, is_ascii, slot, ph) for lit, is_ascii, ph in ps.by_sub)
            self.scanned.extend((slot, ph) for ph in ps.scanned)
        self.word_keys = frozenset(self.by_word)
        self.head_keys = frozenset(self.by_head)

    def candidates(self, ix: TextIndex) -> dict[int, list[_Phrase]]:
        """Per slot: the phrases that may match (slots without any left out)."""
        found: dict[int, list[_Phrase]] = {}
        for w in self.word_keys & ix.words:
            for slot, ph in self.by_word[w]:
                if ph.plain or ph.possible(ix):
                    found.setdefault(slot, []).append(ph)
        if self.head_keys:
            for h in self.head_keys & ix.heads:
                for slot, ph in self.by_head[h]:
                    if ph.plain or ph.possible(ix):
                        found.setdefault(slot, []).append(ph)
        text = ix.text
        for lit, is_ascii, slot, ph in self.by_sub:
            if (is_ascii or not ix.ascii) and lit in text and (ph.plain or ph.possible(ix)):
                found.setdefault(slot, []).append(ph)
        checked: dict[tuple[tuple[str, ...], ...], bool] = {}
        for slot, ph in self.scanned:
            if ph.options is not None:
                ok = checked.get(ph.options)
                if ok is None:
                    ok = checked[ph.options] = has_literals(text, ph.options)
                if not ok:
                    continue
            found.setdefault(slot, []).append(ph)
        for phs in found.values():
            if len(phs) > 1:
                phs.sort(key=_rank)
        return found


_rank = operator.attrgetter("rank")


def _start(m: re.Match[str]) -> int:
    return m.start()
