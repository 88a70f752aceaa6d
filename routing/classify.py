"""Classification of one message: language, urgency, category and kind, each with reasons.

Built once from the config (`TextClassifier(config)`), then pure and fast per message:
- language: function-word counts for the organisation's languages, the hint as a prior, and
  a few foreign languages so that German or French is "not recognised" rather than guessed;
- urgency: the signals of the `classifier:` section (shipped defaults plus the organisation's),
  each cancelled by negation ("niemand gewond"), hypotheticals ("als het vlam vat") or nearby
  words, as the signal says; threats count even when negated or conditional;
- category: a small naive Bayes model learned from each category's keywords, examples and
  description (and examples learned from resolved cases), over stemmed words and word pairs;
- kind: praise, complaint and question cues; sarcasm ("geweldig hoor, al de derde keer") and
  praise-plus-complaint are complaints.
"""

from __future__ import annotations

import bisect
import itertools
import math
import operator
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from routing.config import Classifier as ClassifierSettings
from routing.config import Config, SignalSpec
from routing.defaults import LEXICONS, SIGNALS
from routing.text import PhraseGroup, PhraseSet, TextIndex, fold, index, stem, words
from routing.types import CaseInput, Classification, Example, Kind, Reason, Urgency

NOT_RECOGNISED = "language not recognised, default used"
_SENTENCE = re.compile(r"[.!?\n;:]+|\s[-–]\s")
_CLAUSE = re.compile(r"[,()\"]")
_WORD_RX = re.compile(r"[\w']+")
_NAME = re.compile(r"\b([A-Z][a-z]{2,})\b")
_POSSIBILITY = re.compile(
    r"\s*(?:could|would|might|can|may|will|kan|kunnen|zou|zouden|kun)\s+"
    r"(?:it|this|that|the|a|an|het|dit|dat|de|een|die|hij|zo'?n)\b"
)
_PERCEIVER = re.compile(r"\s+(?:ik|we|wij|je|jij|u|i|you)\b")
# "when I log in I see someone else's orders", "als ik hem aanzet ruik ik gas": a condition
# followed by what the writer perceives is a fact that recurs, not a hypothetical.
_OBSERVED = re.compile(
    r"\b(?:(?:i|we)\s+(?:can\s+)?(?:see|saw|smell|smelled|smelt|hear|heard|feel|felt|get|got)|"
    r"(?:zie|zag|ruik|rook|hoor|hoorde|voel|voelde|krijg|kreeg)\s+(?:ik|we|je)|"
    r"(?:ik|we)\s+(?:zie|zag|ruik|rook|hoor|voel|krijg|kreeg))\b"
)
_COURTESY = re.compile(
    r"\b(?:alvast (?:bedankt|dank)|bij voorbaat dank|thanks? in advance|thank you in advance)\b"
)
_TOKEN = re.compile(r"[a-z0-9€]+(?:['’][a-z]+)?")  # the same tokens as routing.text.words


def _union(phrases: Iterable[str]) -> PhraseSet | None:
    ps = PhraseSet(phrases)
    return ps if ps else None


CLASSIFY_CHARS = 12_000  # how much of a message classification reads
CLASSIFY_TAIL = 2_000  # of which from its end


@dataclass(frozen=True)
class _Signal:
    id: str
    label: str
    level: str
    lang: str | None
    rx: PhraseSet
    unless: PhraseSet | None
    requires: PhraseSet | None
    negatable: bool
    hypothetical_ok: bool
    weight: float
    kind_hint: str | None
    # Words written in its patterns ("geen" in "geen verwarming"; for a regular expression,
    # its letter runs, so "don't recognise" written in one is not its own negation).
    own_words: frozenset[str]


def merged_settings(config: Config) -> tuple[list[SignalSpec], dict[str, dict[str, list[str]]]]:
    """Shipped defaults combined with the organisation's `classifier:` section."""
    cs: ClassifierSettings = config.classifier
    signals: dict[str, SignalSpec] = {}
    lexicons: dict[str, dict[str, list[str]]] = {}
    if cs.use_defaults:
        for raw in SIGNALS:
            spec = SignalSpec.model_validate(raw)
            signals[spec.id] = spec
        for name, per_lang in LEXICONS.items():
            lexicons[name] = {lang: list(ws) for lang, ws in per_lang.items()}
    for spec in cs.signals:
        signals[spec.id] = spec
    for sid in cs.disable:
        signals.pop(sid, None)
    for name, per_lang in cs.lexicons.items():
        target = lexicons.setdefault(name, {})
        for lang, ws in per_lang.items():
            target.setdefault(lang, []).extend(ws)
    return list(signals.values()), lexicons


@dataclass
class _Scan:
    """Per-message working state shared by the steps below."""

    raw: str
    folded: str
    tokens: list[str]
    sentence_starts: list[int]
    ix: TextIndex  # the words of `folded`, where the phrase sets look their phrases up


