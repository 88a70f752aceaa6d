"""``python -m emulator --host 127.0.0.1 --port 8081``: run the Telegram Bot API emulator."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from aiohttp import web

from .server import create_app
from .state import DEFAULT_TOKEN, EmulatorConfig, EmulatorState


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN,
                        help="the default bot's token (users' messages go to this bot)")
    parser.add_argument("--bot-username", default="skewer_bot")
    parser.add_argument("--sandbox", type=Path, metavar="JSON",
                        help='sandbox config: {"people": [{"id": 1001, "name": "Sanne"}], '
                             '"groups": [{"id": -1001, "title": "Team", "members": [1001]}]}')
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    sandbox = json.loads(args.sandbox.read_text()) if args.sandbox else {}
    state = EmulatorState(EmulatorConfig(
        token=args.token, bot_username=args.bot_username,
        sandbox_people=sandbox.get("people", []), sandbox_groups=sandbox.get("groups", []),
    ))
    print(f"Telegram Bot API emulator on http://{args.host}:{args.port}  "
          f"(sandbox: http://{args.host}:{args.port}/sandbox, token {args.token})")
    web.run_app(create_app(state), host=args.host, port=args.port, print=None,
                handler_cancellation=True, shutdown_timeout=1.0)


if __name__ == "__main__":
    main()
