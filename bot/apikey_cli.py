"""`skewer apikey create|list|revoke`: REST API keys, shown once and stored hashed."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.apikeys import SCOPES, create_key, list_keys, revoke_key
from bot.clock import system_clock
from bot.settings import Runtime, config_path, load_config


def add_apikey_commands(sub: Any) -> None:
    ak = sub.add_parser("apikey", help="REST API keys")
    asub = ak.add_subparsers(dest="apikey_command", required=True)
    create = asub.add_parser("create", help="create a key (printed once; only its hash is kept)")
    create.add_argument("--scope", choices=SCOPES, default="intake",
                        help="intake: file complaints and read cases; staff: also take, reply, "
                             "resolve and hand over")
    create.add_argument("--name", default="", help="who uses it, e.g. 'CRM' or 'phone desk'")
    create.add_argument("--person", help="staff keys: the staff member (config id) it acts as")
    lst = asub.add_parser("list", help="keys and their scopes (never the keys themselves)")
    revoke = asub.add_parser("revoke", help="revoke a key by its id (the part after skw_)")
    revoke.add_argument("key_id")
    for p in (create, lst, revoke):
        p.add_argument("--config", help="config file (default: $SKEWER_CONFIG or config.yaml)")
        p.set_defaults(routes_func=lambda a: asyncio.run(_main(a)))


async def _main(args: argparse.Namespace) -> int:
    from storage.migrate import upgrade
    from storage.store import Store

    path = config_path(args.config)
    config = load_config(path)
    store = Store(Runtime.from_env(config).database_url)
    try:
        await upgrade(store)
        now = system_clock()
        if args.apikey_command == "create":
            if args.person and not config.has_person(args.person):
                print(f"skewer: no staff member '{args.person}' in {path}")
                return 2
            try:
                key = await create_key(store, args.scope, args.name, args.person, now)
            except ValueError as e:
                print(f"skewer: {e}")
                return 2
            print(key)
            print(f"# scope {args.scope}; shown once, store it now", flush=True)
            return 0
        if args.apikey_command == "list":
            for k in await list_keys(store):
                state = "revoked" if k["revoked"] else "active"
                print(f"{k['key_id']}\t{k['scope']}\t{state}\t{k['person'] or '-'}\t{k['name']}")
            return 0
        if await revoke_key(store, args.key_id, now):
            print(f"revoked {args.key_id}")
            return 0
        print(f"skewer: no active key {args.key_id}")
        return 1
    finally:
        await store.dispose()
