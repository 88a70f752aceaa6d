"""Rasa custom actions: a Rasa assistant files complaints through the same intake.

- `actions`: the four actions (rasa-sdk `Action` subclasses).
- `webhook`: rasa-sdk's `ActionExecutor` on Skewer's own aiohttp server (/webhook, /actions),
  with a shared secret and errors that never echo the conversation.
- `mount`: adds those routes without importing rasa-sdk until the first call, so a service
  that never hears from Rasa does not pay for it at every start.

Standalone: `python -m rasa_sdk --actions handlers.rasa` (rasa-sdk imports the submodules and
registers the actions it finds).
"""
