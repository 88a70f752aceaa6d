"""Classification by the taxonomy: urgency, category, kind, language, each with its reasons."""

from __future__ import annotations

import pytest

from routing.classify import NOT_RECOGNISED
from routing.engine import Router
from routing.types import CaseInput, CustomerFacts
from tests.routing.conftest import config_data, make_config


def reasons_text(c: object) -> str:
    return " | ".join(str(r) for r in c.reasons)  # type: ignore[attr-defined]


URGENCY_CASES = [
    # text, urgency, a signal that must be in the reasons (or "" for none), words it fired on
    pytest.param("ik ruik gas sinds de monteur het fornuis heeft aangesloten", "critical",
                 "gas smell or leak", "ruik gas", id="gas-smell-nl"),
    pytest.param("I can smell gas in the kitchen since the cooker was connected", "critical",
                 "gas smell or leak", "smell gas", id="gas-smell-en"),
    pytest.param("er komen vonken uit het stopcontact achter de oven", "critical", "sparks",
                 "vonken", id="sparks-nl"),
    pytest.param("water is pouring out of the dishwasher, the floor is flooded", "critical",
                 "water flooding", "pouring", id="flooding-en"),
    pytest.param("mijn zoon kreeg een schok van de wasmachine", "critical", "electric shock",
                 "schok", id="shock-nl"),
    pytest.param("koelkast is kapot en de insuline van mijn dochter ligt erin", "critical",
                 "medicine or medical device at risk", "insuline", id="insulin-fridge-nl"),
    pytest.param("someone is ordering with my account right now, my account was hacked",
                 "critical", "fraud or data misuse in progress", "hacked", id="fraud-now-en"),
    pytest.param("als de koelkast vrijdag weer niet komt stap ik naar de geschillencommissie",
                 "high", "legal or regulatory threat", "geschillencommissie",
                 id="legal-hypothetical-nl"),
    pytest.param("I don't want to involve a lawyer, but the delivery is three weeks late",
                 "high", "legal or regulatory threat", "lawyer", id="legal-negated-en"),
    pytest.param("als dit nog eens gebeurt ga ik naar de advocaat", "high",
                 "legal or regulatory threat", "advocaat", id="legal-if-again-nl"),
    pytest.param("I was charged twice for the same washing machine", "high",
                 "money lost or taken wrongly", "charged twice", id="double-charge-en"),
    pytest.param("ik zet dit op twitter als het niet snel opgelost wordt", "high",
                 "threat to go public", "twitter", id="go-public-nl"),
    pytest.param("mijn vader heeft dementie en heeft drie keer dezelfde stofzuiger besteld",
                 "high", "vulnerable customer", "dementie", id="vulnerable-nl"),
    pytest.param("the delivery was late again", "normal", "no urgency signal", "",
                 id="late-delivery-en"),
    pytest.param("would be nice if you had evening delivery slots", "low", "suggestion",
                 "would be nice", id="suggestion-en"),
    pytest.param("doos was wel wat gedeukt maar de koelkast zelf is prima, wou het even melden",
                 "low", "minor annoyance", "", id="minor-nl"),
]


@pytest.mark.parametrize(("text", "urgency", "signal", "words"), URGENCY_CASES)
def test_urgency(router: Router, text: str, urgency: str, signal: str, words: str) -> None:
    c = router.classify(CaseInput(text))
    assert c.urgency.value == urgency, reasons_text(c)
    fired = [r for r in c.urgency_reasons if r.signal == signal and "ignored" not in r.effect]
    assert fired, reasons_text(c)
    if words:
        assert words in fired[0].words


HARD_CASES = [
    pytest.param("niemand gewond, maar de oven is kapot", "critical", "injury", "negated",
                 id="negation-nl"),
    pytest.param("The oven door broke, luckily no one was hurt", "critical", "injury", "negated",
                 id="negation-en"),
    pytest.param("the gas cooker works fine, but the delivery was late", "critical",
                 "gas smell or leak", None, id="gas-cooker-fine-en"),
    pytest.param("I'm fuming. The fridge was supposed to arrive yesterday", "critical",
                 "smoke or fire", None, id="figurative-fuming"),
    pytest.param("wat als hij straks in brand vliegt?", "critical", "fire", "hypothetical",
                 id="hypothetical-fire-nl"),
]


