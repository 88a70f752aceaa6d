"""The configuration schema: `config.yaml` parsed once into types, failing loudly.

Every problem names file, line and key.

Pure: `parse_config(text, filename)` takes the file's text; reading the file is the caller's job.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from routing.types import Urgency

Lang = str  # "nl", "en", ...
Localized = dict[Lang, str]


class ConfigError(Exception):
    """A config that cannot be used. Each problem names file, line and key path."""

    def __init__(self, problems: list[ConfigProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class ConfigProblem:
    def __init__(self, file: str, line: int | None, key: str, message: str, level: str = "error"):
        self.file, self.line, self.key, self.message, self.level = file, line, key, message, level

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.level}: {self.key or '(top level)'}: {self.message}"

    def __repr__(self) -> str:
        return f"ConfigProblem({self!s})"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_DURATION = re.compile(r"^\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?\s*$")


def parse_duration(value: Any) -> timedelta:
    """'30m', '2h', '1d', '1d12h', or a number of seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float):
        return timedelta(seconds=float(value))
    if isinstance(value, str):
        m = _DURATION.match(value)
        if m and any(m.groups()):
            d, h, mi, s = (int(g) if g else 0 for g in m.groups())
            return timedelta(days=d, hours=h, minutes=mi, seconds=s)
    raise ValueError(f"not a duration: {value!r} (write e.g. 30m, 4h, 2d, 1d12h)")


Duration = Annotated[timedelta, Field()]


