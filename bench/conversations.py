"""``make bench``: whole customer conversations through Skewer vs a bare aiogram echo bot.

    python -m bench.conversations [--users 100] [--duration 20] [--warmup 5] [--seed 1]
                                  [--database-url URL] [--json-out FILE]

Setup (the same for both bots, one after the other, each on a fresh emulator):

* the Bot API emulator runs alone in a subprocess (``bench.emuproc``, no access log);
* the bot under test runs alone in a subprocess (``bench.botproc``): the echo bot, or the real
  ``bot.app.SkewerApp`` in polling mode with a fresh database (a temporary SQLite file, or a
  fresh database on the PostgreSQL server of ``--database-url``) and production logging;
* this process is the load generator: ``--users`` simulated users acting concurrently, each
  acting again as soon as the answer it waits for arrived (closed loop, no think time).

Measured over ``--duration`` seconds after ``--warmup`` seconds:

* updates/s: updates (messages and button presses) whose awaited answer arrived in the window;
* end-to-end latency: emulator clock, from the user's message/press being stored (the update is
  queued) to the bot message the user waited for being stored. For Skewer this includes the
  transaction, the outbox hop (commit, wake, claim, send) and, for the first message, two
  outgoing messages in a row;
* handler latency: inside the bot process, an aiogram outer middleware, from dispatch to the
  handler's return. The echo handler includes its sendMessage round trip; Skewer's does not
  (it commits to the outbox and returns) but includes answerCallbackQuery for button presses.
* CPU: seconds of CPU each process used in the window (to see which one is saturated).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.driver import EventStream, Load, Step, customer, echo_user, load_texts
from bench.emuproc import free_port
from bench.stats import machine, process_cpu_seconds, summary, system_cpu_seconds, table
from emulator.testing import EmulatorClient

ROOT = Path(__file__).resolve().parent.parent


class Proc:
    """A child process speaking JSON lines on stdout."""

    def __init__(self, proc: asyncio.subprocess.Process, name: str) -> None:
        self.proc = proc
        self.name = name

    @property
    def pid(self) -> int:
        return self.proc.pid

    async def read_event(self, want: str, timeout: float = 60.0) -> dict[str, Any]:  # noqa: ASYNC109
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{self.name}: no {want!r} within {timeout}s")
            line = await asyncio.wait_for(self.proc.stdout.readline(), remaining)
            if not line:
                raise RuntimeError(f"{self.name} exited (code {await self.proc.wait()}) "
                                   f"before {want!r}")
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if obj.get("event") == want:
                return dict(obj)

    async def command(self, cmd: str, want: str, timeout: float = 30.0) -> dict[str, Any]:  # noqa: ASYNC109
        assert self.proc.stdin is not None
        self.proc.stdin.write(cmd.encode() + b"\n")
        await self.proc.stdin.drain()
        return await self.read_event(want, timeout)

    async def finish(self, timeout: float = 20.0) -> None:  # noqa: ASYNC109
        if self.proc.returncode is not None:
            return
        try:
            if self.proc.stdin is not None and not self.proc.stdin.is_closing():
                self.proc.stdin.write(b"quit\n")
                await self.proc.stdin.drain()
                self.proc.stdin.close()
            else:
                self.proc.terminate()
            await asyncio.wait_for(self.proc.wait(), timeout)
        except (TimeoutError, ConnectionError, ProcessLookupError):
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            await self.proc.wait()


async def start_emulator(workdir: Path) -> tuple[Proc, str]:
    port = free_port()
    log = open(workdir / "emulator.log", "ab")  # noqa: ASYNC230 - handed to the child
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.emuproc", "--port", str(port), cwd=ROOT,
        stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log)
    log.close()
    base = f"http://127.0.0.1:{port}"
    client = EmulatorClient(base)
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                await client.request("GET", "/health")
                break
            except Exception:
                if proc.returncode is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the emulator did not start; see {workdir/'emulator.log'}"
                                       ) from None
                await asyncio.sleep(0.05)
    finally:
        await client.close()
    return Proc(proc, "emulator"), base


async def start_bot(kind: str, base: str, workdir: Path, args: argparse.Namespace,
                    database_url: str | None) -> Proc:
    cmd = [sys.executable, "-m", "bench.botproc", "--kind", kind, "--api-base", base,
           "--config", str(args.config), "--outbox-poll", str(args.outbox_poll),
           "--log-file", str(workdir / f"{kind}.log")]
    if database_url:
        cmd += ["--database-url", database_url]
    if not args.product_logging:
        cmd.append("--no-product-logging")
    if kind == "skewer":
        cmd += ["--send-limits", args.send_limits]
    err = open(workdir / f"{kind}.stderr", "ab")  # noqa: ASYNC230 - handed to the child
    proc = await asyncio.create_subprocess_exec(*cmd, cwd=ROOT, stdin=asyncio.subprocess.PIPE,
                                                stdout=asyncio.subprocess.PIPE, stderr=err,
                                                limit=64 * 1024 * 1024)  # stats carry samples
    err.close()
    p = Proc(proc, f"{kind} bot")
    await p.read_event("ready", timeout=120)
    return p


async def add_staff(client: EmulatorClient, config_path: Path) -> None:
    """Every staff member of the config as an emulator user, and the teams' group chats."""
    from bot.settings import load_config

    config = load_config(config_path)
    for p in config.people:
        if p.telegram_id is not None:
            await client.user(p.telegram_id, p.display_first_name, language_code="nl")
    for t in config.teams:
        if t.chat_id is not None:
            members = [m.telegram_id for m in config.members(t.id) if m.telegram_id is not None]
            await client.group(t.chat_id, str(t.name.get("nl", t.id) if isinstance(t.name, dict)
                                              else t.id), members=members)


