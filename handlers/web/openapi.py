"""The OpenAPI 3.0 document of the REST API, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

ERR = {"$ref": "#/components/schemas/Error"}


def _resp(desc: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": desc,
            "content": {"application/json": {"schema": schema or ERR}}}


COMMON = {"400": _resp("Malformed request"), "401": _resp("Missing or wrong API key"),
          "503": _resp("Temporarily unavailable; nothing was stored, try again")}
REF_PARAM = {"name": "ref", "in": "path", "required": True,
             "schema": {"type": "string", "pattern": "^[A-Za-z2-9]{3}-[A-Za-z2-9]{3}$"},
             "description": "The case reference, e.g. K7P-3QX"}
IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
               "schema": {"type": "string", "maxLength": 100},
               "description": "The same key again returns the first answer instead of acting twice"}


def _staff(summary: str, body: dict[str, Any] | None) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary, "security": [{"bearer": []}], "parameters": [REF_PARAM, IDEMPOTENCY],
        "responses": {"200": _resp("Done", {"$ref": "#/components/schemas/StaffResult"}),
                      "403": _resp("The key is not a staff key"),
                      "404": _resp("No such case"), "409": _resp("Not possible in this state"),
                      **COMMON},
    }
    if body is not None:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": body}}}
    return op


NOT_BLANK = r"\S"  # at least one character that is not white space


def _text_body(field: str, max_len: int) -> dict[str, Any]:
    return {"type": "object", "required": [field],
            "properties": {field: {"type": "string", "minLength": 1, "maxLength": max_len,
                                   "pattern": NOT_BLANK}}}


SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Skewer API", "version": "1.0.0",
             "description": "File complaints and work on cases. Every complaint is classified "
                            "and routed to its owner exactly as one filed in a chat."},
    "servers": [{"url": "/"}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                       "description": "A key from `skewer apikey create`"}},
        "schemas": {
            "Error": {"type": "object", "required": ["error", "message"],
                      "properties": {"error": {"type": "string"}, "message": {"type": "string"}}},
            "Owner": {"type": "object", "properties": {
                "team": {"type": "string"}, "person": {"type": "string", "nullable": True}}},
            "Complaint": {
                "type": "object", "required": ["text", "customer"],
                "properties": {
                    "text": {"type": "string", "minLength": 1, "maxLength": 60000,
                             "pattern": NOT_BLANK,
                             "description": "What went wrong, in the customer's words"},
                    "better_service": {"type": "string", "maxLength": 20000,
                                       "description": "How could we have served you better?"},
                    "order_reference": {"type": "string", "maxLength": 100},
                    "customer": {"type": "object", "required": ["id"], "properties": {
                        "id": {"type": "string", "minLength": 1, "maxLength": 100,
                               "pattern": NOT_BLANK,
                               "description": "Your system's id for the customer"},
                        "name": {"type": "string", "maxLength": 200},
                        "language": {"type": "string", "maxLength": 8},
                        "link_code": {"type": "string", "maxLength": 20, "description": (
                            "The code the customer got with /link in their chat (read out to "
                            "a phone agent, say): the complaint becomes theirs and replies go "
                            "to that chat. An unknown code gives 404, a used one 409, an "
                            "expired one 410; none of them files anything")}}},
                }},
            "CaseCreated": {"type": "object", "properties": {
                "reference": {"type": "string"}, "status": {"type": "string"},
                "kind": {"type": "string"}, "category": {"type": "string"},
                "urgency": {"type": "string"}, "owner": {"$ref": "#/components/schemas/Owner"},
                "first_response_due": {"type": "string", "nullable": True},
                "messages": {"type": "array", "items": {"type": "string"}}}},
            "StaffResult": {"type": "object", "required": ["outcome"], "properties": {
                "outcome": {"type": "string"}, "reference": {"type": "string"},
                "status": {"type": "string"}, "owner": {"$ref": "#/components/schemas/Owner"},
                "messages": {"type": "array", "items": {"type": "string"}}}},
            "Case": {"type": "object", "required": ["reference", "status", "messages"],
                     "properties": {
                         "reference": {"type": "string"}, "status": {"type": "string"},
                         "kind": {"type": "string"}, "category": {"type": "string"},
                         "urgency": {"type": "string"}, "channel": {"type": "string"},
                         "owner": {"$ref": "#/components/schemas/Owner"},
                         "messages": {"type": "array", "items": {
                             "type": "object", "properties": {
                                 "at": {"type": "string"}, "direction": {"type": "string"},
                                 "author": {"type": "string"}, "channel": {"type": "string"},
                                 "text": {"type": "string"}}}},
                         "events": {"type": "array", "items": {"type": "object"}}}},
        },
    },
    "paths": {
        "/api/v1/complaints": {"post": {
            "summary": "File a complaint", "security": [{"bearer": []}],
            "parameters": [IDEMPOTENCY],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Complaint"}}}},
            "responses": {
                "201": _resp("Filed and routed", {"$ref": "#/components/schemas/CaseCreated"}),
                "200": _resp("Already filed with this Idempotency-Key",
                             {"$ref": "#/components/schemas/CaseCreated"}),
                "404": _resp("The link code is not known"),
                "409": _resp("The link code was already used"),
                "410": _resp("The link code has expired"),
                "422": _resp("The complaint text is empty"), **COMMON}}},
        "/api/v1/cases/{ref}": {"get": {
            "summary": "A case with its timeline (each message with its channel)",
            "security": [{"bearer": []}], "parameters": [REF_PARAM],
            "responses": {"200": _resp("The case", {"$ref": "#/components/schemas/Case"}),
                          "404": _resp("No such case"), **COMMON}}},
        "/api/v1/cases/{ref}/take": {"post": _staff("Take the case", None)},
        "/api/v1/cases/{ref}/reply": {"post": _staff("Answer the customer", _text_body("text", 4000))},
        "/api/v1/cases/{ref}/resolve": {"post": _staff("Resolve with a root cause",
                                                       _text_body("cause", 300))},
        "/api/v1/cases/{ref}/handover": {"post": _staff("Hand over to a team or person",
                                                        _text_body("to", 100))},
    },
}