class Period(Strict):
    """A time-of-day period 'HH:MM-HH:MM'."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> Period:
        m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
        if not m:
            raise ValueError(f"not a period: {text!r} (write e.g. 08:30-12:00)")
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h2 == 24 and m2 == 0:
            end = time(23, 59, 59)
        else:
            end = time(h2, m2)
        start = time(h1, m1)
        if end <= start:
            raise ValueError(f"period {text!r} ends before it starts")
        return cls(start=start, end=end)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class Hours(Strict):
    """Business hours: per weekday, several periods a day; holidays; a time zone."""

    timezone: str = "Europe/Amsterdam"
    week: dict[Weekday, list[Period]] = Field(default_factory=dict)
    holidays: list[str] = Field(default_factory=list)  # ISO dates, YYYY-MM-DD

    @field_validator("week", mode="before")
    @classmethod
    def _periods(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {
                k: [Period.parse(p) if isinstance(p, str) else p for p in (ps or [])]
                for k, ps in v.items()
            }
        return v


class RotaSlot(Strict):
    person: str
    days: list[Weekday]
    hours: list[Period] = Field(default_factory=list)  # empty: all day

    @field_validator("hours", mode="before")
    @classmethod
    def _periods(cls, v: Any) -> Any:
        return [Period.parse(p) if isinstance(p, str) else p for p in (v or [])]


class Person(Strict):
    id: str
    name: str
    first_name: str | None = None
    telegram_id: int | None = None
    team: str
    deputy: str | None = None
    away: bool = False
    mandate: float = 0.0
    languages: list[Lang] = Field(default_factory=lambda: ["nl", "en"])

    @property
    def display_first_name(self) -> str:
        return self.first_name or self.name.split()[0]


class Team(Strict):
    id: str
    name: Localized
    lead: str | None = None
    members: list[str] = Field(default_factory=list)
    chat_id: int | None = None  # the team's Telegram group chat, if it has one
    pick: Literal["group", "round_robin", "fewest_open", "rota"] = "round_robin"
    rota: list[RotaSlot] = Field(default_factory=list)
    hours: Hours | None = None
    process_owner: str | None = None
    mandate: float = 0.0


class Category(Strict):
    id: str
    label: Localized
    description: str = ""
    team: str | None = None  # the owning team, informative (rules decide)
    keywords: dict[Lang, list[str]] = Field(default_factory=dict)
    examples: dict[Lang, list[str]] = Field(default_factory=dict)
    requires_reference: bool = False
    root_causes: list[str] = Field(default_factory=list)


class DeadlineProfile(Strict):
    first_response: timedelta
    update_interval: timedelta
    resolution: timedelta
    around_the_clock: bool = False

    @field_validator("first_response", "update_interval", "resolution", mode="before")
    @classmethod
    def _dur(cls, v: Any) -> timedelta:
        return parse_duration(v)


class Condition(Strict):
    """All given conditions must hold; an empty condition matches everything (a catch-all)."""

    category: list[str] | None = None
    urgency_at_least: Urgency | None = None
    urgency_at_most: Urgency | None = None
    urgency: list[Urgency] | None = None
    kind: list[str] | None = None
    channel: list[str] | None = None
    language: list[Lang] | None = None
    segment: list[str] | None = None
    vulnerable: bool | None = None  # CustomerFacts.vulnerable
    repeat: bool | None = None
    keywords: list[str] | None = None
    regex: str | None = None
    weekday: list[Weekday] | None = None
    business_hours: bool | None = None  # uses `hours` of the rule, else organisation hours
    holiday: bool | None = None

    @field_validator("category", "kind", "channel", "language", "segment", "keywords",
                     "weekday", "urgency", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("regex")
    @classmethod
    def _regex(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as e:
                raise ValueError(f"regular expression does not compile: {e}") from e
        return v

    @property
    def is_catch_all(self) -> bool:
        return all(getattr(self, f) is None for f in type(self).model_fields)


class OwnerRef(Strict):
    team: str | None = None
    person: str | None = None
    pick: Literal["group", "round_robin", "fewest_open", "rota"] | None = None  # overrides team's
    # "named_employee_lead": when the message names an employee from `people`, the case goes
    # to that employee's own team lead (staff conduct); otherwise to team/person as given.
    prefer: Literal["named_employee_lead"] | None = None

    @model_validator(mode="after")
    def _one(self) -> OwnerRef:
        if (self.team is None) == (self.person is None):
            raise ValueError("give exactly one of team or person")
        return self


class Action(Strict):
    owner: OwnerRef
    notify: list[str] = Field(default_factory=list)  # person ids, or "lead" / "process_owner"
    tags: list[str] = Field(default_factory=list)
    deadlines: str | None = None  # a profile name; default: the profile named after the urgency


class Rule(Strict):
    name: str
    when: Condition = Field(default_factory=Condition)
    then: Action
    hours: Hours | None = None


class ReferenceSettings(Strict):
    patterns: list[str] = Field(
        default_factory=lambda: [r"\b(?:HW|ORD|NR)[- ]?\d{5,10}\b", r"\b\d{7,12}\b"]
    )

    @field_validator("patterns")
    @classmethod
    def _compile(cls, v: list[str]) -> list[str]:
        for p in v:
            try:
                re.compile(p)
            except re.error as e:
                raise ValueError(f"pattern {p!r} does not compile: {e}") from e
        return v


class Organisation(Strict):
    name: str
    default_language: Lang = "nl"
    languages: list[Lang] = Field(default_factory=lambda: ["nl", "en"])
    hours: Hours = Field(default_factory=Hours)
    frontline_team: str = "frontline"
    repeat_window: timedelta = timedelta(days=30)

    @field_validator("repeat_window", mode="before")
    @classmethod
    def _dur(cls, v: Any) -> timedelta:
        return parse_duration(v)


class SendLimits(Strict):
    """Telegram's sending limits, kept on our side (raise them only for a local Bot API server)."""

    overall_per_second: float = 30.0
    chat_per_second: float = 1.0
    chat_burst: float = 3.0
    group_per_minute: float = 20.0
    group_burst: float = 5.0


