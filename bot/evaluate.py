"""Evaluate the classifier: `python -m bot.evaluate [--data-dir DIR] [--json-out FILE]`.

Prints markdown: precision, recall, F1 per label and confusion matrices for urgency, category
and kind on the labelled dev set, by language, for the tuned part and the held-out part
separately (a fixed ~30% of the set, chosen by a hash of the id, that nothing is tuned on);
then complaint-vs-not on two public English sets (X-CI tweets, CESAMARD reviews) and routing
of US consumer-finance complaints (CFPB `Product`) with a bank's config written by hand.

`--errors` lists the tuned part's mistakes, never the held-out part's: looking at those would
make them tuning data.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from bot.routes_cli import build_router, config_path
from routing.engine import Router
from routing.types import CaseInput, Classification, Kind

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
BANK_CONFIG = ROOT / "tests" / "fixtures" / "bank-config.yaml"
WRITTEN = ROOT / "tests" / "eval" / "data"
# Labelled like dev.jsonl, written by other authors from the taxonomy alone, without seeing
# dev.jsonl or the classifier: (file, name in the tables, whether its mistakes may be listed).
EXTRA_SETS = (
    ("extra-a.jsonl", "author A (tuned on)", True),
    ("blind.jsonl", "author B (blind)", False),
)
HELD_OUT_PERCENT = 30

URGENCIES = ["critical", "high", "normal", "low"]
KINDS = ["complaint", "compliment", "question"]

# CFPB products (old and new names) onto the bank config's categories.
CFPB_PRODUCTS = {
    "Credit reporting, credit repair services, or other personal consumer reports":
        "credit_reporting",
    "Credit reporting": "credit_reporting",
    "Debt collection": "debt_collection",
    "Mortgage": "mortgage",
    "Credit card or prepaid card": "credit_card",
    "Credit card": "credit_card",
    "Prepaid card": "credit_card",
    "Checking or savings account": "bank_account",
    "Bank account or service": "bank_account",
    "Student loan": "student_loan",
    "Vehicle loan or lease": "vehicle_loan",
    "Money transfer, virtual currency, or money service": "money_transfer",
    "Money transfers": "money_transfer",
    "Virtual currency": "money_transfer",
    "Payday loan, title loan, or personal loan": "personal_loan",
    "Payday loan": "personal_loan",
    "Consumer Loan": "personal_loan",
}


def held_out(case_id: str) -> bool:
    """The fixed held-out split: ~30% of ids by hash, stable across runs and machines."""
    return int(hashlib.sha256(case_id.encode("utf-8")).hexdigest(), 16) % 100 < HELD_OUT_PERCENT


# -- metrics -------------------------------------------------------------------------------


def scores(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    per: dict[str, dict[str, float]] = {}
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p != lab)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[lab] = {"precision": prec, "recall": rec, "f1": f1, "support": tp + fn}
    present = [lab for lab in labels if per[lab]["support"] > 0]
    macro = sum(per[lab]["f1"] for lab in present) / len(present) if present else 0.0
    acc = sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / len(gold) if gold else 0.0
    confusion = {g: {p: 0 for p in labels} for g in labels}
    for g, p in zip(gold, pred, strict=True):
        if g in confusion and p in confusion[g]:
            confusion[g][p] += 1
    return {"n": len(gold), "accuracy": acc, "macro_f1": macro, "labels": per,
            "confusion": confusion}


def _pct(x: float) -> str:
    return f"{x:.2f}"


def per_label_table(title: str, s: dict[str, Any]) -> str:
    rows = [f"**{title}** (n={s['n']}, accuracy {_pct(s['accuracy'])}, "
            f"macro-F1 {_pct(s['macro_f1'])})", "",
            "| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for lab, m in s["labels"].items():
        rows.append(f"| {lab} | {_pct(m['precision'])} | {_pct(m['recall'])} | "
                    f"{_pct(m['f1'])} | {int(m['support'])} |")
    return "\n".join(rows)


def confusion_table(title: str, s: dict[str, Any]) -> str:
    labels = list(s["confusion"])
    rows = [f"*{title}: confusion (rows gold, columns predicted)*", "",
            "| gold \\ pred | " + " | ".join(labels) + " |",
            "|---|" + "---|" * len(labels)]
    for g in labels:
        rows.append(f"| {g} | " + " | ".join(str(s["confusion"][g][p]) for p in labels) + " |")
    return "\n".join(rows)


# -- dev set -------------------------------------------------------------------------------


def load_dev(data_dir: Path) -> list[dict[str, Any]]:
    return load_jsonl(data_dir / "complaints" / "dev.jsonl")


def evaluate_dev(router: Router, rows: list[dict[str, Any]], use_hint: bool) -> dict[str, Any]:
    return evaluate_labelled(router, rows, use_hint, {
        "tuned": [not held_out(r["id"]) for r in rows],
        "held_out": [held_out(r["id"]) for r in rows],
        "all": [True] * len(rows),
    }, show_errors=lambda r: not held_out(r["id"]))


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def evaluate_labelled(
    router: Router,
    rows: list[dict[str, Any]],
    use_hint: bool,
    splits: dict[str, list[bool]],
    show_errors: Callable[[dict[str, Any]], bool] = lambda r: True,
) -> dict[str, Any]:
    """Scores per split and language for rows labelled like dev.jsonl; `_errors` lists the
    mistakes on rows `show_errors` allows (never a held-out or blind row)."""
    categories = [c.id for c in router.config.categories]
    preds: list[Classification] = []
    t0 = time.perf_counter()
    for r in rows:
        preds.append(router.classify(CaseInput(r["text"], language=r["lang"] if use_hint else None)))
    elapsed = time.perf_counter() - t0
    out: dict[str, Any] = {"classifications_per_second": len(rows) / elapsed if elapsed else 0.0}
    for split, mask in splits.items():
        for lang in ("all", "nl", "en"):
            idx = [i for i, r in enumerate(rows) if mask[i] and (lang == "all" or r["lang"] == lang)]
            key = f"{split}/{lang}"
            out[key] = {
                "urgency": scores([rows[i]["urgency"] for i in idx],
                                  [preds[i].urgency.value for i in idx], URGENCIES),
                "category": scores([rows[i]["category"] for i in idx],
                                   [preds[i].category for i in idx], categories),
                "kind": scores([rows[i]["kind"] for i in idx],
                               [preds[i].kind.value for i in idx], KINDS),
                "repeat": scores(["yes" if rows[i].get("repeat_contact") and
                                  rows[i]["urgency"] in ("high", "critical") else "no" for i in idx],
                                 ["yes" if preds[i].repeat_contact else "no" for i in idx],
                                 ["yes", "no"]),
            }
    out["_errors"] = [
        {"id": r["id"], "lang": r["lang"], "text": r["text"][:160],
         "gold": (r["urgency"], r["category"], r["kind"]),
         "pred": (p.urgency.value, p.category, p.kind.value),
         "reasons": [str(x) for x in p.reasons][:6]}
        for r, p in zip(rows, preds, strict=True)
        if show_errors(r)
        and (r["urgency"], r["category"], r["kind"]) != (p.urgency.value, p.category, p.kind.value)
    ]
    return out


def dev_summary_table(res: dict[str, Any], extra: Sequence[tuple[str, dict[str, Any]]] = ()) -> str:
    rows = ["| split | lang | n | urgency macro-F1 | critical P | critical R | category acc | "
            "kind macro-F1 |", "|---|---|---|---|---|---|---|---|"]
    parts = [(split.replace("_", "-"), res, split) for split in ("tuned", "held_out", "all")]
    parts += [(name, r, "all") for name, r in extra]
    for name, r, split in parts:
        for lang in ("all", "nl", "en"):
            m = r[f"{split}/{lang}"]
            if not m["urgency"]["n"]:
                continue
            crit = m["urgency"]["labels"]["critical"]
            rows.append(
                f"| {name} | {lang} | {m['urgency']['n']} | "
                f"{_pct(m['urgency']['macro_f1'])} | {_pct(crit['precision'])} | "
                f"{_pct(crit['recall'])} | {_pct(m['category']['accuracy'])} | "
                f"{_pct(m['kind']['macro_f1'])} |"
            )
    return "\n".join(rows)


# -- public sets ---------------------------------------------------------------------------


def is_complaint(c: Classification) -> bool:
    """Complaint with evidence: the default-when-nothing-fires complaint does not count here."""
    if c.kind is not Kind.complaint:
        return False
    return not any(r.effect.endswith("(default)") for r in c.kind_reasons)


def _read_csv(path: Path) -> Iterable[list[str]]:
    csv.field_size_limit(10**8)
    with path.open(encoding="utf-8", errors="replace", newline="") as f:
        reader = csv.reader(f)
        next(reader, None)
        yield from reader


def evaluate_binary(router: Router, texts: list[str], gold: list[str]) -> dict[str, Any]:
    t0 = time.perf_counter()
    pred = ["complaint" if is_complaint(router.classify(CaseInput(t, language="en"))) else "not"
            for t in texts]
    elapsed = time.perf_counter() - t0
    s = scores(gold, pred, ["complaint", "not"])
    s["classifications_per_second"] = len(texts) / elapsed if elapsed else 0.0
    return s


def evaluate_xci(router: Router, data_dir: Path, limit: int | None) -> dict[str, Any] | None:
    path = data_dir / "public" / "x-ci-tweets" / "X-CI_Dataset.csv"
    if not path.exists():
        return None
    rows = [r for r in _read_csv(path) if len(r) > 2 and r[2] in ("0", "1")][:limit]
    return evaluate_binary(router, [r[1] for r in rows],
                           ["complaint" if r[2] == "1" else "not" for r in rows])


def evaluate_cesamard(router: Router, data_dir: Path, limit: int | None) -> dict[str, Any] | None:
    path = data_dir / "public" / "cesamard-reviews" / "CESAMARD-Aspect_Dataset.csv"
    if not path.exists():
        return None
    # By position: 5 title, 6 review text, 7 complaint 0/1 (the header repeats names).
    rows = [r for r in _read_csv(path) if len(r) > 7 and r[7] in ("0", "1")][:limit]
    texts = [(r[5] + ". " + r[6].replace("\\n", "\n")).strip() for r in rows]
    return evaluate_binary(router, texts, ["complaint" if r[7] == "1" else "not" for r in rows])


def evaluate_cfpb(data_dir: Path, bank_config: Path, limit: int | None) -> dict[str, Any] | None:
    path = data_dir / "public" / "cfpb-complaints" / "complaints_sample.csv"
    if not path.exists() or not bank_config.exists():
        return None
    router = build_router(bank_config)
    rows = [r for r in _read_csv(path) if len(r) > 5 and r[5].strip() and r[1] in CFPB_PRODUCTS]
    rows = rows[:limit]
    gold = [CFPB_PRODUCTS[r[1]] for r in rows]
    t0 = time.perf_counter()
    pred = [router.classify(CaseInput(r[5], language="en")).category for r in rows]
    elapsed = time.perf_counter() - t0
    labels = [c.id for c in router.config.categories]
    s = scores(gold, pred, labels)
    s["classifications_per_second"] = len(rows) / elapsed if elapsed else 0.0
    return s


# -- main ----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bot.evaluate", description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA,
                    help="folder holding complaints/ and public/ (default ../shared/data)")
    ap.add_argument("--config", default=None, help="organisation config (default config.yaml)")
    ap.add_argument("--bank-config", type=Path, default=BANK_CONFIG)
    ap.add_argument("--json-out", type=Path, default=None)
    ap.add_argument("--no-public", action="store_true", help="only the dev set")
    ap.add_argument("--limit", type=int, default=None, help="rows per public set")
    ap.add_argument("--hint", action="store_true", help="pass the labelled language as hint")
    ap.add_argument("--errors", action="store_true", help="list the tuned part's mistakes")
    ap.add_argument("--details", action="store_true",
                    help="per-label tables and confusions for every language, not only 'all'")
    args = ap.parse_args(argv)

    router = build_router(str(config_path(args.config)))
    dev = evaluate_dev(router, load_dev(args.data_dir), args.hint)
    extra: list[tuple[str, dict[str, Any], bool]] = []
    for file, name, listable in EXTRA_SETS:
        if (WRITTEN / file).exists():
            rows = load_jsonl(WRITTEN / file)
            extra.append((name, evaluate_labelled(router, rows, args.hint, {"all": [True] * len(rows)},
                                                  show_errors=lambda r, ok=listable: ok), listable))
    out: list[str] = ["## Classifier evaluation", "",
                      f"Dev set `complaints/dev.jsonl`: held-out = ids whose sha256 mod 100 < "
                      f"{HELD_OUT_PERCENT}; nothing was tuned on it. Language hint "
                      f"{'given' if args.hint else 'not given'}. Author A and author B wrote "
                      "their sets (`tests/eval/data/*.jsonl`) from the taxonomy alone, without "
                      "seeing dev.jsonl or the classifier; B's set was never looked at when tuning, "
                      "only its scores.", "",
                      dev_summary_table(dev, [(name, r) for name, r, _ in extra]), ""]
    langs = ("all", "nl", "en") if args.details else ("all",)
    for split in ("tuned", "held_out"):
        for lang in langs:
            m = dev[f"{split}/{lang}"]
            for task in ("urgency", "category", "kind"):
                out += [per_label_table(f"{task}, {split.replace('_', '-')}, {lang}", m[task]), ""]
                out += [confusion_table(f"{task}, {split.replace('_', '-')}, {lang}", m[task]), ""]
    public: dict[str, Any] = {}
    if not args.no_public:
        xci = evaluate_xci(router, args.data_dir, args.limit)
        ces = evaluate_cesamard(router, args.data_dir, args.limit)
        cfpb = evaluate_cfpb(args.data_dir, args.bank_config, args.limit)
        public = {"x_ci": xci, "cesamard": ces, "cfpb": cfpb}
        out += ["### Public sets (English, never tuned on)", "",
                "| set | task | n | accuracy | macro-F1 | complaint P | complaint R |",
                "|---|---|---|---|---|---|---|"]
        for name, s in (("X-CI tweets", xci), ("CESAMARD reviews", ces)):
            if s is None:
                out.append(f"| {name} | complaint vs not | missing | | | | |")
                continue
            c = s["labels"]["complaint"]
            out.append(f"| {name} | complaint vs not | {s['n']} | {_pct(s['accuracy'])} | "
                       f"{_pct(s['macro_f1'])} | {_pct(c['precision'])} | {_pct(c['recall'])} |")
        if cfpb is not None:
            out.append(f"| CFPB | Product routing, bank config | {cfpb['n']} | "
                       f"{_pct(cfpb['accuracy'])} | {_pct(cfpb['macro_f1'])} | | |")
            out += ["", per_label_table("CFPB product routing", cfpb), ""]
    out.append(f"Speed: {dev['classifications_per_second']:.0f} dev-set classifications/s "
               "(one core, including the long messages).")
    print("\n".join(out))
    if args.errors:
        print("\n### Tuned-part mistakes (gold urgency/category/kind -> predicted)\n")
        for e in dev["_errors"] + [e for _, r, ok in extra if ok for e in r["_errors"]]:
            print(f"- {e['id']} {e['lang']} {e['gold']} -> {e['pred']}: {e['text']!r}")
            for r in e["reasons"]:
                print(f"    {r}")
    if args.json_out:
        figures = {k: v for k, v in dev.items() if not k.startswith("_")}
        others = {name: {k: v for k, v in r.items() if not k.startswith("_")} for name, r, _ in extra}
        args.json_out.write_text(
            json.dumps({"dev": figures, "written": others, "public": public}, indent=2,
                       ensure_ascii=False),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
