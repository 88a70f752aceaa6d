"""`skewer routes ...`: check, explain, replay and learn, for the people who tune the routing.

The lead's `bot/cli.py` calls `add_routes_commands(subparsers)`; `main(argv)` runs the same
commands on their own (`python -m bot.routes_cli check`). This module does the file reading
for routing: the config, the learned-examples file it names, JSONL inputs. `routing/` itself
only ever gets data.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from routing.config import Config, ConfigError, ConfigProblem, parse_config
from routing.engine import Router
from routing.learn import LearnedFileError, learn_examples, parse_learned, render_learned
from routing.types import CaseInput, CustomerFacts, Decision, Example, OwnershipState
from routing.validate import check_config

DEFAULT_CONFIG = "config.yaml"


# -- loading ---------------------------------------------------------------------------------


def config_path(given: str | None = None) -> Path:
    return Path(given or os.environ.get("SKEWER_CONFIG") or DEFAULT_CONFIG)


def load_config(path: str | Path) -> Config:
    p = Path(path)
    return parse_config(p.read_text(encoding="utf-8"), str(p))


def learned_path(config: Config, path: str | Path) -> Path | None:
    if not config.classifier.learned:
        return None
    lp = Path(config.classifier.learned)
    return lp if lp.is_absolute() else Path(path).parent / lp


def load_learned(config: Config, path: str | Path) -> list[Example]:
    """The examples of the file `classifier.learned` names (relative to the config file)."""
    lp = learned_path(config, path)
    if lp is None:
        return []
    if not lp.exists():
        raise ConfigError([ConfigProblem(
            str(path), None, "classifier.learned",
            f"file {lp} does not exist (run `skewer routes learn` or remove the key)",
        )])
    try:
        return parse_learned(lp.read_text(encoding="utf-8"), str(lp))
    except LearnedFileError as e:
        raise ConfigError([ConfigProblem(str(lp), e.line, "", str(e))]) from None


def build_router(path: str | Path | None = None) -> Router:
    """The router for a config file, with its learned examples: what the program should use."""
    p = config_path(str(path) if path is not None else None)
    config = load_config(p)
    return Router(config, load_learned(config, p))


def load_past_cases(since: timedelta, path: str | Path | None = None,
                    resolved_only: bool = False, at: str | None = None) -> list[dict[str, Any]]:
    """Past cases from the database, oldest first, as dicts like the JSONL input: those
    created in the `since` before now (or before the moment `at`, ISO 8601).

    Keys: id (the reference), text, channel, lang, category (the final category), urgency,
    owner_team, owner, rule. `resolved_only` for learning: only settled cases teach.
    """
    import asyncio

    from bot.clock import now_or
    from bot.settings import Runtime
    from storage.migrate import upgrade
    from storage.store import Store

    config = load_config(config_path(str(path) if path is not None else None))
    now = now_or(at, config.organisation.hours.timezone)

    async def fetch() -> list[dict[str, Any]]:
        store = Store(Runtime.from_env(config).database_url)
        try:
            await upgrade(store)
            async with store.unit() as unit:
                cases = await unit.all_cases(since=now - since)
        finally:
            await store.dispose()
        return [
            {"id": c.reference, "text": c.text, "channel": c.channel, "lang": c.language,
             "category": c.category, "urgency": c.urgency, "kind": c.kind,
             "owner_team": c.owner_team, "owner": {"team": c.owner_team, "person": c.owner_person},
             "rule": c.rule}
            for c in cases if not resolved_only or c.status in ("resolved", "closed")
        ]

    return asyncio.run(fetch())


def read_jsonl(path: str | Path) -> Iterator[dict[str, Any]]:
    with Path(path).open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise SystemExit(f"{path}:{n}: not valid JSON: {e}") from None
            if not isinstance(obj, dict) or not isinstance(obj.get("text", ""), str):
                raise SystemExit(f"{path}:{n}: each line must be an object with a 'text' string")
            yield obj


def case_from(obj: dict[str, Any], now: datetime | None = None) -> CaseInput:
    prior = obj.get("prior_contacts") or {}
    when = obj.get("now") or obj.get("created_at")
    at = now
    if isinstance(when, str):
        try:
            at = datetime.fromisoformat(when)
        except ValueError:
            at = now
    return CaseInput(
        text=str(obj.get("text", "")),
        channel=str(obj.get("channel") or "telegram"),
        language=obj.get("lang") or obj.get("language"),
        customer=CustomerFacts(
            segment=str(obj.get("segment") or ""),
            vulnerable=bool(obj.get("vulnerable", False)),
            prior_contacts={str(k): int(v) for k, v in dict(prior).items()},
        ),
        now=at,
    )


# -- commands --------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    path = config_path(args.config)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        print(f"{path}: cannot read: {e}", file=out)
        return 2
    problems = check_config(text, str(path))
    for p in problems:
        print(p, file=out)
    errors = [p for p in problems if p.level == "error"]
    warnings = len(problems) - len(errors)
    if errors:
        print(f"{path}: {len(errors)} error(s), {warnings} warning(s)", file=out)
        return 1
    config = parse_config(text, str(path))
    try:
        load_learned(config, path)
    except ConfigError as e:
        print(e, file=out)
        return 1
    print(f"{path}: OK, {len(config.rules)} rules, {warnings} warning(s)", file=out)
    return 0


def _describe(d: Decision) -> str:
    c = d.classification
    lines = [
        f"owner:     {d.owner.team}" + (f" / {d.owner.person}" if d.owner.person else " (group)"),
        f"rule:      #{d.rule_index} {d.rule}",
        f"why:       {d.why}",
        f"urgency:   {c.urgency.value}",
        f"category:  {c.category}",
        f"kind:      {c.kind.value}",
        f"language:  {c.language} ({c.language_reason})",
        f"deadlines: {d.deadlines.profile}: first response {d.deadlines.first_response}, "
        f"updates every {d.deadlines.update_interval}, resolve within {d.deadlines.resolution}",
    ]
    if d.notify:
        lines.append(f"notify:    {', '.join(d.notify)}")
    if d.tags:
        lines.append(f"tags:      {', '.join(d.tags)}")
    if c.repeat_contact:
        lines.append("repeat:    third or later contact")
    if c.named_people:
        lines.append(f"named:     {', '.join(c.named_people)}")
    lines.append("reasons:")
    lines.extend(f"  - {r}" for r in c.reasons)
    if d.skipped:
        lines.append("earlier rules that did not match:")
        lines.extend(f"  - {m.rule}: {m.why}" for m in d.skipped)
    if d.fallback:
        lines.append("ownership fallback:")
        lines.extend(f"  - {s}" for s in d.fallback)
    return "\n".join(lines)


def cmd_explain(args: argparse.Namespace, out: TextIO) -> int:
    from bot.clock import now_or

    router = build_router(args.config)
    try:
        now = now_or(args.at, router.config.organisation.hours.timezone)
    except ValueError as e:
        print(f"explain --at: {e}", file=sys.stderr)
        return 2
    inp = CaseInput(
        text=args.text,
        channel=args.channel,
        language=args.lang,
        customer=CustomerFacts(segment=args.customer or ""),
        now=now,
    )
    d = router.decide(inp, OwnershipState())
    if args.json:
        print(json.dumps(d.to_dict(), ensure_ascii=False, indent=2), file=out)
    else:
        print(_describe(d), file=out)
    return 0


def _progress(i: int, total: int | None, err: TextIO) -> None:
    if total is None or total < 200 or (i % max(1, total // 50) and i != total):
        return
    width = 30
    done = int(width * i / total)
    err.write(f"\r[{'#' * done}{'.' * (width - done)}] {i}/{total}")
    if i == total:
        err.write("\n")
    err.flush()


def replay_rows(
    router: Router, rows: Iterable[dict[str, Any]], total: int | None = None,
    err: TextIO | None = None,
) -> Iterator[tuple[dict[str, Any], Decision]]:
    state = OwnershipState()
    for i, obj in enumerate(rows, 1):
        d = router.decide(case_from(obj), state)
        if err is not None:
            _progress(i, total, err)
        yield obj, d


def cmd_replay(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    router = build_router(args.config)
    if args.input:
        rows = list(read_jsonl(args.input))
    else:
        try:
            rows = load_past_cases(_parse_since(args.since), args.config, at=args.at)
        except ValueError as e:
            print(f"replay --since: {e}", file=err)
            return 2
    moves: Counter[tuple[str, str]] = Counter()
    changed = 0
    for n, (obj, d) in enumerate(replay_rows(router, rows, len(rows), err)):
        c = d.classification
        owner = d.owner.team + (f"/{d.owner.person}" if d.owner.person else "")
        if args.json:
            rec = {
                "id": obj.get("id", n + 1),
                "urgency": c.urgency.value,
                "category": c.category,
                "kind": c.kind.value,
                "language": c.language,
                "owner": d.owner.to_dict(),
                "rule": d.rule,
                "reasons": [str(r) for r in c.reasons],
                "why": d.why,
            }
            print(json.dumps(rec, ensure_ascii=False), file=out)
            continue
        before = str(obj.get("owner_team") or obj.get("owner") or obj.get("team") or "(none)")
        if isinstance(obj.get("owner"), dict):
            before = str(obj["owner"].get("team"))
        if before != d.owner.team:
            changed += 1
        moves[(before, d.owner.team)] += 1
        del owner
    if not args.json:
        print(f"{len(rows)} cases replayed; {changed} would land with another team", file=out)
        print(f"{'from':<20} {'to':<20} {'cases':>6}", file=out)
        for (a, b), k in sorted(moves.items(), key=lambda kv: (-kv[1], kv[0])):
            mark = "" if a == b else "  <- moves"
            print(f"{a:<20} {b:<20} {k:>6}{mark}", file=out)
    return 0


def _parse_since(text: str) -> timedelta:
    from routing.config import parse_duration

    return parse_duration(text)


def cmd_learn(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    path = config_path(args.config)
    config = load_config(path)
    if args.input:
        rows = list(read_jsonl(args.input))
    else:
        try:
            rows = load_past_cases(_parse_since(args.since), args.config, resolved_only=True,
                                   at=args.at)
        except ValueError as e:
            print(f"learn --since: {e}", file=err)
            return 2
    examples = [
        Example(str(r.get("text", "")), str(r.get("lang") or ""), str(r.get("category") or ""))
        for r in rows
        if r.get("text") and r.get("category")
    ]
    result = learn_examples(config, examples, max_per_category=args.max_per_category)
    text = render_learned(result)
    target = Path(args.output) if args.output else (learned_path(config, path) or None)
    if target is None or args.dry_run:
        out.write(text)
    else:
        target.write_text(text, encoding="utf-8")
        print(f"wrote {len(result.examples)} examples to {target}", file=err)
        if not config.classifier.learned:
            print(f"add to {path}:  classifier: {{learned: {target.name}}}", file=err)
    for line in result.summary:
        print(line, file=err)
    return 0


# -- wiring ----------------------------------------------------------------------------------


def add_routes_commands(subparsers: Any) -> None:
    """Register `routes check|explain|replay|learn` on an argparse subparsers object."""
    routes = subparsers.add_parser("routes", help="check, explain and replay routing")
    sub = routes.add_subparsers(dest="routes_command", required=True)

    def with_config(p: argparse.ArgumentParser) -> None:
        p.add_argument("--config", help="config file (default $SKEWER_CONFIG or config.yaml)")

    p = sub.add_parser("check", help="validate the config; non-zero exit on errors")
    with_config(p)
    p.set_defaults(routes_func=lambda a: cmd_check(a, sys.stdout))

    p = sub.add_parser("explain", help="route one message and show why")
    p.add_argument("text")
    p.add_argument("--channel", default="telegram")
    p.add_argument("--lang", default=None, help="language hint (nl, en)")
    p.add_argument("--customer", default=None, metavar="SEGMENT", help="customer segment")
    p.add_argument("--at", default=None, metavar="MOMENT",
                   help="route as at this moment (ISO 8601; default now)")
    p.add_argument("--json", action="store_true")
    with_config(p)
    p.set_defaults(routes_func=lambda a: cmd_explain(a, sys.stdout))

    p = sub.add_parser("replay", help="route past cases again, e.g. with another config")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--input", metavar="FILE.jsonl")
    src.add_argument("--since", metavar="30d")
    p.add_argument("--at", metavar="MOMENT", help="count --since back from this moment "
                   "instead of now (ISO 8601)")
    p.add_argument("--json", action="store_true", help="one JSON object per case, in order")
    with_config(p)
    p.set_defaults(routes_func=lambda a: cmd_replay(a, sys.stdout, sys.stderr))

    p = sub.add_parser("learn", help="learn category examples from resolved cases")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--input", metavar="FILE.jsonl", help="past cases with text and category")
    src.add_argument("--since", metavar="90d")
    p.add_argument("--at", metavar="MOMENT", help="count --since back from this moment "
                   "instead of now (ISO 8601)")
    p.add_argument("--output", help="file to write (default: the config's classifier.learned)")
    p.add_argument("--max-per-category", type=int, default=200)
    p.add_argument("--dry-run", action="store_true", help="print instead of writing")
    with_config(p)
    p.set_defaults(routes_func=lambda a: cmd_learn(a, sys.stdout, sys.stderr))


def run(args: argparse.Namespace) -> int:
    try:
        return int(args.routes_func(args))
    except ConfigError as e:
        print(e, file=sys.stderr)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="skewer")
    subparsers = parser.add_subparsers(dest="command", required=True)
    add_routes_commands(subparsers)
    args = parser.parse_args(["routes", *(argv if argv is not None else sys.argv[1:])])
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