async def fresh_postgres(url: str) -> tuple[str, str]:
    import asyncpg

    name = f"skewer_bench_{uuid.uuid4().hex[:10]}"
    raw = url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(raw)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return url.rsplit("/", 1)[0] + "/" + name, name


async def drop_postgres(url: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def _ms(values: list[float]) -> dict[str, Any]:
    return {k: (v * 1000 if isinstance(v, float) else v) for k, v in summary(values).items()}


def _cpu_marks(emu: Proc, bot: Proc) -> dict[str, Any]:
    return {"driver": process_cpu_seconds(), "emulator": process_cpu_seconds(emu.pid),
            "bot": process_cpu_seconds(bot.pid), "system": system_cpu_seconds()}


def _cpu_used(a: dict[str, Any], b: dict[str, Any]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for k in ("bot", "emulator", "driver"):
        out[k] = b[k] - a[k] if a[k] is not None and b[k] is not None else None
    if a["system"] is not None and b["system"] is not None:
        busy, total = b["system"][0] - a["system"][0], b["system"][1] - a["system"][1]
        mine = sum(v for v in out.values() if v is not None)
        out["machine_busy"] = busy
        out["machine_capacity"] = total
        out["others"] = max(0.0, busy - mine)  # CPU other processes on the machine took
    return out


async def run_phase(kind: str, args: argparse.Namespace, workdir: Path,
                    round_no: int = 0) -> dict[str, Any]:
    """One bot, one fresh emulator, one fresh database: warm up, measure, return raw figures."""
    database_url, pg_name = None, None
    if kind == "skewer":
        if args.database_url and args.database_url.startswith("postgresql"):
            database_url, pg_name = await fresh_postgres(args.database_url)
        elif args.database_url:
            database_url = args.database_url
        else:
            database_url = f"sqlite+aiosqlite:///{workdir / f'skewer-{round_no}.db'}"
    emu, base = await start_emulator(workdir)
    client = EmulatorClient(base)
    stream = EventStream(base)
    bot: Proc | None = None
    tasks: list[asyncio.Task[None]] = []
    try:
        if kind == "skewer":
            await add_staff(client, args.config)
        bot = await start_bot(kind, base, workdir, args, database_url)
        await stream.start()
        load = Load(client, stream, load_texts(), args.seed + 7919 * round_no, args.step_timeout)
        user = echo_user if kind == "echo" else customer
        for slot in range(args.users):
            tasks.append(asyncio.create_task(user(load, slot), name=f"user-{slot}"))
            if args.ramp:
                await asyncio.sleep(args.ramp / args.users)
        await asyncio.sleep(args.warmup)
        dead = [t for t in tasks if t.done()]
        if dead:
            dead[0].result()  # a user crashed during warm-up: show why
        await bot.command("mark", "marked")
        t_mark = time.time()
        cpu0 = _cpu_marks(emu, bot)
        steps_before, events0 = len(load.steps), stream.events
        await asyncio.sleep(args.duration)
        t_end = time.time()
        cpu1 = _cpu_marks(emu, bot)
        bot_stats = await bot.command("stats", "stats")
        events = stream.events - events0
        load.stop.set()
        _, pending = await asyncio.wait(tasks, timeout=args.step_timeout + 5)
        for t in pending:
            t.cancel()
        for t in tasks:
            if t.done() and not t.cancelled() and t.exception() is not None:
                raise t.exception()  # type: ignore[misc]
        in_window = [s for s in load.steps if s.ok and s.answer_event is not None
                     and t_mark <= s.answer_event <= t_end]
        failed = [s for s in load.steps[steps_before:] if not s.ok and s.error]
        return {
            "bot": kind, "round": round_no, "window_s": t_end - t_mark, "steps": in_window,
            "failed": failed, "cpu_s": _cpu_used(cpu0, cpu1), "emulator_events": events,
            "event_gaps": stream.gaps, "bot_stats": bot_stats,
            "conversations_started": load.conversations, "outcomes": dict(load.outcomes),
        }
    finally:
        for t in tasks:
            if not t.done():
                t.cancel()
        await stream.stop()
        await client.close()
        if bot is not None:
            await bot.finish()
        await emu.finish(timeout=5)
        if pg_name and args.database_url:
            with contextlib.suppress(Exception):
                await drop_postgres(args.database_url, pg_name)


def _sum_cpu(phases: list[dict[str, Any]], key: str) -> float | None:
    vals = [p["cpu_s"].get(key) for p in phases]
    return None if any(v is None for v in vals) else sum(vals)  # type: ignore[arg-type]


def aggregate(kind: str, phases: list[dict[str, Any]]) -> dict[str, Any]:
    """Pool the rounds of one bot: totals over total time, percentiles over all samples."""
    window = sum(p["window_s"] for p in phases)
    steps: list[Step] = [s for p in phases for s in p["steps"]]
    handled = sum(p["bot_stats"]["handled"] for p in phases)
    bot_wall = sum(p["bot_stats"]["wall_s"] for p in phases)
    handler = [x / 1000 for p in phases for x in p["bot_stats"]["handler_samples_ms"]]
    by_label: dict[str, list[float]] = {}
    for s in steps:
        by_label.setdefault(s.label, []).append(s.e2e or 0.0)
    cpu: dict[str, float | None] = {}
    for k in ("bot", "emulator", "driver", "others", "machine_busy", "machine_capacity"):
        vals = [p["cpu_s"].get(k) for p in phases]
        cpu[k] = sum(v for v in vals if v is not None) if all(v is not None for v in vals) else None
    failed = [s for p in phases for s in p["failed"]]
    outcomes: dict[str, int] = {}
    for p in phases:
        for k, v in p["outcomes"].items():
            outcomes[k] = outcomes.get(k, 0) + v
    last = phases[-1]["bot_stats"]
    result: dict[str, Any] = {
        "bot": kind, "rounds": len(phases), "window_s": window,
        "updates": len(steps), "updates_per_s": len(steps) / window,
        "updates_per_s_by_round": [len(p["steps"]) / p["window_s"] for p in phases],
        "bot_handled": handled, "bot_handled_per_s": handled / bot_wall if bot_wall else None,
        # CPU the bot process spent per update it handled (sending the answers included):
        # much less sensitive to other load on the machine than updates/s.
        "bot_cpu_ms_per_update": (cpu_bot * 1000 / handled
                                  if (cpu_bot := _sum_cpu(phases, "bot")) is not None
                                  and handled else None),
        "e2e_ms": _ms([s.e2e for s in steps if s.e2e is not None]),
        "client_ms": _ms([s.client for s in steps if s.client is not None]),
        "handler_ms": _ms(handler),
        "e2e_ms_by_step": {k: _ms(v) for k, v in sorted(by_label.items())},
        "failed_steps": len(failed), "failures": sorted({s.error for s in failed})[:5],
        "cpu_s": cpu,
        "cpu_util": {k: (v / window if v is not None else None) for k, v in cpu.items()
                     if k not in ("machine_capacity",)},
        "emulator_events": sum(p["emulator_events"] for p in phases),
        "event_gaps": sum(p["event_gaps"] for p in phases),
        "handler_errors": sum(p["bot_stats"]["handler_errors"] for p in phases),
        "bot_log_levels": [p["bot_stats"]["log_levels"] for p in phases],
        "bot_log_first": last.get("log_first"),
    }
    if kind == "skewer":
        result.update({
            "send_limits": last.get("send_limits"),
            "conversations_started": sum(p["conversations_started"] for p in phases),
            "conversation_outcomes": dict(sorted(outcomes.items())),
            "outbox_sent_in_window": sum(p["bot_stats"].get("outbox_sent_in_window", 0)
                                         for p in phases),
            "outbox_pending_at_end": [p["bot_stats"].get("outbox_pending") for p in phases],
            "service_outcomes_last_round": last.get("outcomes_total"),
        })
    return result


def _pct(v: float | None, window: float) -> str:
    return "-" if v is None else f"{v / window * 100:.0f}"


def report(results: dict[str, dict[str, Any]]) -> str:
    rows = []
    for kind in ("echo", "skewer"):
        r = results.get(kind)
        if r is None:
            continue
        cpu, w = r["cpu_s"], r["window_s"]
        rows.append([
            {"echo": "echo bot (baseline)", "skewer": "Skewer"}[kind],
            r["updates_per_s"], r["e2e_ms"]["p50"], r["e2e_ms"]["p99"],
            r["handler_ms"]["p50"], r["handler_ms"]["p99"], r["bot_cpu_ms_per_update"],
            f"{_pct(cpu['bot'], w)}/{_pct(cpu['emulator'], w)}/{_pct(cpu['driver'], w)}"
            f"/{_pct(cpu['others'], w)}",
            r["failed_steps"],
        ])
    out = [table(["bot", "updates/s", "e2e p50 ms", "e2e p99 ms", "handler p50 ms",
                  "handler p99 ms", "bot CPU ms/update", "CPU% bot/emu/load/other", "failed"],
                 rows, digits=2)]
    if "echo" in results and "skewer" in results:
        e, k = results["echo"], results["skewer"]
        ratio = k["updates_per_s"] / max(e["updates_per_s"], 1e-9)
        rounds = " ".join(f"{a / max(b, 1e-9):.2f}" for a, b in
                          zip(k["updates_per_s_by_round"], e["updates_per_s_by_round"],
                              strict=False))
        out.append(f"\nthroughput ratio Skewer / echo = {ratio:.2f}  (aim >= 0.5; by round: "
                   f"{rounds})")
        if e["bot_cpu_ms_per_update"] and k["bot_cpu_ms_per_update"]:
            out.append(f"CPU cost ratio per update Skewer / echo = "
                       f"{k['bot_cpu_ms_per_update'] / e['bot_cpu_ms_per_update']:.1f}x "
                       f"(one core's worth: echo {1000 / e['bot_cpu_ms_per_update']:,.0f}/s, "
                       f"Skewer {1000 / k['bot_cpu_ms_per_update']:,.0f}/s)")
    if "skewer" in results:
        r = results["skewer"]
        out.append("\nSkewer end-to-end latency by step (ms):")
        out.append(table(["step", "count", "p50", "p90", "p99", "max"],
                         [[k, v["count"], v["p50"], v["p90"], v["p99"], v["max"]]
                          for k, v in r["e2e_ms_by_step"].items()]))
        out.append(f"conversations: {r['conversations_started']} started, outcomes "
                   f"{r['conversation_outcomes']}\noutbox: {r['outbox_sent_in_window']} messages "
                   f"sent in the windows, pending at the end {r['outbox_pending_at_end']}; "
                   f"send limits: {r['send_limits']}; bot log warnings/errors: "
                   f"{r['bot_log_levels']}")
    out.append("\nupdates/s: messages and button presses answered in the window. e2e: emulator "
               "clock, update queued -> awaited bot message stored. handler: aiogram outer "
               "middleware in the bot process. CPU%: of one core, bot/emulator/load generator/"
               "other processes on this machine.")
    return "\n".join(out)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.conversations", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--users", type=int, default=100, help="concurrent simulated users")
    p.add_argument("--duration", type=float, default=12.0,
                   help="measured seconds per bot and round")
    p.add_argument("--rounds", type=int, default=2,
                   help="echo and Skewer are measured alternately this many times, pooled")
    p.add_argument("--warmup", type=float, default=4.0, help="seconds of load before measuring")
    p.add_argument("--ramp", type=float, default=1.0, help="seconds over which users start")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--only", choices=("echo", "skewer"), help="run one bot only")
    p.add_argument("--database-url", default=os.environ.get("SKEWER_BENCH_DATABASE_URL"),
                   help="Skewer's database; postgresql+asyncpg://.../db runs on a fresh "
                        "database created on that server (dropped afterwards). Default: a "
                        "temporary SQLite file")
    p.add_argument("--outbox-poll", type=float, default=0.5,
                   help="SkewerApp(outbox_poll=...): the worker's idle poll interval (s)")
    p.add_argument("--send-limits", choices=("off", "config"), default="off",
                   help="Skewer's own Telegram send limits (30/s overall, 1/s per chat): off "
                        "measures capacity (the emulator is a local Bot API server); config "
                        "uses config.yaml's telegram.limits as production does")
    p.add_argument("--product-logging", action=argparse.BooleanOptionalAction, default=True,
                   help="Skewer logs JSON at INFO to a file, as `skewer run` does")
    p.add_argument("--step-timeout", type=float, default=30.0)
    p.add_argument("--config", type=Path, default=ROOT / "config.yaml")
    p.add_argument("--json-out", type=Path)
    p.add_argument("--keep", action="store_true", help="keep the work dir (logs, database)")
    return p.parse_args(argv)


async def amain(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="skewer-bench-"))
    phases: dict[str, list[dict[str, Any]]] = {}
    kinds = [k for k in ("echo", "skewer") if not args.only or k == args.only]
    load_before = machine().get("loadavg_1m")
    try:
        for round_no in range(args.rounds):
            for kind in kinds:  # interleaved, so background noise hits both alike
                print(f"== round {round_no + 1}/{args.rounds}, {kind}: {args.users} users, "
                      f"{args.warmup:g}s warm-up, {args.duration:g}s measured ...",
                      file=sys.stderr, flush=True)
                phases.setdefault(kind, []).append(await run_phase(kind, args, workdir, round_no))
    finally:
        if args.keep:
            print(f"work dir kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    results = {kind: aggregate(kind, ph) for kind, ph in phases.items()}
    out: dict[str, Any] = {
        "benchmark": "conversations", "machine": {**machine(), "loadavg_1m_before": load_before},
        "settings": {"users": args.users, "duration_s": args.duration, "warmup_s": args.warmup,
                     "rounds": args.rounds, "seed": args.seed, "outbox_poll_s": args.outbox_poll,
                     "send_limits": args.send_limits,
                     "database": "postgresql" if (args.database_url or "").startswith(
                         "postgresql") else "sqlite",
                     "product_logging": args.product_logging},
        "results": results,
    }
    if "echo" in results and "skewer" in results:
        out["ratio_throughput"] = (results["skewer"]["updates_per_s"]
                                   / max(results["echo"]["updates_per_s"], 1e-9))
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = asyncio.run(amain(args))
    print(report(out["results"]))
    if args.json_out:
        args.json_out.write_text(json.dumps(out, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
