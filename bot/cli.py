"""The `skewer` command line."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot import logs
from bot.settings import Runtime, config_path, load_config
from routing.config import ConfigError

log = logging.getLogger("skewer.cli")

SANDBOX_TOKEN = "123456789:sandbox-token"


def _config_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="config file (default: $SKEWER_CONFIG or ./config.yaml)")


def _at_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--at", metavar="MOMENT",
                   help="as of this moment instead of now: ISO 8601, e.g. 2027-01-04T09:00 "
                        "(in the organisation's time zone) or 2027-01-04T08:00+00:00")


def _moment(args: argparse.Namespace, config: Any) -> datetime | None:
    """Now, or the moment `--at` names; None, after saying how to write one, when it is none."""
    from bot.clock import now_or

    try:
        return now_or(getattr(args, "at", None), config.organisation.hours.timezone)
    except ValueError as e:
        print(f"skewer: --at: {e}", file=sys.stderr)
        return None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="skewer", description=(
        "Takes customer complaints through chat and puts each one straight into the hands of "
        "the person who can fix it."))
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the service")
    _config_arg(run)
    run.add_argument("--mode", choices=["polling", "webhook"], help="override telegram.mode")
    run.add_argument("--port", type=int, metavar="N",
                     help="port of the service's web server (web chat, REST API, webhook, "
                          "health; default: server.port in the config, 8080)")
    run.add_argument("--no-updates", action="store_true",
                     help="do not take Telegram updates (another worker polls or gets the "
                          "webhook); only deliver the outbox and fire timers")
    run.add_argument("--emulator-port", type=int, default=8081, metavar="N",
                     help="port of the built-in Telegram emulator and its sandbox page "
                          "(http://127.0.0.1:N/sandbox), started only when TELEGRAM_BOT_TOKEN "
                          "is not set (default: 8081)")
    run.add_argument("--log-level", default=os.environ.get("SKEWER_LOG_LEVEL", "INFO"))

    db = sub.add_parser("db", help="database maintenance")
    dbsub = db.add_subparsers(dest="db_command", required=True)
    up = dbsub.add_parser("upgrade", help="apply migrations")
    _config_arg(up)

    cases = sub.add_parser("cases", help="cases")
    csub = cases.add_subparsers(dest="cases_command", required=True)
    exp = csub.add_parser("export", help="write every case with its fields and timeline")
    _config_arg(exp)
    exp.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    exp.add_argument("--output", "-o", help="file to write (default: standard output)")

    outbox = sub.add_parser("outbox", help="the outgoing message queue")
    osub = outbox.add_subparsers(dest="outbox_command", required=True)
    ol = osub.add_parser("list", help="messages not (yet) delivered")
    _config_arg(ol)
    ol.add_argument("--status", choices=["pending", "dead", "sent", "all"], default="all",
                    help="default: pending and dead")
    ol.add_argument("--limit", type=int, default=50)

    timers = sub.add_parser("timers", help="pending follow-up timers (reminders, escalations, "
                            "take-overs, updates, promises, approvals), soonest first")
    _config_arg(timers)
    timers.add_argument("--case", metavar="REF", help="only this case's timers")
    timers.add_argument("--json", action="store_true", help="a JSON list instead of lines")
    _at_arg(timers)

    report = sub.add_parser("report", help="learning from cases")
    rsub = report.add_subparsers(dest="report_command", required=True)
    for name, help_ in (("compliments", "the compliments wall"),
                        ("overdue", "open cases past a deadline, most overdue first"),
                        ("signals", "signals per process owner: recurring causes, rising "
                                    "categories, repeat customers; handling times as indicators")):
        rp = rsub.add_parser(name, help=help_)
        _config_arg(rp)
        rp.add_argument("--lang", help="language of the report (default: the organisation's)")
        if name != "compliments":
            _at_arg(rp)

    emu = sub.add_parser("emulator", help="run the Telegram Bot API emulator alone")
    emu.add_argument("--host", default="127.0.0.1")
    emu.add_argument("--port", type=int, default=8081, metavar="N",
                     help="port of the emulator and its sandbox page (default: 8081)")

    try:
        from bot.routes_cli import add_routes_commands
    except ImportError:  # pragma: no cover - the routes tools ship with the package
        pass
    else:
        add_routes_commands(sub)
    from bot.apikey_cli import add_apikey_commands

    add_apikey_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        handler = getattr(args, "routes_func", None)
        if handler is not None:
            return int(handler(args) or 0)
        if args.command == "run":
            return asyncio.run(_run(args))
        if args.command == "db":
            return asyncio.run(_db_upgrade(args))
        if args.command == "cases":
            return asyncio.run(_export(args))
        if args.command == "outbox":
            return asyncio.run(_outbox_list(args))
        if args.command == "timers":
            return asyncio.run(_timers(args))
        if args.command == "emulator":
            return asyncio.run(_emulator(args))
        if args.command == "report":
            return asyncio.run(_report(args))
    except ConfigError as e:
        print(f"skewer: the configuration cannot be used:\n{e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    parser.print_help()
    return 2


def _store(args: argparse.Namespace) -> Any:
    from storage.store import Store

    config = load_config(config_path(args.config))
    return config, Store(Runtime.from_env(config).database_url)


async def _db_upgrade(args: argparse.Namespace) -> int:
    from storage.migrate import upgrade

    _config, store = _store(args)
    try:
        await upgrade(store)
    finally:
        await store.dispose()
    print("database is up to date")
    return 0


async def _export(args: argparse.Namespace) -> int:
    from bot.export import export
    from storage.migrate import upgrade

    config, store = _store(args)
    try:
        await upgrade(store)
        if args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as out:  # noqa: ASYNC230 - CLI, nothing else runs
                n = await export(store, config, out, args.format)
        else:
            n = await export(store, config, sys.stdout, args.format)
    finally:
        await store.dispose()
    print(f"exported {n} case(s)", file=sys.stderr)
    return 0


async def _report(args: argparse.Namespace) -> int:
    import html
    import re

    from bot.reports import compliments_wall, overdue, render_signals, signals
    from bot.texts import Texts
    from storage.migrate import upgrade

    config, store = _store(args)
    org = config.organisation
    texts = Texts(org.languages, org.default_language)
    lang = texts.lang(args.lang or org.default_language)
    now = _moment(args, config)
    if now is None:
        return 2
    try:
        await upgrade(store)
        async with store.unit() as unit:
            if args.report_command == "compliments":
                print(await compliments_wall(unit, config))
                return 0
            if args.report_command == "overdue":
                print(html.unescape(await overdue(unit, config, texts, lang, now)))
                return 0
            days = config.followup.signals.window.days
            for sig in await signals(unit, config, now):
                text = render_signals(sig, config, texts, lang, days)
                print(html.unescape(re.sub(r"</?b>", "", text)) + "\n")
    finally:
        await store.dispose()
    return 0


async def _outbox_list(args: argparse.Namespace) -> int:
    from storage import outbox as q
    from storage.migrate import upgrade

    _config, store = _store(args)
    try:
        await upgrade(store)
        async with store.unit() as unit:
            if args.status == "all":
                rows = [r for r in await q.list_messages(unit, None, args.limit * 4)
                        if r.status != "sent"][: args.limit]
            else:
                rows = await q.list_messages(unit, args.status, args.limit)
    finally:
        await store.dispose()
    if not rows:
        print("the outbox is empty: every message was delivered")
        return 0
    for r in rows:
        kind = r.payload.get("type", "?")
        print(f"#{r.id} {r.status:8} {r.channel}:{r.chat_id} case={r.case_id} "
              f"attempts={r.attempts} {kind} created={r.created_at:%Y-%m-%d %H:%M:%S} "
              f"error={r.last_error or '-'}")
    return 0


def timer_rows(rows: list[Any], tz: Any, now: datetime) -> list[dict[str, Any]]:
    """Pending timers (storage.timers.PendingTimer) for people: times in the organisation's
    time zone, and the lease only while a worker holds it."""
    out = []
    for r in rows:
        t = r.timer
        claimed = r.claimed_until if r.claimed_until is not None and r.claimed_until > now else None
        out.append({
            "case": r.reference, "kind": t.kind, "step": t.step,
            "due": t.due_at.astimezone(tz), "attempts": r.failures,
            "claimed_until": claimed.astimezone(tz) if claimed else None,
            "error": t.data.get("error"),
        })
    return out


async def _timers(args: argparse.Namespace) -> int:
    import json
    from zoneinfo import ZoneInfo

    from storage import timers as tm
    from storage.migrate import upgrade

    config, store = _store(args)
    tz = ZoneInfo(config.organisation.hours.timezone)
    now = _moment(args, config)
    if now is None:
        return 2
    try:
        await upgrade(store)
        async with store.unit() as unit:
            case_id = None
            if args.case:
                case = await unit.case_by_ref(args.case)
                if case is None:
                    print(f"skewer: there is no case {args.case}", file=sys.stderr)
                    return 1
                case_id = case.id
            rows = timer_rows(await tm.pending_listing(unit, case_id), tz, now)
    finally:
        await store.dispose()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1,
                         default=lambda when: when.isoformat(timespec="seconds")))
        return 0
    if not rows:
        print("no pending timers" + (f" for {args.case}" if args.case else ""))
        return 0

    def local(when: datetime) -> str:
        return f"{when:%Y-%m-%d %H:%M %Z}"

    for r in rows:
        lease = f"claimed until {local(r['claimed_until'])}" if r["claimed_until"] else "not claimed"
        error = f"  last error: {r['error']}" if r["error"] else ""
        print(f"{r['case'] or '-':8} {r['kind']:15} step {r['step']}  due {local(r['due'])}  "
              f"attempts {r['attempts']}  {lease}{error}")
    return 0


async def _emulator(args: argparse.Namespace) -> int:
    from emulator import Emulator

    emu = Emulator(host=args.host, port=args.port)
    if not await _bind(emu.start, args.port, "the Bot API emulator", "--port N"):
        await emu.stop()
        return 2
    try:
        print(f"Bot API emulator on {emu.base_url} (sandbox: {emu.base_url}/sandbox)")
        await _wait_for_signal()
    finally:
        await emu.stop()
    return 0


async def _bind(start: Callable[[], Awaitable[Any]], port: int, what: str, how: str) -> bool:
    """Start a server. A port already taken is one line that names the option to change,
    not a traceback; any other error goes on up."""
    import errno

    try:
        await start()
    except OSError as e:
        if e.errno != errno.EADDRINUSE:
            raise
        print(f"skewer: port {port} is already in use ({what}); choose another with {how}",
              file=sys.stderr)
        return False
    return True


async def _wait_for_signal(on_hup: Any = None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    if on_hup is not None:
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signal.SIGHUP, on_hup)
    await stop.wait()


def sandbox_people(config: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]],
                                         list[dict[str, Any]]]:
    """The emulator's sandbox: staff with a Telegram id, team group chats, and one demo
    customer per language of the organisation (English first: the sandbox page preselects it)."""
    people = []
    for p in config.people:
        if p.telegram_id is None:
            continue
        team = config.team(p.team).name.get("en", p.team) if config.has_team(p.team) else p.team
        people.append({"id": p.telegram_id, "first_name": p.display_first_name,
                       "name": f"{p.display_first_name} ({team})", "language_code": "nl"})
    groups = []
    for t in config.teams:
        if t.chat_id is not None:
            members = [m.telegram_id for m in config.members(t.id) if m.telegram_id is not None]
            groups.append({"id": t.chat_id, "title": t.name.get("en", t.id), "members": members})
    # A ready-made customer per language, so the first minute needs no setup.
    names = {"en": "Emma", "nl": "Lotte", "de": "Lena", "fr": "Camille", "es": "Lucía",
             "pl": "Zofia", "tr": "Elif", "ar": "Layla", "uk": "Olena"}
    org = config.organisation
    languages = list(dict.fromkeys([*org.languages, org.default_language]))
    languages.sort(key=lambda lang: lang != "en")
    customers = [{"id": 5001 + i, "first_name": names.get(lang, "Customer"),
                  "name": f"{names.get(lang, 'Customer')} ({lang})", "language_code": lang}
                 for i, lang in enumerate(languages)]
    return people, groups, customers


async def _run(args: argparse.Namespace) -> int:
    from bot.app import SkewerApp

    logs.setup(args.log_level)
    path = config_path(args.config)
    config = load_config(path)
    runtime = Runtime.from_env(config)
    emulator: Any = None
    app: SkewerApp | None = None
    try:
        if not runtime.token:
            from emulator import Emulator

            people, groups, customers = sandbox_people(config)
            emulator = Emulator(host="127.0.0.1", port=args.emulator_port, sandbox_people=people,
                                sandbox_groups=groups, sandbox_customers=customers)
            if not await _bind(emulator.start, args.emulator_port, "the Bot API emulator",
                               "--emulator-port N (make run EMULATOR_PORT=N)"):
                return 2
            # Everything else of the runtime (Rasa secret, upload directory) stays as configured.
            runtime = dataclasses.replace(runtime, token=emulator.token,
                                          api_base=emulator.base_url, webhook_url=None,
                                          webhook_secret=None)
        app = SkewerApp(path, runtime=runtime, mode=args.mode, port=args.port,
                        receive_updates=not args.no_updates)
        if not await _bind(app.start, app.port, "the service's web server",
                           "--port N (make run PORT=N)"):
            return 2
        if emulator is not None:
            print(f"\n  Skewer is running against the built-in Telegram emulator (no token set).\n"
                  f"  Open the sandbox: {runtime.api_base}/sandbox\n"
                  f"  Start as a customer on the left; the staff chats on the right show where "
                  f"a complaint lands. Ctrl-C stops.\n", flush=True)
        await _wait_for_signal(on_hup=app.request_reload)
    finally:
        if app is not None:
            await app.stop()
        if emulator is not None:
            await emulator.stop()
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