class TextClassifier:
    def __init__(self, config: Config, learned: Sequence[Example] = ()) -> None:
        self.config = config
        cs = config.classifier
        self.weights = cs.weights
        self.thresholds = cs.thresholds
        self.languages = list(config.organisation.languages)
        self.default_language = config.organisation.default_language
        self.fallback_category = cs.fallback_category
        specs, lex = merged_settings(config)
        self.signals = [
            _Signal(
                id=s.id,
                label=s.label or s.id.replace("_", " "),
                level=s.level,
                lang=s.lang,
                rx=PhraseSet(s.patterns),
                unless=_union(s.unless),
                requires=_union(s.requires),
                negatable=s.negatable,
                hypothetical_ok=s.hypothetical_ok,
                weight=s.weight,
                kind_hint=s.kind_hint,
                own_words=frozenset(
                    w for p in s.patterns for w in _WORD_RX.findall(fold(p).replace("'?", "'"))
                ),
            )
            for s in specs
            if s.patterns
        ]

        def all_langs(name: str) -> list[str]:
            return [w for ws in lex.get(name, {}).values() for w in ws]

        self.negators = _union(all_langs("negators"))
        self.hypothetical = _union(all_langs("hypothetical"))
        self.clause_breaks = _union(all_langs("clause_breaks"))
        self.negation_breaks = _union(all_langs("clause_breaks") + all_langs("negation_breaks"))
        self.praise = _union(all_langs("praise"))
        self.complaint = _union(all_langs("complaint"))
        self.sarcasm = _union(all_langs("sarcasm"))
        self.conduct = _union(all_langs("conduct"))
        self.conduct_praise = _union(all_langs("conduct_praise"))
        self.staff_roles = _union(all_langs("staff_roles"))
        self.contrast = _union(all_langs("contrast"))
        self.conditional = _union(all_langs("conditional"))
        self.modal = _union(all_langs("modal"))
        qs = sorted(all_langs("question_starts"), key=len, reverse=True)
        self.question_start = re.compile(
            r"^(?:(?:@\w+|hoi|hallo|hi|hey|hiya|hello|beste|dag|goedemorgen|goedemiddag|goedenavond|"
            r"goeiemorgen|goeiedag|goededag|good morning|good afternoon|good evening|dear \w+|"
            r"sorry to bother you|excuse me)\W+)*(?:" + "|".join(re.escape(fold(q)) for q in qs) + r")\b"
        )
        self.stopwords: dict[str, frozenset[str]] = {
            lang: frozenset(fold(w) for w in ws) for lang, ws in lex.get("stopwords", {}).items()
        }
        self.foreign: dict[str, frozenset[str]] = {
            lang: frozenset(fold(w) for w in ws)
            for lang, ws in lex.get("foreign_stopwords", {}).items()
            if lang not in self.languages
        }
        all_stop: set[str] = set()
        for ws in self.stopwords.values():
            all_stop |= ws
        # Words that say nothing about what a message is about ("open", "off", "geworden")
        # count for no category, though they are no function words for language detection.
        all_stop |= {fold(w) for w in all_langs("generic")}
        self.all_stop = frozenset(all_stop)
        self._names = self._people_names(config)
        # The sets searched in the whole message, looked up in one pass per message.
        PhraseGroup(
            [ps for sig in self.signals for ps in (sig.rx, sig.requires) if ps is not None]
            + [ps for ps in (self.sarcasm, self.praise, self.complaint, self.conduct,
                             self.conduct_praise, self.staff_roles, self.contrast) if ps is not None]
        )  # fmt: skip
        self.model = _CategoryModel(config, learned, self.all_stop)

    # -- public ------------------------------------------------------------------------------
    def classify(self, inp: CaseInput, prior_contacts: dict[str, int] | None = None) -> Classification:
        raw = inp.text or ""
        long_reason: list[Reason] = []
        if len(raw) > CLASSIFY_CHARS:
            # A very long paste would block every other chat for a third of a second. What
            # decides urgency and category is nearly always at the start, or in the last lines
            # of a rant ("... and now there is smoke"). The case keeps the whole text; only
            # classification reads its start and its end.
            head, tail = CLASSIFY_CHARS - CLASSIFY_TAIL, CLASSIFY_TAIL
            long_reason.append(Reason("long message", "", f"classified on the first {head:,} "
                                      f"and last {tail:,} of {len(raw):,} characters"))
            raw = raw[:head] + "\n" + raw[-tail:]
        folded = fold(raw)
        tokens = words(folded)
        scan = _Scan(raw[: len(folded) + 1000], folded, tokens, self._sentence_starts(folded), index(folded))

        language, lang_reason, present = self._language(tokens, inp.language)
        lang_reasons: list[Reason] = []
        if lang_reason == NOT_RECOGNISED:
            lang_reasons.append(Reason(NOT_RECOGNISED, "", f"language={language}"))

        fired, cancelled = self._signals(scan, present)
        kind, kind_reasons = self._kind(scan, fired)
        category, cat_reasons, named = self._category(scan, kind)
        urgency, urg_reasons, repeat = self._urgency(
            scan,
            fired,
            cancelled,
            kind,
            category,
            (prior_contacts if prior_contacts is not None else inp.customer.prior_contacts),
            inp.customer.vulnerable,
        )
        if kind is Kind.compliment and urgency is not Urgency.low:
            urg_reasons.append(Reason("compliment", "", "urgency=low (every compliment)"))
            urgency = Urgency.low
        return Classification(
            urgency=urgency,
            urgency_reasons=tuple(urg_reasons),
            category=category,
            category_reasons=tuple(lang_reasons + long_reason + cat_reasons),
            kind=kind,
            kind_reasons=tuple(kind_reasons),
            language=language,
            language_reason=lang_reason,
            repeat_contact=repeat,
            named_people=named,
        )

    def category_scores(self, text: str) -> dict[str, float]:
        """The category model's raw scores for a text (for learning and diagnostics)."""
        folded = fold(text)
        scores, _ = self.model.score(words(folded), self._sentence_starts(folded), folded)
        return scores

    # -- language ----------------------------------------------------------------------------
    def _language(self, tokens: list[str], hint: str | None) -> tuple[str, str, set[str]]:
        if not tokens:
            return self.default_language, NOT_RECOGNISED, {self.default_language}
        sample = tokens[:400]
        counts = {lang: sum(map(ws.__contains__, sample)) for lang, ws in self.stopwords.items()}
        foreign = {lang: sum(map(ws.__contains__, sample)) for lang, ws in self.foreign.items()}
        scores = {lang: float(counts.get(lang, 0)) for lang in self.languages}
        hint_l = (hint or "").lower()[:2]
        if hint_l in scores:
            scores[hint_l] += self.thresholds.language_hint_prior
        best = max(scores, key=lambda lang: scores[lang])
        known = max(counts.get(lang, 0) for lang in self.languages) if self.languages else 0
        best_foreign = max(foreign.values()) if foreign else 0
        if best_foreign > known and best_foreign >= 2:
            return self.default_language, NOT_RECOGNISED, {self.default_language}
        if known < self.thresholds.language_min_hits:
            if hint_l in scores and len(sample) <= 3:
                return hint_l, f"hint {hint_l} (too short to tell)", {hint_l}
            return self.default_language, NOT_RECOGNISED, {self.default_language}
        present = {best} | {
            lang
            for lang in self.languages
            if counts.get(lang, 0) >= 2 and counts.get(lang, 0) >= 0.25 * counts.get(best, 0)
        }
        reason = f"{best}: {counts.get(best, 0)} function words"
        if hint_l and hint_l != best:
            reason += f" (hint {hint_l} outweighed)"
        return best, reason, present

    # -- signals -----------------------------------------------------------------------------
    @staticmethod
    def _sentence_starts(folded: str) -> list[int]:
        return [0] + [m.end() for m in _SENTENCE.finditer(folded)]

    def _clause_before(
        self, scan: _Scan, pos: int, max_words: int, breaks: PhraseSet | None = None
    ) -> str:
        """The words before `pos` in the same clause, at most `max_words`."""
        text = scan.folded
        start = max(0, pos - 120)
        seg = text[start:pos]
        cut = max((m.end() for m in _SENTENCE.finditer(seg)), default=0)
        cut = max(cut, max((m.end() for m in _CLAUSE.finditer(seg)), default=0))
        seg = seg[cut:]
        breaks = breaks if breaks is not None else self.clause_breaks
        if breaks is not None:
            last = None
            for m in breaks.finditer(seg):
                last = m
            if last is not None:
                seg = seg[last.end() :]
        ws = _WORD_RX.findall(seg)
        return " ".join(ws[-max_words:])

    def _hypothetical(self, scan: _Scan, start: int, end: int) -> bool:
        before = self._clause_before(scan, start, 8)
        if self.hypothetical is not None and self.hypothetical.search(before):
            return True
        if self._possibility_question(scan, start):
            return True
        if self.conditional is None or self.modal is None:
            return False
        conds = list(self.conditional.finditer(before))
        cond = conds[-1] if conds else None
        if cond is None:
            return False
        span = before[cond.end() :] + " " + scan.folded[start : end + 30]
        if _OBSERVED.search(before, cond.end()):
            return False
        if self._in_question(scan, start, same_clause=True):
            return True  # "Wie betaalt de schade als het vlam vat?", "what happens if it catches fire?"
        # "als ik de deur open kan ik gas ruiken": a modal before I/we says what one notices.
        return any(not _PERCEIVER.match(span, m.end()) for m in self.modal.finditer(span))

    @staticmethod
    def _in_question(scan: _Scan, pos: int, same_clause: bool = False) -> bool:
        """Whether the sentence holding `pos` ends with a question mark (and, with
        `same_clause`, no comma comes between: "als ik hem aanzet komt er rook uit, wat moet
        ik doen?" asks what to do about a fact)."""
        starts = scan.sentence_starts
        i = bisect.bisect_right(starts, pos) - 1
        s1 = starts[i + 1] if i + 1 < len(starts) else len(scan.folded)
        if "?" not in scan.folded[max(starts[i], s1 - 3) : s1]:
            return False
        return not (same_clause and _CLAUSE.search(scan.folded, pos, s1))

    def _possibility_question(self, scan: _Scan, start: int) -> bool:
        """'Could the dryer catch fire if ...?', 'Kan de stekker smelten?': a question about what
        the thing might do, with the safety word in its first clause, is no danger now. A
        request ('Can you come, I smell gas?') or a question about a person is not this."""
        if not self._in_question(scan, start):
            return False
        starts = scan.sentence_starts
        s0 = starts[bisect.bisect_right(starts, start) - 1]
        head = scan.folded[s0:start]
        if not _POSSIBILITY.match(head) or _CLAUSE.search(head):
            return False
        return not (self.clause_breaks is not None and self.clause_breaks.search(head))

    def _negated(self, scan: _Scan, sig: _Signal, start: int, matched: str) -> bool:
        """A negator just before the match, in the same part of the sentence ("no one was
        hurt", "geen gaslucht"), or inside a gapped match ("smell no gas"). A negator the
        pattern itself is made of ("geen verwarming", "left without") negates nothing; "and"
        ends the scope ("de koelkast doet het niet en mijn insuline ...")."""
        if self.negators is None:
            return False
        if self.negators.search(self._clause_before(scan, start, 3, self.negation_breaks)):
            return True
        inside = " ".join(w for w in _WORD_RX.findall(matched) if w not in sig.own_words)
        return bool(inside) and self.negators.search(inside) is not None

    def _signals(self, scan: _Scan, present: set[str]) -> tuple[list[tuple[_Signal, str]], list[Reason]]:
        fired: list[tuple[_Signal, str]] = []
        cancelled: list[Reason] = []
        text = scan.folded
        for sig in self.signals:
            if sig.lang is not None and sig.lang not in present:
                continue
            hit: str | None = None
            for m in sig.rx.finditer(text, scan.ix):
                words_ = m.group(0)
                why = ""
                if sig.unless is not None and sig.unless.search(
                    text, max(0, m.start() - 40), min(len(text), m.end() + 40)
                ):
                    why = "ignored: other meaning nearby"
                elif sig.negatable and self._negated(scan, sig, m.start(), words_):
                    why = "ignored: negated"
                elif (
                    sig.level == "critical"
                    and not sig.hypothetical_ok
                    and self._hypothetical(scan, m.start(), m.end())
                ):
                    why = "ignored: hypothetical"
                elif sig.requires is not None and not sig.requires.search(text, g=scan.ix):
                    why = "ignored: context missing"
                if why:
                    cancelled.append(Reason(sig.label, words_, why))
                    continue
                hit = words_
                break
            if hit is not None:
                fired.append((sig, hit))
        return fired, cancelled

    # -- urgency -----------------------------------------------------------------------------
    def _urgency(
        self,
        scan: _Scan,
        fired: list[tuple[_Signal, str]],
        cancelled: list[Reason],
        kind: Kind,
        category: str,
        prior_contacts: dict[str, int],
        vulnerable: bool,
    ) -> tuple[Urgency, list[Reason], bool]:
        reasons: list[Reason] = []
        level = Urgency.normal
        for sig, w in fired:
            if sig.level in ("critical", "high"):
                u = Urgency(sig.level)
                reasons.append(Reason(sig.label, w, f"urgency>={u.value}"))
                level = Urgency.max(level, u)
        ids = {sig.id: w for sig, w in fired}
        for combo in self.config.classifier.combinations:
            if all(i in ids for i in combo.all):
                u = Urgency(combo.level)
                words_ = ", ".join(ids[i] for i in combo.all)
                reasons.append(Reason(combo.label, words_, f"urgency>={u.value}"))
                level = Urgency.max(level, u)
        repeat = False
        for sig, w in fired:
            if sig.level == "repeat":
                repeat = True
                reasons.append(Reason(sig.label, w, "repeat contact: urgency>=high"))
        prior = prior_contacts.get(category, 0)
        if prior >= 2:
            repeat = True
            window = self.config.organisation.repeat_window.days
            reasons.append(
                Reason(
                    "third or later contact",
                    f"{prior} earlier contacts about {category}",
                    f"within {window} days: urgency>=high",
                )
            )
        if repeat:
            level = Urgency.max(level, Urgency.high)
        if vulnerable:
            reasons.append(Reason("vulnerable customer", "customer record", "urgency>=high"))
            level = Urgency.max(level, Urgency.high)
        if level is Urgency.normal:
            low = [(s, w) for s, w in fired if s.level == "low"]
            n_words = len(scan.tokens)
            if kind is Kind.question and not low:
                low = []
                reasons.append(Reason("plain question", "", "urgency=low"))
                level = Urgency.low
            elif (
                low
                and sum(s.weight for s, _ in low) >= self.thresholds.low_min
                and n_words <= self.thresholds.low_max_words
            ):
                for s, w in low:
                    reasons.append(Reason(s.label, w, "urgency=low"))
                level = Urgency.low
            elif kind is Kind.question:
                reasons.append(Reason("plain question", "", "urgency=low"))
                level = Urgency.low
        for s, w in fired:
            if s.level == "normal":
                reasons.append(Reason(s.label, w, "urgency>=normal"))
                if level is Urgency.low:
                    level = Urgency.normal
        if not reasons:
            reasons.append(Reason("no urgency signal", "", f"urgency={level.value}"))
        if scan.raw and _shouting(scan.raw):
            reasons.append(Reason("shouting", "", "no effect: capitals raise nothing by themselves"))
        reasons.extend(cancelled)
        return level, reasons, repeat

    # -- kind --------------------------------------------------------------------------------
    def _kind(self, scan: _Scan, fired: list[tuple[_Signal, str]]) -> tuple[Kind, list[Reason]]:
        text = scan.folded
        reasons: list[Reason] = []
        if not text:
            return Kind.complaint, [Reason("empty message", "", "kind=complaint (default)")]
        sarcasm = self.sarcasm.search(text, g=scan.ix) if self.sarcasm is not None else None
        praise: list[re.Match[str]] = []
        if self.praise is not None:
            for m in self.praise.finditer(text, scan.ix):
                if self.negators is not None and self.negators.search(
                    self._clause_before(scan, m.start(), 2)
                ):
                    continue  # "not very friendly" is no praise
                if _COURTESY.search(text, max(0, m.start() - 14), m.end() + 12):
                    continue  # "alvast bedankt", "thanks in advance": politeness, not praise
                praise.append(m)
        praise_hits = [m.group(0) for m in praise]
        complaint_hits = [
            m.group(0)
            for m in (self.complaint.finditer(text, scan.ix) if self.complaint else [])
            # "no complaints", "zonder 1 probleem": a negated complaint word is no complaint
            if not (self.negators is not None
                    and self.negators.search(self._clause_before(scan, m.start(), 2)))
        ]
        complaint_hits += [w for s, w in fired if s.kind_hint == "complaint"]
        threat = [w for s, w in fired if s.level in ("critical", "high", "repeat")]
        n_words = len(scan.tokens)
        question = bool(self.question_start.search(text)) or (text.rstrip().endswith("?") and n_words <= 25)
        if sarcasm is not None and (praise_hits or complaint_hits or threat):
            reasons.append(Reason("sarcasm", sarcasm.group(0), "praise read as complaint"))
            return Kind.complaint, reasons
        n_praise, n_complaint = len(praise_hits), len(complaint_hits) + len(threat)
        contrast = None
        if praise and self.contrast is not None:
            contrast = self.contrast.search(text, praise[0].end())
        if (
            praise_hits
            and contrast is None
            and n_words <= 60
            and (n_complaint == 0 or (n_praise >= 2 and n_praise > n_complaint))
        ):
            reasons.append(Reason("praise", ", ".join(dict.fromkeys(praise_hits)), "kind=compliment"))
            return Kind.compliment, reasons
        if question and not complaint_hits and not [s for s, _ in fired if s.level != "critical"]:
            reasons.append(Reason("question", text[:40], "kind=question"))
            return Kind.question, reasons
        if praise_hits:
            words_ = praise_hits[:2] + ([contrast.group(0)] if contrast else []) + complaint_hits[:2]
            reasons.append(
                Reason(
                    "praise and complaint",
                    ", ".join(dict.fromkeys(words_)),
                    "kind=complaint (praise with a complaint is a complaint)",
                )
            )
        elif complaint_hits or threat:
            reasons.append(
                Reason(
                    "dissatisfaction",
                    ", ".join(dict.fromkeys((complaint_hits + threat)[:4])),
                    "kind=complaint",
                )
            )
        else:
            reasons.append(Reason("no praise or question", "", "kind=complaint (default)"))
        return Kind.complaint, reasons

    # -- category ----------------------------------------------------------------------------
    def _contrast_segments(self, scan: _Scan) -> list[tuple[int, int, float]]:
        """'The cooker works fine, but the delivery was late': the part after 'but' is the
        subject. Within a sentence, words before a contrast word count less, after it more."""
        if self.contrast is None:
            return []
        out: list[tuple[int, int, float]] = []
        starts = scan.sentence_starts
        for m in self.contrast.finditer(scan.folded, scan.ix):
            i = bisect.bisect_right(starts, m.start()) - 1
            start = starts[i]
            end = starts[i + 1] if i + 1 < len(starts) else len(scan.folded)
            out.append((start, m.start(), 0.7))
            out.append((m.end(), end, 1.3))
        return out

    @staticmethod
    def _people_names(config: Config) -> dict[str, list[str]]:
        names: dict[str, list[str]] = {}
        for p in config.people:
            for n in {p.display_first_name, p.name}:
                names.setdefault(n, []).append(p.id)
        return names

    def _named_people(self, raw: str) -> tuple[str, ...]:
        if not self._names:
            return ()
        found: list[str] = []
        for full, ids in self._names.items():
            if " " in full and full in raw:
                found.extend(ids)
        if not found:
            for m in _NAME.finditer(raw[:5000]):
                found.extend(self._names.get(m.group(1), []))
        return tuple(dict.fromkeys(found))

    def _category(self, scan: _Scan, kind: Kind) -> tuple[str, list[Reason], tuple[str, ...]]:
        extra: dict[str, float] = {}
        reasons: list[Reason] = []
        named = self._named_people(scan.raw)
        text = scan.folded
        conduct = self.conduct.search(text, g=scan.ix) if self.conduct is not None else None
        if conduct is None and kind is Kind.compliment and self.conduct_praise is not None:
            conduct = self.conduct_praise.search(text, g=scan.ix)
        about_staff = (
            bool(named)
            or _mentions_named_employee(scan.raw)
            or (self.staff_roles is not None and self.staff_roles.search(text, g=scan.ix) is not None)
        )
        segments = self._contrast_segments(scan)
        if conduct is not None and about_staff and "staff_conduct" in self.model.index:
            boost = self.weights.named_employee
            extra["staff_conduct"] = boost
            reasons.append(
                Reason("employee's behaviour", conduct.group(0), f"category staff_conduct +{boost:g}")
            )
            # "the driver swore at me": the driver is who behaved, not what it is about, so
            # role words stop pointing at their department.
            if self.staff_roles is not None:
                segments += [(m.start(), m.end(), 0.0) for m in self.staff_roles.finditer(text, scan.ix)]
        scores, contrib = self.model.score(scan.tokens, scan.sentence_starts, scan.folded, segments)
        for c, v in extra.items():
            scores[c] = scores.get(c, 0.0) + v
        if not scores:
            return (
                self.fallback_category,
                [Reason("no category evidence", "", f"category={self.fallback_category}")],
                named,
            )
        best = max(scores, key=lambda c: scores[c])
        if scores[best] < self.thresholds.category_min_score:
            reasons.append(
                Reason(
                    "no category clearly indicated",
                    "",
                    f"category={self.fallback_category} (best {best} {scores[best]:.1f} "
                    f"< {self.thresholds.category_min_score:g})",
                )
            )
            return self.fallback_category, reasons, named
        top = sorted(contrib.get(best, {}).items(), key=lambda kv: -kv[1])[:4]
        runner = sorted(scores.items(), key=lambda kv: -kv[1])[1:2]
        effect = f"category={best} ({scores[best]:.1f}"
        effect += f" vs {runner[0][0]} {runner[0][1]:.1f})" if runner else ")"
        reasons.insert(0, Reason("category words", ", ".join(w for w, _ in top if _ > 0), effect))
        return best, reasons, named