class TelegramSettings(Strict):
    token_env: str = "TELEGRAM_BOT_TOKEN"
    api_base_env: str = "TELEGRAM_API_BASE"
    mode: Literal["polling", "webhook"] = "polling"
    webhook_path: str = "/telegram/webhook"
    webhook_secret_env: str = "TELEGRAM_WEBHOOK_SECRET"
    webhook_url_env: str = "TELEGRAM_WEBHOOK_URL"
    limits: SendLimits = Field(default_factory=SendLimits)
    # Updates from these Telegram user ids are dropped with a log line, never processed.
    blocked_users: list[int] = Field(default_factory=list)
    # Per-customer flood limit: this many messages per minute, then a polite answer.
    flood_per_minute: int = 30


class ServerSettings(Strict):
    host: str = "127.0.0.1"
    port: int = 8080


SignalLevel = Literal["critical", "high", "normal", "low", "repeat"]
LexiconName = Literal[
    "negators", "hypothetical", "clause_breaks", "praise", "complaint", "question_starts",
    "sarcasm", "stopwords", "foreign_stopwords", "conduct", "conduct_praise", "staff_roles",
    "contrast", "conditional", "modal", "negation_breaks", "generic",
]


def _check_phrases(phrases: list[str]) -> list[str]:
    from routing.text import phrase_regex  # local: text has no dependency on config

    for p in phrases:
        try:
            re.compile(phrase_regex(p))
        except re.error as e:
            raise ValueError(f"phrase {p!r} does not compile: {e}") from e
    return phrases


class SignalSpec(Strict):
    """One urgency signal: phrases that, when present and not cancelled by context, set a level.

    Phrases: whole words after folding; `word*` any ending; `*word` any beginning (the head
    of a Dutch compound); `a .. b` up to four words between; `re:` a raw regular expression
    over the folded (lower case, no accents) text.
    """

    id: str
    label: str = ""
    level: SignalLevel
    lang: Lang | None = None  # None: applies to every language
    patterns: list[str]
    unless: list[str] = Field(default_factory=list)  # near the match: not this signal
    requires: list[str] = Field(default_factory=list)  # somewhere in the message: needed
    negatable: bool = True  # "geen", "no one" just before the match cancels it
    hypothetical_ok: bool = False  # "als ... dan", "if ..." still counts (threats do)
    weight: float = 1.0  # for "low" signals: cues are summed against thresholds.low_min
    kind_hint: Literal["complaint", "compliment", "question"] | None = None  # evidence for kind

    @field_validator("patterns", "unless", "requires")
    @classmethod
    def _phrases(cls, v: list[str]) -> list[str]:
        return _check_phrases(v)


class Combination(Strict):
    """Signals that together mean more than each alone (a vulnerable person AND no fridge)."""

    all: list[str]  # signal ids that must all have fired
    level: Literal["critical", "high"]
    label: str


def _default_combinations() -> list[Combination]:
    return [
        Combination(
            all=["vulnerable", "essential_function"],
            level="critical",
            label="vulnerable person without an essential function",
        )
    ]


class ClassifierWeights(Strict):
    keyword: float = 3.0  # a category keyword counts as this many example words
    example: float = 1.0
    description: float = 0.5
    learned: float = 1.0
    smoothing: float = 0.2  # naive Bayes additive smoothing
    bigram: float = 0.7  # word pairs relative to single words
    phrase: float = 1.0  # a keyword phrase found in a message, relative to a single word
    subject_boost: float = 1.5  # terms in the first sentence count this much more
    named_employee: float = 6.0  # a named employee with conduct words pushes staff_conduct


class ClassifierThresholds(Strict):
    category_min_score: float = 1.2  # below this evidence the category is the fallback
    language_min_hits: int = 1  # function words needed to recognise a language
    language_hint_prior: float = 1.5  # the language hint counts as this many function words
    low_min: float = 1.0  # low cues needed to call a complaint low
    low_max_words: int = 45  # longer messages are not "minor"