@pytest.mark.parametrize(("text", "not_urgency", "signal", "cancelled"), HARD_CASES)
def test_context_cancels_safety_words(
    router: Router, text: str, not_urgency: str, signal: str, cancelled: str | None
) -> None:
    c = router.classify(CaseInput(text))
    assert c.urgency.value != not_urgency, reasons_text(c)
    fired = [r for r in c.urgency_reasons if r.signal == signal and "ignored" not in r.effect]
    assert not fired
    if cancelled:
        assert any(r.signal == signal and cancelled in r.effect for r in c.urgency_reasons)


def test_gas_cooker_fine_is_delivery(router: Router) -> None:
    c = router.classify(CaseInput("the gas cooker works fine, but the delivery was late"))
    assert c.category == "delivery"
    assert c.kind.value == "complaint"


def test_sarcasm_about_repeat_is_a_repeat_complaint(router: Router) -> None:
    c = router.classify(CaseInput("Geweldig hoor, al de derde keer dat de monteur niet komt."))
    assert c.kind.value == "complaint"
    assert c.repeat_contact
    assert c.urgency.value == "high"
    assert any(r.signal == "sarcasm" and "geweldig hoor" in r.words for r in c.kind_reasons)
    assert any("third or later contact" in r.signal for r in c.urgency_reasons)


@pytest.mark.parametrize(
    ("text", "repeat"),
    [
        pytest.param("ik krijg nog steeds mails terwijl ik me 3x heb afgemeld", True,
                     id="3x-afgemeld"),
        pytest.param("this is the third time I write about this invoice", True,
                     id="third-time-i-write"),
        pytest.param("voor de 3e keer: de droger is nog steeds niet gerepareerd", True,
                     id="3e-keer"),
        pytest.param("app blijft hangen bij het afrekenen, al 4x geprobeerd", False,
                     id="four-tries-is-not-contact"),
        pytest.param("I measured three times before ordering", False, id="three-times-measured"),
    ],
)
def test_repeat_stated_in_text(router: Router, text: str, repeat: bool) -> None:
    c = router.classify(CaseInput(text))
    assert c.repeat_contact is repeat, reasons_text(c)
    if repeat:
        assert c.urgency.at_least(c.urgency.high)


def test_repeat_from_prior_contacts(router: Router) -> None:
    text = "mijn pakket is nog steeds niet bezorgd"
    first = router.classify(CaseInput(text, customer=CustomerFacts(prior_contacts={"delivery": 1})))
    third = router.classify(CaseInput(text, customer=CustomerFacts(prior_contacts={"delivery": 2})))
    other = router.classify(CaseInput(text, customer=CustomerFacts(prior_contacts={"billing": 5})))
    assert first.urgency.value == "normal" and not first.repeat_contact
    assert third.urgency.value == "high" and third.repeat_contact
    assert any("2 earlier contacts about delivery" in r.words for r in third.urgency_reasons)
    assert not other.repeat_contact


def test_shouting_raises_nothing(router: Router) -> None:
    quiet = router.classify(CaseInput("de bezorger is niet gekomen"))
    loud = router.classify(CaseInput("DE BEZORGER IS NIET GEKOMEN!!!!!"))
    assert loud.urgency == quiet.urgency
    assert any(r.signal == "shouting" and "no effect" in r.effect for r in loud.urgency_reasons)


@pytest.mark.parametrize(
    ("text", "kind", "category"),
    [
        pytest.param("bezorger was supervriendelijk en heel behulpzaam 👍", "compliment",
                     "staff_conduct", id="compliment-staff-nl"),
        pytest.param("Delivery was right on time and the driver called ahead. Well done!",
                     "compliment", "delivery", id="compliment-delivery-en"),
        pytest.param("De oven ziet er top uit, maar de monteur heeft mijn tegels gebroken",
                     "complaint", "installation", id="praise-plus-complaint-nl"),
        pytest.param("hoe verander ik mijn wachtwoord in de app?", "question", "webshop",
                     id="question-nl"),
        pytest.param("Where can I download my invoice?", "question", "billing", id="question-en"),
    ],
)
def test_kind_and_category(router: Router, text: str, kind: str, category: str) -> None:
    c = router.classify(CaseInput(text))
    assert (c.kind.value, c.category) == (kind, category), reasons_text(c)
    assert c.kind_reasons and c.category_reasons
    if kind == "compliment":
        assert c.urgency.value == "low"


def test_compliment_is_always_low(router: Router) -> None:
    c = router.classify(CaseInput("Thank you Esther, you were so patient and helpful!"))
    assert c.kind.value == "compliment"
    assert c.urgency.value == "low"


