"""Learning category examples from resolved cases, and the learned-examples file format.

Pure: `learn_examples` takes labelled examples (text, language, final category of resolved
cases) and returns the ones worth adding to the classifier; `render_learned` and
`parse_learned` turn them into and out of YAML text. The CLI reads and writes the file that
`classifier.learned` names; the router gets the parsed examples.

Selection: a case the current model already routes right with a clear margin teaches little;
a case it gets wrong, or only just right, is kept. Duplicates are dropped and every category
is capped, so one busy month cannot drown the config's own examples.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from routing.config import Config
from routing.text import fold
from routing.types import CaseInput, Example

MAX_TEXT = 600


class LearnedFileError(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class LearnResult:
    examples: list[Example]
    summary: list[str] = field(default_factory=list)


def learn_examples(
    config: Config, cases: Sequence[Example], max_per_category: int = 200, margin: float = 2.0
) -> LearnResult:
    from routing.classify import TextClassifier  # local: classify is the heavier module

    clf = TextClassifier(config)
    known = {c.id for c in config.categories}
    seen: set[str] = set()
    wrong: list[Example] = []
    close: list[tuple[float, Example]] = []
    unknown: Counter[str] = Counter()
    right = 0
    for ex in cases:
        if ex.category not in known:
            unknown[ex.category] += 1
            continue
        key = fold(ex.text)[:200]
        if not key or key in seen:
            continue
        seen.add(key)
        text = ex.text[:MAX_TEXT]
        c = clf.classify(CaseInput(text, language=ex.lang or None))
        scores = clf.category_scores(text)
        item = Example(text, ex.lang or c.language, ex.category)
        if c.category != ex.category:
            wrong.append(item)
            continue
        ranked = sorted(scores.values(), reverse=True)
        gap = ranked[0] - ranked[1] if len(ranked) > 1 else margin
        if gap < margin:
            close.append((gap, item))
        else:
            right += 1
    close.sort(key=lambda gi: gi[0])
    per_cat: Counter[str] = Counter()
    chosen: list[Example] = []
    for ex in [*wrong, *(e for _, e in close)]:
        if per_cat[ex.category] >= max_per_category:
            continue
        per_cat[ex.category] += 1
        chosen.append(ex)
    summary = [
        f"{len(cases)} cases: {len(wrong)} misrouted by the current model, "
        f"{len(close)} routed right by a small margin, {right} clearly right",
        "kept per category: "
        + ", ".join(f"{k} {v}" for k, v in sorted(per_cat.items())) if per_cat else "kept: none",
    ]
    if unknown:
        summary.append(
            "skipped, category not in config: "
            + ", ".join(f"{k} ({v})" for k, v in unknown.most_common())
        )
    return LearnResult(chosen, summary)


def render_learned(result: LearnResult) -> str:
    body = {
        "examples": [
            {"category": e.category, "lang": e.lang, "text": e.text} for e in result.examples
        ]
    }
    head = (
        "# Category examples learned from resolved cases by `skewer routes learn`.\n"
        "# Referenced from config.yaml as  classifier: {learned: <this file>}.\n"
        "# Review before committing: delete any example that is wrong or holds personal data.\n"
    )
    return head + str(yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=100))


def parse_learned(text: str, filename: str = "learned.yaml") -> list[Example]:
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise LearnedFileError(
            f"not valid YAML: {e}", mark.line + 1 if mark is not None else None
        ) from None
    if data is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("examples", []), list):
        raise LearnedFileError(f"{filename}: expected a mapping with an 'examples' list", 1)
    out: list[Example] = []
    for i, item in enumerate(data.get("examples") or []):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not item.get(
            "category"
        ):
            raise LearnedFileError(f"{filename}: examples[{i}] needs 'text' and 'category'")
        weight = item.get("weight", 1.0)
        out.append(
            Example(
                item["text"],
                str(item.get("lang") or ""),
                str(item["category"]),
                float(weight) if isinstance(weight, int | float) else 1.0,
            )
        )
    return out
