"""Each benchmark runs at a tiny size, so the bench code can't rot (figures are not checked)."""

from __future__ import annotations

import json
from pathlib import Path

from bench import conversations, routing
from bench.rulegen import config_data, config_text, load_data
from bench.stats import percentile, summary
from routing.config import parse_config


def test_percentiles() -> None:
    assert percentile([3, 1, 2], 50) == 2
    assert percentile([1, 2, 3, 4], 100) == 4
    assert summary([])["count"] == 0


def test_generated_rules_make_a_valid_config() -> None:
    data = load_data()
    config = parse_config(config_text(config_data(data, 300, seed=3)))
    assert len(config.rules) == 300
    assert config.rules[-1].when.is_catch_all
    assert len(parse_config(config_text(config_data(data, 5))).rules) == 5


def test_routing_bench_tiny(tmp_path: Path) -> None:
    out_file = tmp_path / "routing.json"
    assert routing.main(["--sizes", "10,120", "--seconds", "0.05", "--load-sizes", "10",
                         "--json-out", str(out_file)]) == 0
    out = json.loads(out_file.read_text())
    assert set(out["sizes"]) == {"10", "120"}
    assert out["sizes"]["120"]["rules"] == 120
    assert out["sizes"]["10"]["decide"]["gc_on"]["calls"] > 0
    assert out["sizes"]["10"]["parse_config_s"] is not None
    assert out["classify"]["gc_on"]["per_s"] > 0
    assert out["classify"]["long_50k"]["calls"] >= 3


async def test_conversations_bench_tiny(tmp_path: Path) -> None:
    args = conversations.parse_args(["--users", "3", "--duration", "1", "--warmup", "0.5",
                                     "--ramp", "0", "--rounds", "1", "--database-url", ""])
    out = await conversations.amain(args)
    text = conversations.report(out["results"])
    assert "throughput ratio" in text
    echo, skewer = out["results"]["echo"], out["results"]["skewer"]
    assert echo["updates"] > 0 and echo["failed_steps"] == 0
    assert skewer["updates"] > 0 and skewer["failed_steps"] == 0
    assert skewer["conversations_started"] >= 1
    assert skewer["e2e_ms"]["p50"] > 0 and skewer["handler_ms"]["count"] > 0
    json.dumps(out)  # what --json-out writes
