"""The emulator alone in its own process, for benchmarks: ``python -m bench.emuproc --port P``.

The same application as ``python -m emulator`` (``emulator.server.create_app``), but without
aiohttp's access log: that one writes a line per Bot API call at INFO and would make the
harness, not the bot, the thing being measured.
"""

from __future__ import annotations

import argparse
import logging
import socket

from aiohttp import web


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def main(argv: list[str] | None = None) -> None:
    from emulator.server import create_app
    from emulator.state import DEFAULT_TOKEN, EmulatorConfig, EmulatorState

    parser = argparse.ArgumentParser(prog="python -m bench.emuproc")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    state = EmulatorState(EmulatorConfig(token=args.token))
    web.run_app(create_app(state), host=args.host, port=args.port, print=None,
                access_log=None, handler_cancellation=True, shutdown_timeout=1.0)


if __name__ == "__main__":
    main()
