"""Behaviour snapshot of classification and routing, for checking that a speed-up changes nothing.

    python -m bench.equivalence OUT.json                 # write the snapshot
    python -m bench.equivalence OUT.json --compare BASE  # write it, then diff against BASE

Every text of the dev set, of ``tests/eval/data/*.tsv``, the first 1,000 texts of each public
set (loaded as ``bot.evaluate`` loads them), the config's own examples and keywords, and
synthetic edge cases (empty, 50,000 characters, emoji, other languages, signals past the
classified part, generated rules' model codes and order numbers) are decided by routers for
``config.yaml``, ``tests/fixtures/bank-config.yaml``, a 1,000-rule config from
``bench.rulegen`` and a config whose rules use every kind of condition. Each text is decided
in one of several contexts (channel, segment, vulnerable, prior contacts, time, language hint)
chosen by its position; for the rule-heavy configs the classification is also walked in every
context. The snapshot holds the whole ``Decision.to_dict()`` (urgency, category, kind, every
reason with its words, rule, owner, the per-rule trace ...); traces are stored as indices
into a per-config table of distinct misses, runs of consecutive indices as [first, last],
to keep the file small, which loses nothing.

Exit status 1 when ``--compare`` finds a difference (the first ones are printed).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bench.rulegen import config_data, load_data
from bot.evaluate import CFPB_PRODUCTS, _read_csv
from routing.config import Config
from routing.engine import Router
from routing.types import CaseInput, CustomerFacts, Decision, OwnershipState

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
BANK = ROOT / "tests" / "fixtures" / "bank-config.yaml"
PUBLIC_LIMIT = 1000

# Wednesday 14:00, Saturday 11:00, Thursday 23:30 (Amsterdam), Christmas, and no time at all.
TIMES: tuple[datetime | None, ...] = (
    datetime(2026, 11, 25, 13, 0, tzinfo=UTC),
    datetime(2026, 11, 28, 10, 0, tzinfo=UTC),
    datetime(2026, 11, 26, 22, 30, tzinfo=UTC),
    datetime(2026, 12, 25, 10, 0, tzinfo=UTC),
    None,
)
CONTEXTS: tuple[dict[str, Any], ...] = tuple(
    {"channel": ch, "segment": seg, "vulnerable": vul, "prior": prior, "now": now, "hint": hint}
    for ch, seg, vul, prior, now, hint in [
        ("telegram", "", False, {}, TIMES[0], None),
        ("web", "vip", False, {}, TIMES[1], "nl"),
        ("telegram", "business", False, {"delivery": 2, "billing": 1}, TIMES[2], "en"),
        ("email", "employee", True, {}, TIMES[3], "nl"),
        ("whatsapp", "", False, {"installation": 3, "product_quality": 2}, TIMES[4], "de"),
        ("telegram", "vip", True, {"webshop": 2, "privacy": 5, "returns": 2}, TIMES[1], "en"),
        ("web", "", False, {}, TIMES[2], None),
    ]
)


def _inp(text: str, ctx: dict[str, Any]) -> CaseInput:
    return CaseInput(
        text=text,
        channel=ctx["channel"],
        language=ctx["hint"],
        customer=CustomerFacts(segment=ctx["segment"], vulnerable=ctx["vulnerable"],
                               prior_contacts=dict(ctx["prior"])),
        now=ctx["now"],
    )


# -- texts ---------------------------------------------------------------------------------


def dev_texts() -> list[str]:
    path = DATA / "complaints" / "dev.jsonl"
    return [json.loads(line)["text"] for line in path.read_text("utf-8").splitlines() if line.strip()]


def tsv_texts() -> list[str]:
    out: list[str] = []
    for path in sorted((ROOT / "tests" / "eval" / "data").glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                out.append(row["text"])
    return out


def public_texts() -> dict[str, list[str]]:
    """As bot.evaluate loads them (evaluate_xci, evaluate_cesamard, evaluate_cfpb)."""
    pub = DATA / "public"
    out: dict[str, list[str]] = {}
    p = pub / "x-ci-tweets" / "X-CI_Dataset.csv"
    if p.exists():
        rows = [r for r in _read_csv(p) if len(r) > 2 and r[2] in ("0", "1")][:PUBLIC_LIMIT]
        out["x_ci"] = [r[1] for r in rows]
    p = pub / "cesamard-reviews" / "CESAMARD-Aspect_Dataset.csv"
    if p.exists():
        rows = [r for r in _read_csv(p) if len(r) > 7 and r[7] in ("0", "1")][:PUBLIC_LIMIT]
        out["cesamard"] = [(r[5] + ". " + r[6].replace("\\n", "\n")).strip() for r in rows]
    p = pub / "cfpb-complaints" / "complaints_sample.csv"
    if p.exists():
        rows = [r for r in _read_csv(p) if len(r) > 5 and r[5].strip() and r[1] in CFPB_PRODUCTS]
        out["cfpb"] = [r[5] for r in rows[:PUBLIC_LIMIT]]
    return out


def config_texts(data: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for cat in data.get("categories", []):
        for exs in (cat.get("examples") or {}).values():
            out.extend(str(e) for e in exs)
        kws = cat.get("keywords") or {}
        for words in (kws.values() if isinstance(kws, dict) else [kws]):
            out.extend(f"Ik heb een probleem: {w}. What now?" for w in words)
    return out


def synthetic_texts(dev: list[str], generated: list[dict[str, Any]], data: dict[str, Any]) -> list[str]:
    joined = "\n\n".join(dev)
    long50k = (joined * (50_000 // max(1, len(joined)) + 1))[:50_000]
    out = [
        "", " ", "\n\n\t ", "?", "!!!", "...", "ok", "hoi", "hi", "€", "€119", "123456",
        long50k,
        "a" * 50_000,
        ("bla " * 12_500)[:50_000],
        ("word " * 3000) + " er komt rook uit de vaatwasser, ik ruik gas",
        ("x" * 11_990) + " brand! rook! gaslucht",
        ("Ik wacht al weken op mijn bestelling. " * 400) + "En nu staat de koelkast in brand!",
        ("The delivery was late again. " * 800) + "Now there is smoke coming out of the oven!",
        "A" * 12_000, "b" * 12_001, "c " * 10_000, "d" * 20_001,
        "🔥🔥🔥 de oven staat in de fik 🔥🔥🔥",
        "😡😡 waarom is mijn pakket nog steeds niet bezorgd??? 😡",
        "👍 super geholpen, dank je wel! 🙏",
        "🙂" * 500,
        "Ich habe meine Waschmaschine noch nicht bekommen, das ist eine Frechheit "
        "und der Fahrer war unhöflich.",
        "Bonjour, je n'ai toujours pas reçu ma commande et le livreur était très impoli. C'est inadmissible!",
        "Hola, mi lavadora no funciona y huele a gas en la cocina. ¿Qué hago?",
        "Merhaba, çamaşır makinem bozuk ve teslimat çok geç geldi.",
        "Dzień dobry, moja zmywarka przecieka i nikt nie odpowiada na e-maile.",
        "Здравствуйте, мой холодильник сломался и доставка опоздала.",
        "洗衣机坏了，送货太晚了。",
        "Café crème, naïve coöperatie, ‘quotes’ “double” and `back´ ticks: de bezorgér kwam niét",
        "ER KOMT ROOK UIT DE WASMACHINE EN HET RUIKT NAAR GAS!!!",
        "IK BEN HEEL ERG BOOS OVER DE BEZORGING VAN MIJN KOELKAST",
        "niemand is gewond maar er was wel brand in de meterkast",
        "Er is geen gaslucht, maar de oven doet het niet",
        "als het vlam vat wie betaalt dan de schade?",
        "Kan de stekker smelten als ik hem te lang laat zitten?",
        "Could the dryer catch fire if I leave it on overnight?",
        "Can you come, I smell gas?",
        "als ik de deur open kan ik gas ruiken",
        "I smell no gas, but the cooker won't ignite",
        "De monteur Jan van de klantenservice was erg onbeleefd tegen mij",
        "the driver swore at me and threw the parcel over the fence",
        "Geweldig hoor, al de derde keer dat de bezorger niet komt opdagen",
        "Great service, thanks! But the delivery was late and the fridge is dented.",
        "Bedankt Sanne, top geholpen!",
        "Hoi, wanneer wordt mijn wasmachine bezorgd?",
        "water .. plafond: er lekt water door het plafond van de benedenburen",
        "Mijn insuline ligt in de koelkast en die doet het niet meer, en ik ben diabeet",
        "I'll sue you and go to the newspapers if this isn't fixed",
        "Dit is de derde keer dat ik contact opneem over mijn factuur",
        "re: test [a-z]+ (?:x) \\b \\w* ^$ .* regex-like characters () [] {}",
        "ORD-12345 HW 00012 B2B-00007 hw-00001 ord00100",
        "de bezorger is niet gekomen en de koelkast is beschadigd, order HW-12345",
        "mijn gegevens staan in de link van de enquête, dat is een datalek!!",
        "ik heb twee keer betaald voor dezelfde bestelling, graag geld terug",
        "retour label werkt niet, hoe kan ik terug te sturen?",
        "gaslucht brandlucht schroeilucht",
        "don't, won't, can't, isn't: it doesn't work and I don't recognise the charge",
        "Line one\nLine two; line three: line four - line five – six",
        "\u200b\u200bzero width\u00a0non-breaking\u2028line sep",
        "x\x00y\x01z control chars \x7f",
    ]
    # Texts naming generated rules' model codes, keywords and order numbers, so those rules fire.
    for r in generated[:300:3]:
        when = r["when"]
        kws = when.get("keywords") or []
        code = kws[0] if kws else ""
        rest = " en ".join(kws[1:3])
        num = r["name"][1:6]
        out.append(f"Mijn {code} is kapot: {rest}. Er komt rook uit! Order ORD-{num}")
        out.append(f"My {code} broke down, {rest}, third time I contact you. HW {num}12")
    for r in generated[1:300:3]:  # not ASCII: accents, and letters that match ASCII ones caselessly
        kws = r["when"].get("keywords") or [""]
        num = r["name"][1:6]
        out.append(f"Bestelling {kws[0]}: {' '.join(kws[1:3])}, café ‘kapót’ — ord {num}")
        out.append(f"{kws[0].upper()} ſtuk \u212a İ ı B2B{num} \u212aapot")
    # Order numbers of the order-pattern rules, in texts about their category.
    cat_words = {c["id"]: [w for ws in (c.get("keywords") or {}).values() for w in ws]
                 for c in data["categories"]}
    orders = [r for r in generated if "order_pattern" in r["name"]]
    for j, r in enumerate(orders[:60]):
        about = ", ".join(cat_words.get(r["when"]["category"][0], [])[:3])
        num = r["name"][1:6]
        code = ("ORD-", "hw ", "B2B", "Ord", "ſ-")[j % 5]
        tail = ("", " café", " İ", " \u212a", "")[j % 5]
        out.append(f"{about}. Ordernummer {code}{num}{j % 10}{tail}")
    return out


# -- configs -------------------------------------------------------------------------------


def mixed_rules(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Rules using every kind of condition, alone and combined, above the config's own."""
    cats = [c["id"] for c in data["categories"]]
    team = data["organisation"]["frontline_team"]
    conds: list[dict[str, Any]] = [
        {"kind": ["question"], "channel": ["web"]},
        {"urgency": ["low"], "language": ["en"], "keywords": ["thanks", "bedankt"]},
        {"urgency_at_most": "normal", "segment": ["vip"], "category": [cats[0], cats[1]]},
        {"holiday": True, "urgency_at_least": "high"},
        {"holiday": False, "weekday": ["thu"], "business_hours": False, "kind": ["complaint"]},
        {"business_hours": True, "channel": ["email"], "language": ["nl"]},
        {"vulnerable": True, "urgency_at_most": "high"},
        {"repeat": True, "language": ["nl"], "category": [cats[3]]},
        {"regex": r"\b(?:ORD|HW)[- ]?\d{3,5}\b", "kind": ["complaint", "question"]},
        {"keywords": ["re:\\bgas\\w*", "rook", "*lucht", "bezorg*", "water .. plafond"]},
        {"keywords": ["smoke", "fire"], "urgency": ["critical", "high"], "segment": ["business"]},
        {"weekday": ["sat", "sun"], "category": [cats[2]]},
        {"language": ["en"], "channel": ["whatsapp", "telegram"], "urgency_at_least": "normal"},
        {"kind": ["compliment"], "segment": ["employee"]},
        {"category": [cats[4]], "regex": "(?i)bestelling|order"},
    ]
    rules = [{"name": f"m{i:02d}", "when": w, "then": {"owner": {"team": team}}}
             for i, w in enumerate(conds)]
    rules += [{"name": f"m{i:02d}-{k}", "when": {**w, k: v}, "then": {"owner": {"team": team}}}
              for i, w in enumerate(conds)
              for k, v in (("category", [cats[i % len(cats)]]), ("urgency_at_least", "high"))
              if k not in w]
    return rules + data["rules"]