class Classifier(Strict):
    """Signal word lists, weights and thresholds, added to the shipped defaults.

    A signal with the id of a shipped one replaces it; `disable` removes shipped signals;
    `lexicons` extend the shipped word lists (per list name, per language).
    `learned` names a file of examples learned from resolved cases (`skewer routes learn`);
    the program reads it and hands its contents to the router.
    """

    use_defaults: bool = True
    learned: str | None = None
    fallback_category: str = "other"
    signals: list[SignalSpec] = Field(default_factory=list)
    combinations: list[Combination] = Field(default_factory=_default_combinations)
    disable: list[str] = Field(default_factory=list)
    lexicons: dict[LexiconName, dict[Lang, list[str]]] = Field(default_factory=dict)
    weights: ClassifierWeights = Field(default_factory=ClassifierWeights)
    thresholds: ClassifierThresholds = Field(default_factory=ClassifierThresholds)


class LadderStep(Strict):
    """One rung of the escalation ladder: who is told, how long after the deadline passed."""

    to: str  # "owner", "lead", "process_owner", or a person id
    after: timedelta = timedelta(0)

    @field_validator("after", mode="before")
    @classmethod
    def _dur(cls, v: Any) -> timedelta:
        return parse_duration(v)


def _default_ladder() -> list[LadderStep]:
    return [LadderStep(to="owner"), LadderStep(to="lead", after=timedelta(hours=1)),
            LadderStep(to="process_owner", after=timedelta(hours=4))]


class SignalsSchedule(Strict):
    """The weekly signals message to each process owner."""

    enabled: bool = True
    weekday: Weekday = "mon"
    time: str = "08:00"  # local time of the organisation
    window: timedelta = timedelta(days=28)  # cases looked at
    recurring_min: int = 2  # a root cause this often in the window is a signal

    @field_validator("window", mode="before")
    @classmethod
    def _dur(cls, v: Any) -> timedelta:
        return parse_duration(v)


class FollowupSettings(Strict):
    """Deadlines, reminders, escalation, updates, promises and mandates (all optional).

    Durations count business hours of the owning team (else the organisation), unless the
    deadline profile runs around the clock; whole days count as working days.
    """

    remind_before: timedelta = timedelta(minutes=30)  # the owner is reminded this long before
    ladder: list[LadderStep] = Field(default_factory=_default_ladder)
    # A person who has not taken a new case within this (and at most half the first-response
    # window) loses it to the next person (deputy, else a team mate). 0: never.
    take_within: timedelta | None = None
    update_grace: timedelta = timedelta(hours=1)  # asked for an update; then the customer is told
    approval_wait: timedelta = timedelta(days=1)  # one working day
    approval_ladder: list[LadderStep] = Field(
        default_factory=lambda: [LadderStep(to="lead"), LadderStep(to="process_owner",
                                                                   after=timedelta(hours=4))])
    low_score: int = 2  # this score or lower notifies owner and lead, with a Reopen button
    currency: str = "€"
    signals: SignalsSchedule = Field(default_factory=SignalsSchedule)

    @field_validator("remind_before", "take_within", "update_grace", "approval_wait",
                     mode="before")
    @classmethod
    def _dur(cls, v: Any) -> timedelta | None:
        return None if v is None else parse_duration(v)


