"""The evaluation script: metrics, the fixed held-out split, and floors on the tuned part.

The floors guard against regressions on the part of dev.jsonl the classifier was tuned on;
held-out figures are reported by `python -m bot.evaluate`, never asserted or tuned against.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import evaluate
from bot.routes_cli import build_router

ROOT = Path(__file__).resolve().parents[2]
DEV = evaluate.DEFAULT_DATA / "complaints" / "dev.jsonl"


def test_scores_per_label_and_confusion() -> None:
    s = evaluate.scores(["a", "a", "b", "c"], ["a", "b", "b", "a"], ["a", "b", "c"])
    assert s["labels"]["a"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert s["labels"]["b"]["precision"] == 0.5 and s["labels"]["b"]["recall"] == 1.0
    assert s["labels"]["c"]["f1"] == 0.0
    assert s["accuracy"] == 0.5
    assert s["confusion"]["a"] == {"a": 1, "b": 1, "c": 0}


def test_held_out_split_is_fixed() -> None:
    assert evaluate.held_out("g0003") is False
    ids = [f"g{i:04d}" for i in range(1000)]
    share = sum(map(evaluate.held_out, ids)) / len(ids)
    assert 0.25 < share < 0.35


@pytest.mark.skipif(not DEV.exists(), reason="shared/data not next to the repo")
def test_tuned_part_floors_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = evaluate.load_dev(evaluate.DEFAULT_DATA)
    res = evaluate.evaluate_dev(build_router(ROOT / "config.yaml"), rows, use_hint=False)
    tuned = res["tuned/all"]
    assert tuned["urgency"]["labels"]["critical"]["recall"] == 1.0
    assert tuned["urgency"]["macro_f1"] >= 0.90
    assert tuned["category"]["accuracy"] >= 0.88
    assert tuned["kind"]["macro_f1"] >= 0.90
    assert res["held_out/all"]["urgency"]["n"] + tuned["urgency"]["n"] == len(rows)
    assert all(not evaluate.held_out(e["id"]) for e in res["_errors"])

    out = tmp_path / "eval.json"
    assert evaluate.main(["--no-public", "--json-out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "| held-out | nl |" in printed and "confusion" in printed
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert "held_out/en" in figures["dev"]