def configs() -> dict[str, Config]:
    data = load_data()
    bank = yaml.safe_load(BANK.read_text("utf-8"))
    return {
        "config.yaml": Config.model_validate(data),
        "bank-config.yaml": Config.model_validate(bank),
        "rulegen-1000": Config.model_validate(config_data(data, 1000, 1)),
        "mixed-rules": Config.model_validate({**data, "rules": mixed_rules(data)}),
    }


# -- snapshot ------------------------------------------------------------------------------


def _runs(ids: list[int]) -> list[Any]:
    """[3, 4, 5, 6, 9] as [[3, 6], 9]: runs of consecutive ids (traces are mostly runs)."""
    out: list[Any] = []
    i = 0
    while i < len(ids):
        j = i
        while j + 1 < len(ids) and ids[j + 1] == ids[j] + 1:
            j += 1
        out.append([ids[i], ids[j]] if j > i else ids[i])
        i = j + 1
    return out


class Traces:
    """Distinct (rule, why) misses of one config, numbered in order of first appearance."""

    def __init__(self) -> None:
        self.index: dict[tuple[str, str], int] = {}

    def encode(self, d: Decision) -> dict[str, Any]:
        out = d.to_dict()
        ids = []
        for m in out.pop("skipped"):
            key = (m["rule"], m["why"])
            i = self.index.get(key)
            if i is None:
                i = self.index[key] = len(self.index)
            ids.append(i)
        out["skipped"] = _runs(ids)
        return out

    def table(self) -> list[list[str]]:
        return [list(k) for k in self.index]


