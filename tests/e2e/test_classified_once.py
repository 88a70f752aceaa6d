"""A story is classified once: at "That's everything". Send routes on that classification,
kept in the durable dialog state, unless the story (or what else the classifier reads) changed
since; then it is classified again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.app import SkewerApp
from bot.omni_types import Who
from routing.types import CaseInput, CustomerFacts
from tests.e2e.flows import LABELS, file_complaint, finish_story, send, tell, to_summary

APP = "The app crashes every time I try to pay, I cannot order anything"  # webshop, normal
SMOKE = "and now there is smoke coming out of my phone charger"  # critical


@pytest.fixture
async def app(start_skewer: Callable[..., Any]) -> SkewerApp:
    return await start_skewer("polling")


@pytest.fixture
def classified(app: SkewerApp, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the running service's classifier was asked to classify, in order."""
    calls: list[str] = []
    classifier = app.deps.router.classifier
    original = classifier.classify

    def counting(inp: CaseInput, *args: Any, **kw: Any) -> Any:
        calls.append(inp.text)
        return original(inp, *args, **kw)

    monkeypatch.setattr(classifier, "classify", counting)
    return calls


async def case_of(app: SkewerApp, ref: str) -> Any:
    async with app.store.unit() as unit:
        return await unit.case_by_ref(ref)


async def test_send_routes_on_the_classification_made_at_thats_everything(
        app: SkewerApp, emu, classified: list[str]) -> None:
    ada = await emu.user(5601, "Ada", language_code="en")
    await tell(ada, APP)
    await finish_story(ada, asks_reference=False)
    assert classified == [APP]
    # Kept in the durable dialog state, as plain JSON.
    async with app.store.unit() as unit:
        state, _ = await unit.load_conversation(f"telegram:{ada.id}")
    assert state["classified"]["as"]["category"] == "webshop"

    ref, _ = await send(ada)
    assert classified == [APP], "Send classified the unchanged story again"
    case = await case_of(app, ref)
    assert (case.category, case.urgency, case.owner_team) == ("webshop", "normal", "digital")
    # What was kept is exactly what classifying at Send would have given.
    again = app.deps.router.classify(CaseInput(APP, channel="telegram", language="en"))
    assert case.decision["classification"] == again.to_dict()
    async with app.store.unit() as unit:
        state, _ = await unit.load_conversation(f"telegram:{ada.id}")
    assert "classified" not in state


async def test_a_story_added_to_at_the_summary_is_classified_again_at_send(
        app: SkewerApp, emu, classified: list[str]) -> None:
    bo = await emu.user(5602, "Bo", language_code="en")
    await to_summary(bo, APP)
    assert classified == [APP]
    await bo.send(SMOKE)
    await bo.wait_for("Added to your story.")
    summary = await bo.wait_for(LABELS["en"]["summary"])
    assert SMOKE in summary.text
    ref, _ = await send(bo)
    assert classified == [APP, f"{APP}\n{SMOKE}"]
    case = await case_of(app, ref)
    assert case.urgency == "critical" and case.text == f"{APP}\n{SMOKE}"
    reasons = [r["signal"] for r in case.decision["classification"]["urgency_reasons"]]
    assert any("smoke" in r for r in reasons), reasons


async def test_a_retold_story_is_classified_when_told_and_not_again_at_send(
        app: SkewerApp, emu, classified: list[str]) -> None:
    cas = await emu.user(5603, "Cas", language_code="en")
    await to_summary(cas, APP, better="test before you release")
    await cas.press(LABELS["en"]["change"])
    await cas.wait_for("What would you like to change?")
    await cas.press("My story")
    await cas.wait_for("tell me the whole story again")
    retold = f"{APP}, {SMOKE}"
    await cas.send(retold)
    await cas.press(LABELS["en"]["done"])
    summary = await cas.wait_for(LABELS["en"]["summary"])
    assert "smoke" in summary.text and "test before you release" in summary.text
    assert classified == [APP, retold]
    ref, _ = await send(cas)
    assert classified == [APP, retold], "Send classified the retold story again"
    case = await case_of(app, ref)
    assert case.urgency == "critical" and case.text == retold


async def test_a_third_contact_is_more_urgent_and_still_classified_once(
        app: SkewerApp, emu, classified: list[str]) -> None:
    """The customer's earlier contacts are read at "That's everything" too: the kept
    classification already carries the repeat-contact urgency."""
    dev = await emu.user(5604, "Dev", language_code="en")
    refs = [await file_complaint(dev, APP)]
    for _ in range(2):
        await dev.send("/new")
        await dev.wait_for("Hello Dev")
        refs.append(await file_complaint(dev, APP))
    assert classified == [APP] * 3
    cases = [await case_of(app, ref) for ref in refs]
    assert [c.urgency for c in cases] == ["normal", "normal", "high"]
    reasons = [r["signal"] for r in cases[2].decision["classification"]["urgency_reasons"]]
    assert "third or later contact" in reasons
    assert cases[2].decision["classification"]["repeat_contact"] is True
    again = app.deps.router.classify(CaseInput(APP, channel="telegram", language="en",
                                               customer=CustomerFacts(prior_contacts={"webshop": 2})))
    assert cases[2].decision["classification"] == again.to_dict()


async def test_a_complaint_filed_in_one_call_is_classified_once(
        app: SkewerApp, classified: list[str]) -> None:
    """The REST API and Rasa file the whole intake in one call: the same one classification."""
    out = await app.omni.file_complaint(Who("api", "crm-7", "Eda", "en"), text=APP,
                                        idempotency_key="classified-once-1")
    assert out.case is not None and out.case.category == "webshop"
    assert classified == [APP]