@pytest.mark.parametrize(
    ("text", "hint", "language", "recognised"),
    [
        pytest.param("de bezorger is niet gekomen en ik heb niks gehoord", None, "nl", True,
                     id="dutch"),
        pytest.param("the courier did not come and nobody called me", "nl", "en", True,
                     id="english-despite-hint"),
        pytest.param("Die Waschmaschine ist kaputt und ich habe keine Antwort bekommen", "de",
                     "nl", False, id="german"),
        pytest.param("Le lave-linge ne marche pas et je suis très déçu", None, "nl", False,
                     id="french"),
        pytest.param("", None, "nl", False, id="empty"),
        pytest.param("   \n\t ", None, "nl", False, id="whitespace"),
        pytest.param("🤬🤬🤬", None, "nl", False, id="emoji-only"),
    ],
)
def test_language(
    router: Router, text: str, hint: str | None, language: str, recognised: bool
) -> None:
    c = router.classify(CaseInput(text, language=hint))
    assert c.language == language
    assert (c.language_reason != NOT_RECOGNISED) is recognised
    if not recognised:
        assert any(r.signal == NOT_RECOGNISED for r in c.reasons)


def test_fifty_thousand_characters_with_the_danger_at_the_end(router: Router) -> None:
    # Speed is measured by `make bench-routing`, not here; this checks what is read.
    text = ("De koelkast is kapot en de bezorger was onvriendelijk. " * 1000)[:50_000]
    c = router.classify(CaseInput(text + " en nu komt er rook uit!"))
    assert c.category in {"product_quality", "staff_conduct", "delivery"}
    assert c.urgency.value == "critical", [str(r) for r in c.urgency_reasons]


def test_named_employee_is_recognised(router: Router) -> None:
    c = router.classify(CaseInput("Medewerker Kim de Graaf was ontzettend onbeschoft tegen me"))
    assert c.category == "staff_conduct"
    assert c.named_people == ("kim",)




def test_long_paste_of_noise_keeps_the_sentence_that_matters(router: Router) -> None:
    noise = " ".join(f"word{n:04d}" for n in range(1200))
    c = router.classify(CaseInput("My account on the website is broken. " + noise, language="en"))
    assert c.category == "webshop"


CATEGORY_EVIDENCE_CASES = [
    # text, category, words that must be among the category reasons
    pytest.param("The fridge was supposed to arrive yesterday between 12 and 4, nobody came.",
                 "delivery", ["arrive", "nobody came"], id="appliance-in-a-phrase-keyword-en"),
    pytest.param("Nobody came with my washing machine and nobody called.", "delivery",
                 ["nobody came"], id="phrase-of-function-words-en"),
    pytest.param("de bezorger heeft de oude koelkast niet meegenomen", "returns",
                 ["niet meegenomen"], id="phrase-with-negation-nl"),
    pytest.param("Hoe lang heb ik om de stofzuiger terug te sturen?", "returns",
                 ["terug sturen"], id="separable-verb-nl"),
    pytest.param("Waar blijft mijn pakketbezorger nou?", "delivery", ["bezorger", "pakket"],
                 id="compound-split-nl"),
    pytest.param("Er is €119 extra van mijn rekening gegaan", "billing", ["€119"],
                 id="money-amount"),
    pytest.param("Your driver was swearing at me in my own hallway", "staff_conduct",
                 ["swearing"], id="conduct-role-word-is-not-the-topic-en"),
    pytest.param("De bezorger stond te vloeken en te schelden in mijn gang", "staff_conduct",
                 ["vloeken"], id="conduct-role-word-is-not-the-topic-nl"),
]


@pytest.mark.parametrize(("text", "category", "words"), CATEGORY_EVIDENCE_CASES)
def test_category_evidence(router: Router, text: str, category: str, words: list[str]) -> None:
    c = router.classify(CaseInput(text))
    assert c.category == category, reasons_text(c)
    shown = " | ".join(r.words for r in c.category_reasons)
    for w in words:
        assert w in shown, reasons_text(c)


def test_a_lone_function_word_keyword_counts_for_nothing() -> None:
    data = config_data()
    data["categories"][0]["keywords"]["en"].append("van")  # a function word in Dutch
    router = Router(make_config(data))
    assert router.classifier.model.phrases.get("van") is None
    c = router.classify(CaseInput("de deur van de oven sluit niet"))
    assert c.category != "delivery", reasons_text(c)