_ROLE = re.compile(
    r"\b(?:medewerker|medewerkster|monteur|bezorger|chauffeur|planner|collega|ene|meneer|mevrouw|"
    r"employee|agent|driver|courier|mechanic|fitter|installer|technician|colleague|named|called|"
    r"lady|guy|man|woman)\s+(?:[A-Z][a-z]+)\b"
    r"|\b[A-Z][a-z]{2,}\s+(?:van de klantenservice|from customer service|on the phone"
    r"|aan de telefoon)\b"
    r"|\b(?:her|his) name was\b|\bthank you [A-Z][a-z]+\b|\bbedankt [A-Z][a-z]+\b|"
    r"\b(?:van|from|of)\s+[A-Z][a-z]+\b(?=[^.]*\b(?:antwoord|reply|answer)\b)"
)


def _mentions_named_employee(raw: str) -> bool:
    return bool(_ROLE.search(raw[:5000]))


def _shouting(raw: str) -> bool:
    letters = list(filter(str.isalpha, raw[:2000]))
    return len(letters) >= 12 and sum(map(str.isupper, letters)) / len(letters) > 0.6


_MIN_HEAD = 4  # the shortest compound head worth looking up ("datum", "label", "kosten")
_MIN_MODIFIER = 3  # the shortest modifier ("gas" in gasfornuis)


