"""`skewer routes` commands and learning from resolved cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import routes_cli
from routing.config import parse_config
from routing.engine import Router
from routing.learn import LearnResult, learn_examples, parse_learned, render_learned
from routing.types import CaseInput, Example
from tests.routing.conftest import CONFIG_TEXT, ROOT


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = routes_cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_check_ok(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", "--config", str(ROOT / "config.yaml")], capsys)
    assert code == 0 and "OK, 13 rules" in out


def test_check_reports_errors_and_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = CONFIG_TEXT.replace("    then: {owner: {team: finance}}", "    then: {owner: {team: finanse}}")
    bad = bad.replace('days: [thu, fri, sat, sun]', 'days: [thu, fri]')
    p = tmp_path / "bad.yaml"
    p.write_text(bad, encoding="utf-8")
    code, out, _ = run(["check", "--config", str(p)], capsys)
    assert code == 1
    assert f"{p}:" in out and "unknown team 'finanse'" in out
    assert "1 error(s)" in out


def test_check_uses_env(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SKEWER_CONFIG", str(ROOT / "tests" / "fixtures" / "bank-config.yaml"))
    code, out, _ = run(["check"], capsys)
    assert code == 0 and "bank-config.yaml: OK" in out


def test_explain_human_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    cfg = str(ROOT / "config.yaml")
    code, out, _ = run(["explain", "er komt rook uit de droger", "--config", cfg,
                        "--at", "2026-11-24T10:00:00+01:00"], capsys)
    assert code == 0
    assert "urgency:   critical" in out and "smoke or fire" in out
    assert "earlier rules that did not match:" in out
    code, out, _ = run(["explain", "I was charged twice", "--json", "--lang", "en",
                        "--channel", "web", "--customer", "business", "--config", cfg], capsys)
    d = json.loads(out)
    assert d["classification"]["category"] == "billing"
    assert d["owner"]["team"] == "finance"
    assert d["skipped"] and d["why"]


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> None:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")


def test_replay_json_in_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{"id": "a", "text": "mijn pakket is niet bezorgd"},
            {"id": "b", "text": "ik ruik gas na de installatie", "channel": "web"},
            {"id": "c", "text": ""}]
    write_jsonl(tmp_path / "in.jsonl", rows)
    code, out, _ = run(["replay", "--input", str(tmp_path / "in.jsonl"), "--json",
                        "--config", str(ROOT / "config.yaml")], capsys)
    assert code == 0
    recs = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in recs] == ["a", "b", "c"]
    assert {"id", "urgency", "category", "kind", "owner", "rule", "reasons"} <= set(recs[0])
    assert recs[1]["urgency"] == "critical"
    assert any("language not recognised" in r for r in recs[2]["reasons"])


def test_replay_summary_shows_moves(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_jsonl(tmp_path / "in.jsonl", [{"text": "I was charged twice", "owner_team": "logistics"},
                                        {"text": "de app crasht", "owner_team": "digital"}])
    code, out, _ = run(["replay", "--input", str(tmp_path / "in.jsonl"),
                        "--config", str(ROOT / "config.yaml")], capsys)
    assert code == 0
    assert "2 cases replayed; 1 would land with another team" in out
    assert "logistics" in out and "finance" in out and "<- moves" in out


def test_replay_since_rejects_a_bad_duration(capsys: pytest.CaptureFixture[str]) -> None:
    # `--since 30d` reads the database (tests/e2e/test_routes_history.py); a bad duration is
    # refused before any database is touched.
    code, _, err = run(["replay", "--since", "soon", "--config", str(ROOT / "config.yaml")], capsys)
    assert code == 2 and "replay --since: not a duration" in err


def test_learn_writes_file_the_router_uses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(CONFIG_TEXT + "\nclassifier:\n  learned: learned.yaml\n", encoding="utf-8")
    rows = [{"text": "the pallet jack operator scratched my floor", "lang": "en",
             "category": "delivery"}] * 3 + [
        {"text": "wrong colour knob on the hob", "lang": "en", "category": "product_quality"},
        {"text": "something", "category": "no_such_category"}]
    write_jsonl(tmp_path / "cases.jsonl", rows)
    code, _, err = run(["learn", "--input", str(tmp_path / "cases.jsonl"), "--config", str(cfg)],
                       capsys)
    assert code == 0 and "wrote" in err and "no_such_category (1)" in err
    learned = parse_learned((tmp_path / "learned.yaml").read_text(encoding="utf-8"))
    assert [e.category for e in learned].count("delivery") == 1  # duplicates dropped
    router = routes_cli.build_router(cfg)
    c = router.classify(CaseInput("the pallet jack operator scratched my floor"))
    assert c.category == "delivery"


def test_learn_pure_function_keeps_what_the_model_gets_wrong() -> None:
    config = parse_config(CONFIG_TEXT)
    cases = [Example("de pallettruck-chauffeur heeft de vloer beschadigd", "nl", "delivery"),
             Example("mijn pakket is niet bezorgd door de bezorger", "nl", "delivery")]
    result = learn_examples(config, cases)
    texts = [e.text for e in result.examples]
    assert "mijn pakket is niet bezorgd door de bezorger" not in texts  # already clearly right
    assert result.summary and "2 cases" in result.summary[0]
    again = parse_learned(render_learned(result))
    assert again == result.examples


def test_learned_examples_change_routing() -> None:
    config = parse_config(CONFIG_TEXT)
    text = "de zonnepanelen offerte klopt niet"
    before = Router(config).classify(CaseInput(text)).category
    learned = [Example("offerte zonnepanelen vraag", "nl", "billing", 3.0)] * 2
    after = Router(config, learned).classify(CaseInput(text)).category
    assert before != "billing" and after == "billing"


def test_render_empty() -> None:
    assert parse_learned(render_learned(LearnResult([]))) == []