RUBRIC_SIGNAL_CASES = [
    # text, urgency, signal that must fire, words it fired on (every rubric signal, NL and EN,
    # compounds, inflections and informal spellings)
    pytest.param("het stinkt hier naar een gaslucht bij de kookplaat", "critical", "gas smell or leak",
                 "gaslucht", id="gas-compound-nl"),
    pytest.param("there's a rotten egg smell next to the new hob", "critical", "gas smell or leak",
                 "rotten egg", id="gas-rotten-eggs-en"),
    pytest.param("er kwam een steekvlam uit de oven", "critical", "smoke or fire", "steekvlam",
                 id="fire-compound-nl"),
    pytest.param("de droger begon ineens te roken", "critical", "smoke or fire", "te roken",
                 id="smoking-appliance-nl"),
    pytest.param("the toaster burst into flames this morning", "critical", "smoke or fire",
                 "burst into flames", id="flames-en"),
    pytest.param("The plug of the kettle started to melt", "critical", "sparks", "melt",
                 id="melting-plug-en"),
    pytest.param("ik krijg steeds stroomschokken van de wasmachine", "critical", "electric shock",
                 "stroomschokken", id="shock-plural-nl"),
    pytest.param("my husband was zapped by the fridge handle", "critical", "electric shock", "zapped",
                 id="shock-informal-en"),
    pytest.param("het water lekt door het plafond naar de benedenburen", "critical", "water flooding",
                 "lekt door", id="flooding-ceiling-nl"),
    pytest.param("My son cut his hand badly on the edge of the oven door", "critical", "injury",
                 "cut his hand", id="injury-body-part-en"),
    pytest.param("mijn dochter heeft haar hand verbrand aan de ovendeur", "critical", "injury",
                 "hand verbrand", id="injury-burn-nl"),
    pytest.param("de vriezer met de insuline van mijn man is ontdooid", "critical",
                 "medicine or medical device at risk", "insuline", id="insulin-defrosted-nl"),
    pytest.param("mijn vader ligt aan de thuisbeademing en de stroom valt steeds uit", "critical",
                 "medicine or medical device at risk", "thuisbeademing", id="ventilator-power-nl"),
    pytest.param("There are charges on my card I don't recognise since I ordered from you", "critical",
                 "fraud or data misuse in progress", "don't recognise", id="fraud-unrecognised-en"),
    pytest.param("In mijn account zie ik de bestellingen van een andere klant", "critical",
                 "fraud or data misuse in progress", "andere klant", id="data-leak-other-customer-nl"),
    pytest.param("Someone logged in to my account last night and changed the address", "critical",
                 "fraud or data misuse in progress", "logged in", id="account-takeover-en"),
    pytest.param("ik zie het niet meer zitten, ik wil er een einde aan maken", "critical",
                 "threat of self-harm", "zie het niet meer zitten", id="self-harm-nl"),
    pytest.param("dit is gewoon brandgevaarlijk, de stekker wordt zwart", "critical", "danger or fear",
                 "brandgevaarlijk", id="danger-compound-nl"),
    pytest.param("mijn moeder van 88 zit zonder verwarming sinds de monteur er was", "critical",
                 "vulnerable person without heating", "zonder verwarming", id="vulnerable-no-heating-nl"),
    pytest.param("we have no heating since Friday, the boiler is dead", "high",
                 "complete loss of an essential function", "no heating", id="no-heating-not-vulnerable-en"),
    pytest.param("ik heb een advocatenkantoor ingeschakeld", "high", "legal or regulatory threat",
                 "advocatenkantoor", id="legal-compound-nl"),
    pytest.param("I'm putting this on Reddit", "high", "threat to go public",
                 "reddit", id="go-public-en"),
    pytest.param("ik stap over naar Coolblue als dit niet opgelost wordt", "high", "threat to leave",
                 "stap over", id="leave-competitor-nl"),
    pytest.param("Jullie hebben het bedrag 2x van mijn rekening afgeschreven", "high",
                 "money lost or taken wrongly", "2x van mijn rekening afgeschreven",
                 id="double-debit-words-between-nl"),
    pytest.param("You charged my card twice for one oven", "high", "money lost or taken wrongly",
                 "charged my card twice", id="charged-twice-words-between-en"),
    pytest.param("mijn moeder zit in een rolstoel en de bezorger wilde niet naar boven", "high",
                 "vulnerable customer", "rolstoel", id="vulnerable-wheelchair-nl"),
]


