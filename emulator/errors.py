"""Bot API errors, shaped exactly like Telegram's error answers."""

from __future__ import annotations

from typing import Any

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


class ApiError(Exception):
    """An error answer of the Bot API: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(
        self,
        code: int,
        description: str,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        parameters: dict[str, int] = {}
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        if parameters:
            body["parameters"] = parameters
        return body


def bad_request(message: str) -> ApiError:
    return ApiError(400, f"Bad Request: {message}")


def forbidden(message: str) -> ApiError:
    return ApiError(403, f"Forbidden: {message}")


def not_found(message: str = "method not found") -> ApiError:
    return ApiError(404, f"Not Found: {message}")


def conflict(message: str) -> ApiError:
    return ApiError(409, f"Conflict: {message}")


def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized")


def too_many_requests(retry_after: int) -> ApiError:
    retry_after = max(1, int(retry_after))
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def entities_error(message: str) -> ApiError:
    return bad_request(f"can't parse entities: {message}")