class _CategoryModel:
    """Multinomial naive Bayes over stems, stem pairs and keyword phrases, centred per feature.

    Training data: each category's keywords, examples, description, and learned examples.
    Centring the log-probabilities makes features that every category shares count for
    nothing, so only telling words move the decision.

    Keywords are the organisation's strongest statement about a category, so they weigh more
    than a word of an example; but a keyword of several words ("old fridge", "nobody came",
    "niet meegenomen") states the *phrase*, not each of its words: the phrase, matched in the
    message with its function words, gets the keyword weight, and its words count only like
    words of an example. Otherwise the appliance in "old fridge" would outweigh "arrive" and
    "nobody came" in a delivery complaint, and phrases made of function words would count for
    nothing at all.

    Dutch glues words together (retourlabel, pakketbezorger, bezorgingsdatum): a word the
    model does not know is split into a known head and modifier, each counting half.
    """

    def __init__(self, config: Config, learned: Sequence[Example], stop: frozenset[str]) -> None:
        w = config.classifier.weights
        self.stop = stop
        self.bigram_w = w.bigram
        self.phrase_w = w.phrase
        self.subject_boost = w.subject_boost
        counts: dict[str, dict[str, float]] = {}
        # first key of a phrase -> the phrases (as key tuples) starting with it, longest first
        phrases: dict[str, set[tuple[str, ...]]] = {}

        def add(cid: str, feature: str, n: float) -> None:
            target = counts.setdefault(cid, {})
            target[feature] = target.get(feature, 0.0) + n

        surface: set[str] = set()

        def learn(cid: str, text: str, weight: float) -> None:
            toks = words(fold(text))
            surface.update(toks)
            for f, n in self._features(toks).items():
                add(cid, f, n * weight)

        def learn_keyword(cid: str, keyword: str) -> None:
            toks = words(fold(keyword))
            surface.update(toks)
            content = self._content(toks)
            if len(toks) == 1 and content:
                add(cid, content[0], w.keyword)
                return
            if len(toks) < 2:
                return  # a lone function word ("van" is one in Dutch) says nothing
            key = tuple(_key(t) for t in toks)
            phrases.setdefault(key[0], set()).add(key)
            add(cid, _PHRASE + " ".join(key), w.keyword)
            for s in content:
                add(cid, s, w.example)

        for cat in config.categories:
            counts[cat.id] = {}
            for kws in cat.keywords.values():
                for kw in kws:
                    learn_keyword(cat.id, kw)
            for exs in cat.examples.values():
                for text in exs:
                    learn(cat.id, text, w.example)
            if cat.description:
                learn(cat.id, cat.description, w.description)
        for ex in learned:
            if ex.category in counts:
                learn(ex.category, ex.text, w.learned * ex.weight)
        self.cats = [c for c, cnt in counts.items() if sum(cnt.values()) > 0]
        self.index = {c: i for i, c in enumerate(self.cats)}
        self.phrases = {k: sorted(v, key=len, reverse=True) for k, v in phrases.items()}
        vocab: set[str] = set()
        for c in self.cats:
            vocab |= set(counts[c])
        alpha = w.smoothing
        v = max(1, len(vocab))
        table: dict[str, tuple[float, ...]] = {}
        totals = [sum(counts[c].values()) for c in self.cats]
        for f in vocab:
            logs = [
                math.log((counts[c].get(f, 0.0) + alpha) / (totals[i] + alpha * v))
                for i, c in enumerate(self.cats)
            ]
            mean = sum(logs) / len(logs)
            table[f] = tuple(x - mean for x in logs)
        self.table = table
        # Per feature: the category it points to most (the first, in a tie) and by how much.
        self.best_of: dict[str, tuple[str, float]] = {}
        for f, row in table.items():
            best = max(range(len(row)), key=row.__getitem__)
            self.best_of[f] = (self.cats[best], row[best])
        self.surface = frozenset(t for t in surface if len(t) >= _MIN_HEAD and t not in stop)
        self._splits: dict[str, tuple[tuple[str, str], ...]] = {}

    def _content(self, tokens: list[str]) -> list[str]:
        """Keys of the words that carry meaning: no function words, numbers or single letters."""
        out: list[str] = []
        for t in tokens:
            k = _key(t)
            if k == _MONEY or (t not in self.stop and len(t) > 1 and not t.isdigit()):
                out.append(k)
        return out

    def _features(self, tokens: list[str]) -> Counter[str]:
        out: Counter[str] = Counter()
        content = self._content(tokens)
        for s in content:
            out[s] += 1
        for a, b in itertools.pairwise(content):
            out[a + " " + b] += 1
        return out

    def _split(self, token: str) -> tuple[tuple[str, str], ...]:
        """A word the model does not know, as known parts: (key, shown) pairs, or ().

        The head (the last part, which carries the meaning in Dutch compounds) must be a word
        the model was taught as a whole, not a fragment of one; the modifier may be any form
        whose stem is known, with a linking s or en dropped (bezorgingsdatum, pannenset).
        """
        cached = self._splits.get(token)
        if cached is not None:
            return cached
        found: tuple[tuple[str, str], ...] = ()
        if len(token) >= _MIN_HEAD + _MIN_MODIFIER and token.isalpha():
            for i in range(_MIN_MODIFIER, len(token) - _MIN_HEAD + 1):  # longest head first
                head = token[i:]
                if head not in self.surface or stem(head) not in self.table:
                    continue
                mod = token[:i]
                parts = [(stem(head), head)]
                for m in (mod, mod[:-1] if mod.endswith("s") else "", mod[:-2] if mod.endswith("en") else ""):
                    if len(m) >= _MIN_MODIFIER and m not in self.stop and stem(m) in self.table:
                        parts.insert(0, (stem(m), m))
                        break
                found = tuple(parts)
                break
        if len(self._splits) < 50_000:
            self._splits[token] = found
        return found

    def score(
        self,
        tokens: list[str],
        sentence_starts: list[int],
        folded: str,
        segments: Sequence[tuple[int, int, float]] = (),
    ) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
        """Category scores; `segments` (start, end, factor) weigh parts of the text."""
        if not self.cats:
            return {}, {}
        first_end = len(folded)
        if len(sentence_starts) > 1:
            first_end = sentence_starts[1]
        # Every word (the first 3,000): its key, as written, and its weight factor.
        toks: list[str] = _TOKEN.findall(folded)[:3000]
        keys: list[str] = list(map(stem, toks))
        if "€" in folded:
            keys = [_MONEY if "€" in t else k for t, k in zip(toks, keys, strict=True)]  # _key(t)
        n = len(toks)
        # The words that start before the end of the first sentence (one match each, even when
        # the end cuts one short) get the subject boost.
        n_first = min(n, len(_TOKEN.findall(folded, 0, first_end)))
        factors = [self.subject_boost] * n_first + [1.0] * (n - n_first)
        if segments:
            starts = [m.start() for m in itertools.islice(_TOKEN.finditer(folded), 3000)]
            for a, b, f in segments:  # a <= start < b, segment after segment
                for i in range(bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)):
                    factors[i] *= f
        table = self.table
        best_of = self.best_of
        totals = [0.0] * len(self.cats)
        contrib: dict[str, dict[str, float]] = {}
        seen: dict[str, int] = {}

        def add(feature: str, shown: str, weight: float) -> bool:
            nonlocal totals
            row = table.get(feature)
            if row is None:
                return False
            n_seen = seen[feature] = seen.get(feature, 0) + 1
            if n_seen > 2:
                return True
            totals = list(map(operator.add, totals, map(operator.mul, row, itertools.repeat(weight))))
            best, top = best_of[feature]
            d = contrib.setdefault(best, {})
            d[shown] = d.get(shown, 0.0) + top * weight
            return True

        # Keyword phrases, matched over all words (function words included); and a compound
        # written apart ("retour label") or a Dutch verb split by "te" ("terug te sturen", "op
        # te halen"), which counts as the word the model knows. Both are looked up for all
        # words at once, then added in the order of the words.
        phrases = self.phrases
        nxt = toks[1:]  # the word after each word, or after its "te"
        if "te" in nxt:
            nxt = [toks[i + 2] if w == "te" and i + 2 < n else w for i, w in enumerate(nxt)]
        joined = list(map(stem, map(operator.add, toks, nxt)))
        at = {i for i, jk in enumerate(joined) if jk in table}
        at.update(i for i, k in enumerate(keys) if k in phrases)
        for i in sorted(at):
            k, t, boost = keys[i], toks[i], factors[i]
            in_phrase = False
            for ph in phrases.get(k, ()):
                size = len(ph)
                if i + size <= n and all(keys[i + j] == ph[j] for j in range(1, size)):
                    add(_PHRASE + " ".join(ph), " ".join(toks[i : i + size]), self.phrase_w * boost)
                    in_phrase = True
                    break
            if in_phrase or i + 1 >= n or not t.isalpha():
                continue
            jk = joined[i]
            if jk in table and jk != k and nxt[i].isalpha():
                add(jk, t + " " + nxt[i], boost)
        seq = zip(keys, toks, factors, strict=True)
        stop = self.stop
        content = [
            (k, t, boost)
            for k, t, boost in seq
            if k == _MONEY or (t not in stop and len(t) > 1 and not t.isdigit())
        ]
        known = 0
        last = len(content) - 1
        bigram_w = self.bigram_w
        for j, (s, t, boost) in enumerate(content):
            if add(s, t, boost):
                known += 1
            else:
                parts = self._split(t)
                for pk, pt in parts:
                    add(pk, pt, 0.5 * boost)
                known += 1 if parts else 0
            if j < last:
                s2, t2, _ = content[j + 1]
                pair = s + " " + s2
                if pair in table:  # add() does nothing for an unknown feature
                    add(pair, t + " " + t2, bigram_w * boost)
        # Long messages collect more evidence; damp by the words the model knows, so a paste
        # of log lines or numbers does not drown the sentence that says what is wrong.
        scale = 1.0 / max(1.0, math.sqrt(known / 6.0))
        scores = {c: totals[i] * scale for i, c in enumerate(self.cats)}
        return scores, contrib


_PHRASE = "p:"  # feature prefix of a keyword phrase
_MONEY = "euro"  # "€119", "€ 5", "euro" are one key: an amount of money


def _key(token: str) -> str:
    """The model's key for one word: its stem; an amount of money is `euro`."""
    if "€" in token:
        return _MONEY
    return stem(token)
