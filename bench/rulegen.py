"""Realistic, large rule sets generated from config.yaml, for the routing benchmark.

Operations people grow a rule list by adding specific rules above the general ones: a product
line that goes to a specialist, weekend escalations, after-hours critical cases, a language-
specific desk, order-number patterns of a business channel, VIP segments, vulnerable customers.
``generate_rules`` writes such rules with the categories, keywords, teams and people of the
config, shuffles them (seeded), puts them above the config's own rules, and keeps the catch-all
last. Every generated rule names something of its own (a product model keyword or an
order-number pattern), so none provably shadows another and the config stays valid.

Most rules do not fire for a given message (their category, urgency, time or customer
conditions do not hold), so a typical message walks through many of them before a match.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = (  # name, weight
    ("model", 30), ("weekend", 14), ("after_hours", 10), ("language_desk", 14),
    ("order_pattern", 12), ("segment", 10), ("vulnerable", 5), ("repeat", 5),
)


def load_data(path: Path = ROOT / "config.yaml") -> dict[str, Any]:
    data = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def _keywords(cat: dict[str, Any]) -> list[str]:
    kws = cat.get("keywords") or {}
    if isinstance(kws, dict):
        return [k for words in kws.values() for k in words]
    return list(kws)


def generate_rules(data: dict[str, Any], count: int, seed: int = 1) -> list[dict[str, Any]]:
    """``count`` generated rules (dicts as in config.yaml)."""
    rng = random.Random(seed)
    cats = [c for c in data["categories"] if c["id"] != "other"]
    teams = {t["id"]: t for t in data["teams"]}
    cat_team = {c["id"]: c.get("team") or data["organisation"]["frontline_team"] for c in cats}
    languages = list(data["organisation"].get("languages") or ["nl", "en"])
    names, weights = zip(*TEMPLATES, strict=True)
    rules: list[dict[str, Any]] = []
    for i in range(count):
        kind = rng.choices(names, weights)[0]
        cat = rng.choice(cats)
        team = cat_team[cat["id"]]
        words = _keywords(cat)
        model = f"{rng.choice(('wm', 'dw', 'kv', 'ov', 'dr', 'st'))}-{i:05d}"
        when: dict[str, Any]
        then: dict[str, Any] = {"owner": {"team": team}}
        if kind == "model":  # a product line's specialist, for serious cases
            when = {"category": [cat["id"]], "urgency_at_least": rng.choice(("high", "critical")),
                    "keywords": [model, *rng.sample(words, min(len(words), rng.randint(2, 4)))]}
            then["tags"] = [f"model-{model}"]
        elif kind == "weekend":
            when = {"category": [cat["id"]], "weekday": ["sat", "sun"],
                    "keywords": [model, rng.choice(words)]}
            then = {"owner": {"team": team}, "notify": ["lead"], "deadlines": "high"}
        elif kind == "after_hours":
            other = rng.choice(cats)
            when = {"category": sorted({cat["id"], other["id"]}), "business_hours": False,
                    "urgency_at_least": "high", "keywords": [model, *rng.sample(words, 2)]}
            lead = teams[team].get("lead")
            then = {"owner": {"person": lead} if lead else {"team": team},
                    "deadlines": "critical"}
        elif kind == "language_desk":
            mixed = [w for c in rng.sample(cats, 3) for w in rng.sample(_keywords(c), 1)]
            when = {"language": [rng.choice(languages)], "urgency_at_least": "critical",
                    "keywords": [model, *mixed]}
        elif kind == "order_pattern":  # a business channel's order numbers
            when = {"category": [cat["id"]],
                    "regex": rf"\b(?:HW|ORD|B2B)[- ]?{i:05d}\d{{0,3}}\b"}
            then["tags"] = ["b2b"]
        elif kind == "segment":
            when = {"segment": [rng.choice(("vip", "business", "employee"))],
                    "category": [cat["id"]], "keywords": [model, rng.choice(words)]}
            then["notify"] = ["process_owner"]
        elif kind == "vulnerable":
            when = {"vulnerable": True, "category": [cat["id"]], "keywords": [model]}
            then["notify"] = ["lead"]
        else:  # repeat contacts of a category with a model
            when = {"repeat": True, "category": [cat["id"]],
                    "keywords": [model, *rng.sample(words, 2)]}
            then = {"owner": {"team": team}, "notify": ["lead"], "tags": ["repeat"]}
        rules.append({"name": f"g{i:05d}-{kind}-{cat['id']}", "when": when, "then": then})
    return rules


def config_data(data: dict[str, Any], total: int, seed: int = 1) -> dict[str, Any]:
    """The config with exactly ``total`` rules: generated ones above the config's own rules,
    the catch-all last (for fewer rules than the config has, its first ones and the catch-all).
    """
    own = [r for r in data["rules"] if r.get("when")]
    catch_all = [r for r in data["rules"] if not r.get("when")] or [
        {"name": "catch-all", "when": {}, "then": {"owner": {"team": data["organisation"]
                                                             ["frontline_team"]}}}]
    if total <= len(own) + 1:
        rules = own[: max(0, total - 1)] + catch_all[-1:]
    else:
        rules = generate_rules(data, total - len(own) - 1, seed) + own + catch_all[-1:]
    return {**data, "rules": rules}


def config_text(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200)