@pytest.mark.parametrize(("text", "urgency", "signal", "words"), RUBRIC_SIGNAL_CASES)
def test_rubric_signals(router: Router, text: str, urgency: str, signal: str, words: str) -> None:
    c = router.classify(CaseInput(text))
    assert c.urgency.value == urgency, reasons_text(c)
    fired = [r for r in c.urgency_reasons if r.signal == signal and "ignored" not in r.effect]
    assert fired, reasons_text(c)
    assert words in fired[0].words, reasons_text(c)


NOT_CRITICAL_CASES = [
    # text, signal that must not fire, how it is cancelled (None: it simply does not match)
    pytest.param("Gelukkig geen rook of vuur, maar de oven gaat niet meer aan", "smoke or fire",
                 "negated", id="negation-carries-over-or-nl"),
    pytest.param("no sparks or smoke, it just won't turn on", "smoke or fire", "negated",
                 id="negation-carries-over-or-en"),
    pytest.param("Could the dryer catch fire if I leave it running overnight?", "smoke or fire",
                 "hypothetical", id="possibility-question-en"),
    pytest.param("Kan de stekker smelten als ik hem de hele nacht laat laden?", "sparks",
                 "hypothetical", id="possibility-question-nl"),
    pytest.param("ik ben bang dat de wasmachine ooit in brand vliegt, hij wordt warm", "smoke or fire",
                 "hypothetical", id="fear-of-future-nl"),
    pytest.param("I'm worried the socket might overheat someday", "sparks", "hypothetical",
                 id="worry-of-future-en"),
    pytest.param("The smoke detector you sold me beeps every night", "smoke or fire",
                 "other meaning nearby", id="smoke-detector-battery-en"),
    pytest.param("I'd like to order the insulin cooler bag from your site",
                 "medicine or medical device at risk", "context missing", id="insulin-product-order-en"),
    pytest.param("You are stealing from your customers with these prices", "fraud or data misuse in progress",
                 "other meaning nearby", id="stealing-figurative-en"),
    pytest.param("I was shocked by the price of the repair", "electric shock", None,
                 id="shocked-figurative-en"),
    pytest.param("jullie reclame is echt brandjes blussen", "smoke or fire", "other meaning nearby",
                 id="fire-idiom-nl"),
]


@pytest.mark.parametrize(("text", "signal", "cancelled"), NOT_CRITICAL_CASES)
def test_not_critical(router: Router, text: str, signal: str, cancelled: str | None) -> None:
    c = router.classify(CaseInput(text))
    assert c.urgency.value != "critical", reasons_text(c)
    assert not [r for r in c.urgency_reasons if r.signal == signal and "ignored" not in r.effect]
    if cancelled:
        assert any(r.signal == signal and cancelled in r.effect for r in c.urgency_reasons), reasons_text(c)


@pytest.mark.parametrize(
    ("text", "signal", "words"),
    [
        pytest.param("mijn moeder van 90 heeft geen verwarming", "vulnerable person without heating",
                     "geen verwarming", id="pattern-with-geen-nl"),
        pytest.param("we are left without a cooker for a week now", "complete loss of an essential function",
                     "left without", id="pattern-with-without-en"),
        pytest.param("de koelkast doet het niet en mijn insuline ligt erin",
                     "medicine or medical device at risk", "insuline", id="and-ends-negation-nl"),
    ],
)
def test_a_negator_inside_the_pattern_negates_nothing(
    router: Router, text: str, signal: str, words: str
) -> None:
    c = router.classify(CaseInput(text))
    fired = [r for r in c.urgency_reasons if r.signal == signal and "ignored" not in r.effect]
    assert fired and words in fired[0].words, reasons_text(c)


@pytest.mark.parametrize(
    ("text", "signal", "words"),
    [
        pytest.param("ik snap niet dat er rook uit de vaatwasser komt", "smoke or fire", "rook",
                     id="negation-of-another-verb-nl"),
        pytest.param("I don't know why it smells of gas in the kitchen", "gas smell or leak",
                     "smells of gas", id="negation-of-another-verb-en"),
        pytest.param("My 87-year-old mum's fridge died and she can't get to the shop",
                     "vulnerable person without an essential function", "87-year-old",
                     id="vulnerable-and-fridge-en"),
        pytest.param("mijn opa van 91 zit zonder koeling, de koelkast doet het niet",
                     "vulnerable person without an essential function", "zonder koeling",
                     id="vulnerable-and-fridge-nl"),
        pytest.param("the washing machine gives shocks when you touch the door", "electric shock",
                     "shocks", id="shocks-plural-en"),
    ],
)
def test_critical_despite_a_nearby_negator_or_other_wording(
    router: Router, text: str, signal: str, words: str
) -> None:
    c = router.classify(CaseInput(text))
    assert c.urgency.value == "critical", reasons_text(c)
    fired = [r for r in c.urgency_reasons if r.signal == signal and "ignored" not in r.effect]
    assert fired and words in fired[0].words, reasons_text(c)