def snapshot() -> dict[str, Any]:
    data = load_data()
    dev = dev_texts()
    generated = config_data(data, 1000, 1)["rules"]
    sets: dict[str, list[str]] = {"dev": dev, "tsv": tsv_texts(), **public_texts(),
                                  "config": config_texts(data),
                                  "bank_config": config_texts(yaml.safe_load(BANK.read_text("utf-8"))),
                                  "synthetic": synthetic_texts(dev, generated, data),
                                  "dev_upper": [t.upper() for t in dev],
                                  "dev_question": [t + " Wat nu?" for t in dev]}
    out: dict[str, Any] = {"texts": {k: [hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest()[:16]
                                         for t in v] for k, v in sets.items()}, "configs": {}}
    state = OwnershipState()
    for cname, config in configs().items():
        t0 = time.perf_counter()
        router = Router(config)
        # The category model's exact scores (reasons show them rounded), recorded as classify
        # computes them.
        model = router.classifier.model
        score = model.score
        scored: list[Any] = []

        def record(*args: Any, _score: Any = score, _out: list[Any] = scored, **kwargs: Any) -> Any:
            result = _score(*args, **kwargs)
            _out.append(result)
            return result

        model.score = record  # type: ignore[method-assign]
        traces = Traces()
        res: dict[str, Any] = {}
        walk_all = cname in ("rulegen-1000", "mixed-rules")
        for sname, texts in sets.items():
            rows = []
            for i, text in enumerate(texts):
                ctx = CONTEXTS[i % len(CONTEXTS)]
                inp = _inp(text, ctx)
                scored.clear()
                row: dict[str, Any] = {"decide": traces.encode(router.decide(inp, state)),
                                       "scores": [[repr(v) for v in x] for x in scored]}
                if walk_all:
                    c = router.classify(inp)
                    row["walks"] = [
                        [d.rule_index, traces.encode(d)["skipped"]]
                        for d in (router.decide_classified(_inp(text, o), c, state) for o in CONTEXTS)
                    ]
                rows.append(row)
            res[sname] = rows
        res["_misses"] = traces.table()
        out["configs"][cname] = res
        print(f"{cname}: {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    return out


def _diff(a: Any, b: Any, path: str, found: list[str], limit: int = 20) -> None:
    if len(found) >= limit:
        return
    if type(a) is not type(b):
        found.append(f"{path}: {a!r:.200} != {b!r:.200}")
    elif isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                found.append(f"{path}/{k}: only in {'new' if k in a else 'baseline'}")
            else:
                _diff(a[k], b[k], f"{path}/{k}", found, limit)
    elif isinstance(a, list):
        if len(a) != len(b):
            found.append(f"{path}: length {len(a)} != {len(b)}")
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            _diff(x, y, f"{path}[{i}]", found, limit)
    elif a != b:
        found.append(f"{path}: {a!r:.200} != {b!r:.200}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.equivalence", description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--compare", type=Path, default=None, help="a baseline snapshot to diff against")
    args = ap.parse_args(argv)
    snap = snapshot()
    text = json.dumps(snap, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    args.out.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(text) / 1e6:.1f} MB, sha256 "
          f"{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]})", file=sys.stderr)
    if args.compare is not None:
        base = json.loads(args.compare.read_text("utf-8"))
        found: list[str] = []
        _diff(json.loads(text), base, "", found)
        if found:
            print("DIFFERENT from " + str(args.compare) + ":\n  " + "\n  ".join(found))
            return 1
        print(f"identical to {args.compare}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
