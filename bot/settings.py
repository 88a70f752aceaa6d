"""Reading the config file and the environment: the only place that touches either."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from routing.config import Config, ConfigError, ConfigProblem, parse_config

DEFAULT_API_BASE = "https://api.telegram.org"


def config_path(explicit: str | None = None) -> Path:
    return Path(explicit or os.environ.get("SKEWER_CONFIG") or "config.yaml")


def load_config(path: str | Path) -> Config:
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except OSError as e:
        raise ConfigError([ConfigProblem(str(path), None, "", f"cannot read the file: {e.strerror}")]) from e
    return parse_config(text, str(path))


@dataclass(frozen=True)
class Runtime:
    """Secrets and endpoints, from the environment variables the config names."""

    token: str | None
    api_base: str
    database_url: str
    webhook_url: str | None
    webhook_secret: str | None
    # The other channels: the shared secret Rasa sends (X-Skewer-Rasa-Secret), where web chat
    # uploads are kept.
    rasa_secret: str | None = None
    upload_dir: str = "uploads"

    @classmethod
    def from_env(cls, config: Config) -> Runtime:
        tg = config.telegram
        return cls(
            token=os.environ.get(tg.token_env) or None,
            api_base=os.environ.get(tg.api_base_env) or DEFAULT_API_BASE,
            database_url=os.environ.get(config.database_url_env) or config.database_url,
            webhook_url=os.environ.get(tg.webhook_url_env) or None,
            webhook_secret=os.environ.get(tg.webhook_secret_env) or None,
            rasa_secret=os.environ.get("SKEWER_RASA_SECRET") or None,
            upload_dir=os.environ.get("SKEWER_UPLOAD_DIR") or "uploads",
        )