@pytest.mark.parametrize(
    ("text", "kind", "reason", "words"),
    [
        pytest.param("I'd like to know if the fitter can also take the old hob", "question", "question",
                     "i'd like to know", id="request-en"),
        pytest.param("Goedemiddag, graag een factuur op naam van mijn bedrijf", "question", "question",
                     "goedemiddag, graag", id="request-after-greeting-nl"),
        pytest.param("Quick question: does the oven come with baking trays", "question", "question",
                     "quick question", id="quick-question-is-no-praise-en"),
        pytest.param("The new washing machine is so quiet, really happy with it", "compliment", "praise",
                     "happy with", id="praise-happy-with-en"),
        pytest.param("Shout out to the lady from customer service, she sorted everything", "compliment",
                     "praise", "shout out", id="praise-shout-out-en"),
        pytest.param("Where is my refund? You said 5 working days, it's been 3 weeks", "complaint",
                     "dissatisfaction", "you said", id="question-form-complaint-en"),
        pytest.param("Ik wil mijn order annuleren maar de knop doet niks", "complaint", "dissatisfaction",
                     "doet niks", id="button-does-nothing-nl"),
    ],
)
def test_kind_cues(router: Router, text: str, kind: str, reason: str, words: str) -> None:
    c = router.classify(CaseInput(text))
    assert c.kind.value == kind, reasons_text(c)
    assert c.kind_reasons[0].signal == reason and words in c.kind_reasons[0].words, reasons_text(c)


def test_left_without_a_word_is_no_loss_of_service(router: Router) -> None:
    c = router.classify(CaseInput("The fitter broke two tiles and left without saying a word"))
    assert c.urgency.value == "normal", reasons_text(c)
    assert not any(r.signal == "complete loss of an essential function" for r in c.urgency_reasons)


def test_dutch_best_is_no_praise(router: Router) -> None:
    c = router.classify(CaseInput("de piep van de koelkastdeur is best hard"))
    assert c.kind.value == "complaint", reasons_text(c)
    assert not any(r.signal == "praise" for r in c.kind_reasons)


@pytest.mark.parametrize(
    ("text", "urgency", "signal", "effect"),
    [
        pytest.param("als ik de deur open kan ik de gaslucht ruiken", "critical", "gas smell or leak",
                     "urgency>=critical", id="modal-of-perception-nl"),
        pytest.param("Als ik de oven aanzet komt er rook uit, wat moet ik doen?", "critical",
                     "smoke or fire", "urgency>=critical", id="fact-then-question-nl"),
        pytest.param("Wie betaalt de schade als het vlam vat?", "low", "smoke or fire",
                     "ignored: hypothetical", id="conditional-question-nl"),
        pytest.param("what happens if it catches fire?", "low", "smoke or fire", "ignored: hypothetical",
                     id="conditional-question-en"),
        pytest.param("someone keeps ordering stuff on my account", "critical",
                     "fraud or data misuse in progress", "urgency>=critical", id="orders-on-my-account-en"),
    ],
)
def test_conditionals_and_questions(
    router: Router, text: str, urgency: str, signal: str, effect: str
) -> None:
    c = router.classify(CaseInput(text))
    assert c.urgency.value == urgency, reasons_text(c)
    assert any(r.signal == signal and r.effect == effect for r in c.urgency_reasons), reasons_text(c)


def test_a_very_long_message_is_classified_on_its_start_and_says_so(router: Router) -> None:
    from routing.classify import CLASSIFY_CHARS

    text = "Er komt rook uit de droger en het stinkt naar verbrand plastic. " + "bla " * 20_000
    c = router.classify(CaseInput(text=text))
    assert c.urgency.value == "critical"
    assert any(r.signal == "long message" and "classified on the first" in r.effect
               for r in c.category_reasons)
    assert CLASSIFY_CHARS < len(text)
