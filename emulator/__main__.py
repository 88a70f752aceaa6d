"""``python -m emulator --host 127.0.0.1 --port 8081``: run the Telegram Bot API emulator."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import json
import logging
import signal
import sys
from pathlib import Path

from aiohttp import web

from .server import create_app
from .state import DEFAULT_TOKEN, EmulatorConfig, EmulatorState


async def serve(state: EmulatorState, host: str, port: int) -> None:
    """Serve until SIGINT/SIGTERM; an ``OSError`` (the port is taken, say) leaves nothing open."""
    runner = web.AppRunner(create_app(state), handler_cancellation=True, shutdown_timeout=1.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        print(f"Telegram Bot API emulator on http://{host}:{port}  "
              f"(sandbox: http://{host}:{port}/sandbox, token {state.config.token})", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081,
                        help="port of the Bot API, the control API and the sandbox page "
                             "(default: 8081)")
    parser.add_argument("--token", default=DEFAULT_TOKEN,
                        help="the default bot's token (users' messages go to this bot)")
    parser.add_argument("--bot-username", default="skewer_bot")
    parser.add_argument("--sandbox", type=Path, metavar="JSON",
                        help='sandbox config: {"people": [{"id": 1001, "name": "Sanne"}], '
                             '"groups": [{"id": -1001, "title": "Team", "members": [1001]}], '
                             '"customers": [{"id": 5001, "first_name": "Emma", '
                             '"language_code": "en"}]}')
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    sandbox = json.loads(args.sandbox.read_text()) if args.sandbox else {}
    state = EmulatorState(EmulatorConfig(
        token=args.token, bot_username=args.bot_username,
        sandbox_people=sandbox.get("people", []), sandbox_groups=sandbox.get("groups", []),
        sandbox_customers=sandbox.get("customers", []),
    ))
    try:
        asyncio.run(serve(state, args.host, args.port))
    except OSError as e:
        if e.errno != errno.EADDRINUSE:
            raise
        print(f"python -m emulator: port {args.port} is already in use; "
              f"choose another with --port N", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