class Config(Strict):
    organisation: Organisation
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    database_url_env: str = "SKEWER_DATABASE_URL"
    database_url: str = "sqlite+aiosqlite:///skewer.db"
    people: list[Person]
    teams: list[Team]
    categories: list[Category]
    deadlines: dict[str, DeadlineProfile]
    rules: list[Rule]
    root_causes: list[str] = Field(default_factory=list)  # general causes, besides per-category
    reference: ReferenceSettings = Field(default_factory=ReferenceSettings)
    classifier: Classifier = Field(default_factory=Classifier)
    followup: FollowupSettings = Field(default_factory=FollowupSettings)

    # -- lookups ---------------------------------------------------------------------------
    def person(self, pid: str) -> Person:
        return self._people[pid]

    def team(self, tid: str) -> Team:
        return self._teams[tid]

    def category(self, cid: str) -> Category:
        return self._categories[cid]

    def has_person(self, pid: str) -> bool:
        return pid in self._people

    def has_team(self, tid: str) -> bool:
        return tid in self._teams

    def staff_by_telegram_id(self, tg_id: int) -> Person | None:
        return self._by_tg.get(tg_id)

    def team_by_chat_id(self, chat_id: int) -> Team | None:
        return self._team_by_chat.get(chat_id)

    def members(self, tid: str) -> list[Person]:
        team = self._teams[tid]
        ids = list(dict.fromkeys([*team.members, *(p.id for p in self.people if p.team == tid)]))
        return [self._people[i] for i in ids if i in self._people]

    def root_causes_for(self, category: str) -> list[str]:
        own = self._categories[category].root_causes if category in self._categories else []
        return list(dict.fromkeys([*own, *self.root_causes]))

    def deadline_profile(self, name: str) -> DeadlineProfile:
        return self.deadlines[name]

    def model_post_init(self, __context: Any) -> None:
        object.__setattr__(self, "_people", {p.id: p for p in self.people})
        object.__setattr__(self, "_teams", {t.id: t for t in self.teams})
        object.__setattr__(self, "_categories", {c.id: c for c in self.categories})
        object.__setattr__(
            self, "_by_tg", {p.telegram_id: p for p in self.people if p.telegram_id is not None}
        )
        object.__setattr__(
            self, "_team_by_chat", {t.chat_id: t for t in self.teams if t.chat_id is not None}
        )

    _people: dict[str, Person]
    _teams: dict[str, Team]
    _categories: dict[str, Category]
    _by_tg: dict[int, Person]
    _team_by_chat: dict[int, Team]


# -- loading with line numbers ----------------------------------------------------------------


class _LineLoader(yaml.SafeLoader):  # type: ignore[misc,unused-ignore]
    """A SafeLoader that remembers the line of every mapping key and sequence item."""


def _key_lines(text: str) -> dict[tuple[Any, ...], int]:
    lines: dict[tuple[Any, ...], int] = {}
    try:
        root = yaml.compose(text, Loader=_LineLoader)
    except yaml.YAMLError:
        return lines

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = k.value
                lines[(*path, key)] = k.start_mark.line + 1
                walk(v, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[(*path, i)] = item.start_mark.line + 1
                walk(item, (*path, i))

    if root is not None:
        walk(root, ())
    return lines


def line_of(lines: dict[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int | None:
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get(())


def _fmt_loc(loc: tuple[Any, ...], data: Any) -> str:
    """Key path with names where lists hold named things: rules[2:'late-delivery'].when."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            label = str(item)
            if isinstance(node, list) and 0 <= item < len(node) and isinstance(node[item], dict):
                named = node[item].get("id") or node[item].get("name")
                if isinstance(named, str) and named:
                    label = f"{item}:{named!r}"
            parts.append(f"[{label}]")
            node = node[item] if isinstance(node, list) and 0 <= item < len(node) else None
        else:
            parts.append(("." if parts else "") + str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts)


def parse_config(text: str, filename: str = "config.yaml") -> Config:
    """Parse and validate; raise ConfigError naming file, line and key for every problem."""
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ConfigError([ConfigProblem(filename, line, "", f"not valid YAML: {e}")]) from None
    if not isinstance(data, dict):
        raise ConfigError([ConfigProblem(filename, 1, "", "the file must hold a mapping of keys")])
    lines = _key_lines(text)
    try:
        config = Config.model_validate(data)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            loc = tuple(
                x for x in err["loc"] if not (isinstance(x, str) and x.startswith("function-"))
            )
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = "unknown key (a typo?)"
            elif err["type"] == "missing":
                msg = "required key is missing"
            problems.append(ConfigProblem(filename, line_of(lines, loc), _fmt_loc(loc, data), msg))
        raise ConfigError(problems) from None
    from routing.validate import semantic_problems  # local: validate imports this module

    errors = [p for p in semantic_problems(config, data, lines, filename) if p.level == "error"]
    if errors:
        raise ConfigError(errors)
    return config
