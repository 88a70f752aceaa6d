"""Floors on messages the classifier's engineers wrote themselves (never from dev.jsonl).

`data/written.tsv`: short NL/EN messages labelled by the taxonomy (category, urgency, kind);
`data/safety.tsv`: messages that are or are not a danger right now (negations, hypotheticals,
figurative uses, products named after a danger); `data/kinds.tsv`: questions, compliments and
complaints. They were written while the classifier was being improved and partly tuned on, so
they guard against regressions; they are not a measure of generalisation (that is the
held-out part of dev.jsonl and the public sets, reported by `python -m bot.evaluate`).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot import evaluate
from routing.engine import Router
from routing.types import CaseInput

DATA = Path(__file__).parent / "data"


def rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def router() -> Router:
    return evaluate.build_router(evaluate.ROOT / "config.yaml")


def test_written_messages(router: Router) -> None:
    data = rows("written.tsv")
    preds = [router.classify(CaseInput(r["text"])) for r in data]
    urgency = evaluate.scores([r["urgency"] for r in data], [p.urgency.value for p in preds],
                              evaluate.URGENCIES)
    category = evaluate.scores([r["category"] for r in data], [p.category for p in preds],
                               [c.id for c in router.config.categories])
    kind = evaluate.scores([r["kind"] for r in data], [p.kind.value for p in preds], evaluate.KINDS)
    assert len(data) >= 70
    assert urgency["labels"]["critical"]["recall"] == 1.0
    assert urgency["labels"]["critical"]["precision"] >= 0.9
    assert urgency["macro_f1"] >= 0.9
    assert category["accuracy"] >= 0.75
    assert kind["macro_f1"] >= 0.85


def test_safety_messages_no_miss_no_false_alarm(router: Router) -> None:
    missed, alarms = [], []
    for r in rows("safety.tsv"):
        critical = router.classify(CaseInput(r["text"])).urgency.value == "critical"
        if r["critical"] == "yes" and not critical:
            missed.append(r["text"])
        if r["critical"] == "no" and critical:
            alarms.append(r["text"])
    assert not missed
    assert not alarms


def test_kinds(router: Router) -> None:
    wrong = [(r["kind"], r["text"]) for r in rows("kinds.tsv")
             if router.classify(CaseInput(r["text"])).kind.value != r["kind"]]
    assert len(wrong) <= 2, wrong


def test_author_a_set_floors(router: Router) -> None:
    """Author A's 260 messages (written from the taxonomy alone, then tuned on): floors against
    regressions. Author B's set is deliberately not here: it is only ever scored."""
    data = evaluate.load_jsonl(DATA / "extra-a.jsonl")
    res = evaluate.evaluate_labelled(router, data, False, {"all": [True] * len(data)})["all/all"]
    crit = res["urgency"]["labels"]["critical"]
    assert len(data) == 260
    assert crit["recall"] == 1.0
    assert crit["precision"] >= 0.9
    assert res["urgency"]["macro_f1"] >= 0.85
    assert res["category"]["accuracy"] >= 0.78
    assert res["kind"]["macro_f1"] >= 0.9
