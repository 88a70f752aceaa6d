"""The customer's conversation, step by step, for tests that drive it through the emulator.

    ref = await file_complaint(user, STORY)                 # the whole intake, Skip and no order number
    summary = await to_summary(user, STORY, better="...")   # up to the summary, to look at it
    ref, confirmation = await send(user)                    # then press Send

The smaller steps (`tell`, `finish_story`, `answer_reference`) let a test look at each question
on the way. Every step waits for the answer it expects, so a step that goes wrong fails where it
went wrong. Only the test process uses this module (the crash test's service subprocess runs
`python -m bot` and imports no test code).
"""

from __future__ import annotations

import re

from emulator.testing import TgMessage, TgUser

REF = re.compile(r"\b([A-Z2-9]{3}-[A-Z2-9]{3})\b")
WAIT = 10.0  # the emulator client's own default

# What the customer sees and presses, per language (bot/texts/*.yaml).
LABELS = {
    "en": {"done": "That's everything", "skip": "Skip", "noref": "I don't have one",
           "send": "Send", "change": "Change", "cancel": "Cancel",
           "summary": "Shall I send it?", "better": "how could we have served you better?",
           "ask_ref": "order or reference number", "confirm": "Your case number is"},
    "nl": {"done": "Dat was het", "skip": "Overslaan", "noref": "Heb ik niet",
           "send": "Versturen", "change": "Aanpassen", "cancel": "Annuleren",
           "summary": "Zal ik het versturen?", "better": "hoe hadden we je beter kunnen helpen?",
           "ask_ref": "order- of referentienummer", "confirm": "Je zaaknummer is"},
}


def ref_of(message: TgMessage) -> str:
    """The case reference in a bot message (a confirmation, say)."""
    match = REF.search(message.text)
    assert match, message.text
    return match.group(1)


async def tell(user: TgUser, story: str, *, photo: str | None = None, lang: str = "en",
               timeout: float = WAIT) -> TgMessage:  # noqa: ASYNC109
    """Send the story, and a photo with this caption once it is taken in; returns the prompt
    with the "That's everything" button."""
    await user.send(story)
    prompt = await user.wait_for(LABELS[lang]["done"], timeout=timeout)
    if photo is not None:
        await user.send_photo(caption=photo)
    return prompt


async def finish_story(user: TgUser, *, better: str | None = None, lang: str = "en",
                       asks_reference: bool | None = None,
                       timeout: float = WAIT) -> TgMessage:  # noqa: ASYNC109
    """Press "That's everything" and answer the better-service question (None: Skip).
    Returns what comes next: the order-number question or the summary; `asks_reference`
    True or False checks which one it is."""
    t = LABELS[lang]
    await user.press(t["done"])
    await user.wait_for(t["better"], timeout=timeout)
    if better is None:
        await user.press(t["skip"])
    else:
        await user.send(better)
    nxt = await user.wait_for(lambda m: t["summary"] in m.text or t["ask_ref"] in m.text,
                              timeout=timeout)
    if asks_reference is not None:
        expected = "the order-number question" if asks_reference else "the summary"
        assert (t["ask_ref"] in nxt.text) == asks_reference, f"expected {expected}: {nxt.text}"
    return nxt


async def answer_reference(user: TgUser, asked: TgMessage, reference: str | None = None, *,
                           lang: str = "en", timeout: float = WAIT) -> TgMessage:  # noqa: ASYNC109
    """When `asked` is the order-number question, answer it (None: "I don't have one").
    Returns the summary."""
    t = LABELS[lang]
    if t["ask_ref"] not in asked.text:
        return asked
    if reference is None:
        await user.press(t["noref"])
    else:
        await user.send(reference)
    return await user.wait_for(t["summary"], timeout=timeout)


async def to_summary(user: TgUser, story: str, *, better: str | None = None,
                     reference: str | None = None, photo: str | None = None, lang: str = "en",
                     timeout: float = WAIT) -> TgMessage:  # noqa: ASYNC109
    """Tell a story and answer the questions up to the summary (which is returned)."""
    await tell(user, story, photo=photo, lang=lang, timeout=timeout)
    asked = await finish_story(user, better=better, lang=lang, timeout=timeout)
    return await answer_reference(user, asked, reference, lang=lang, timeout=timeout)


async def send(user: TgUser, *, lang: str = "en",
               timeout: float = WAIT) -> tuple[str, TgMessage]:  # noqa: ASYNC109
    """Press Send on the summary; returns the case reference and the confirmation."""
    await user.press(LABELS[lang]["send"])
    confirmation = await user.wait_for(LABELS[lang]["confirm"], timeout=timeout)
    return ref_of(confirmation), confirmation


async def file_complaint(user: TgUser, story: str, *, better: str | None = None,
                         reference: str | None = None, photo: str | None = None,
                         lang: str = "en", timeout: float = WAIT) -> str:  # noqa: ASYNC109
    """The whole intake: story, better-service answer, order number when asked, Send.
    Returns the case reference."""
    await to_summary(user, story, better=better, reference=reference, photo=photo, lang=lang,
                     timeout=timeout)
    ref, _ = await send(user, lang=lang, timeout=timeout)
    return ref
