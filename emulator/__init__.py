"""A Telegram Bot API emulator: an aiohttp server that real bot clients (aiogram) talk to.

See ``emulator.server`` (``create_app``, ``Emulator``) and ``emulator.testing`` (the client).
"""

from .server import Emulator, create_app
from .state import DEFAULT_TOKEN, EmulatorConfig, EmulatorState
from .testing import CallbackPress, EmulatorClient, EmulatorError, TgGroup, TgMessage, TgUser

__all__ = [
    "DEFAULT_TOKEN",
    "CallbackPress",
    "Emulator",
    "EmulatorClient",
    "EmulatorConfig",
    "EmulatorError",
    "EmulatorState",
    "TgGroup",
    "TgMessage",
    "TgUser",
    "create_app",
]
