# ruff: noqa: E501 - word lists read better on long lines
"""Shipped classifier defaults for Dutch and English: signals, word lists, weights, thresholds.

An organisation's `classifier:` section adds to or replaces these (same signal id replaces,
`disable:` removes, lexicon lists are extended). They follow the urgency rubric of
`shared/spec/complaint-taxonomy.md`: urgency is about how fast a human must act, not about
how angry the customer sounds, so there are no signals for capitals or exclamation marks.

Phrase syntax (see `routing.text.phrase_regex`): words match whole words after folding
(lower case, no accents); `word*` allows any ending; `a .. b` allows up to four words
between; `re:` starts a raw regular expression over the folded text.
"""

from __future__ import annotations

from typing import Any

# Each signal: id, label (what staff read in the reasons), level (the urgency it implies, or
# "repeat"/"low"), lang (None: any language), patterns, and how context may cancel it.
SIGNALS: list[dict[str, Any]] = [
    # -- critical: danger to health or safety right now ------------------------------------
    {"id": "gas_smell", "label": "gas smell or leak", "level": "critical", "patterns": [
        "gaslucht", "gaslek*", "ruik* .. gas", "gas .. ruik*", "rook* .. naar gas", "stinkt naar gas",
        "smell* .. gas", "gas smell*", "gas leak*", "leaking gas", "smell of gas", "lekt gas",
        "gas lek*", "gasgeur", "koolmonoxide", "co melder", "co-melder", "carbon monoxide", "co alarm"]},
    {"id": "smoke_fire", "label": "smoke or fire", "level": "critical", "patterns": [
        "rook", "rookt", "rookontwikkeling", "in brand", "brandt", "vlam*", "vuur", "brandlucht",
        "verbrand* plastic", "verschroeid*", "smoke", "smoking appliance", "smoking from",
        "smoke coming", "fire", "caught fire", "on fire", "flame*", "burning smell",
        "burnt smell", "burned smell", "smells burnt", "smell of burning", "scorch*",
        "rookmelder .. af", "smoke alarm went off", "smoke detector went off", "smeul*",
        "smoulder*", "blackened", "zwartgeblakerd", "verkoold", "brandweer", "fire brigade",
        "fire department", "ontplof*", "explod*", "glas .. gesprongen", "glass .. shattered",
        "walm*", "schroeilucht", "verbrande lucht", "ruikt verbrand", "smells like burning",
        "burning", "knetter*", "crackling"],
     "unless": ["fire brigade was not", "rook .. sigaret*", "smoking in", "was smoking", "sigaret*", "cigarette*",
                "fire tv", "fire stick", "vuurvast"]},
    {"id": "fire_nl", "label": "fire", "level": "critical", "lang": "nl", "patterns": [
        "brand", "brandje", "vlam gevat", "vlam vatte", "vlam .. gevat"],
     "unless": ["merk", "brandstof", "brandschoon", "brandnieuw"]},
    {"id": "sparks", "label": "sparks", "level": "critical", "patterns": [
        "vonk*", "spark*", "kortsluiting", "short circuit*", "gesmolten", "smelt*", "melted",
        "melting", "gloeiend heet", "red hot", "overheat*", "oververhit*", "stekker .. heet",
        "heet .. stekker", "plug .. hot", "socket .. hot", "stopcontact .. heet"]},
    {"id": "electric_shock", "label": "electric shock", "level": "critical", "patterns": [
        "schok", "stroomschok", "onder stroom", "elektrische schok", "geelektrocuteerd",
        "electric shock", "got a shock", "gave me a shock", "shock from", "electrocut*",
        "live wire*", "blote draden", "exposed wire*", "voel stroom", "tintel*", "tingling",
        "stroomstoot"]},
    {"id": "flooding", "label": "water flooding", "level": "critical", "patterns": [
        "overstroom*", "ondergelopen", "staat blank", "blank gezet", "water .. plafond",
        "door het plafond", "stroomt .. water", "water stroomt", "gutst", "flood*",
        "pouring", "gushing", "water .. ceiling", "through the ceiling", "burst pipe*",
        "pipe burst", "leiding gesprongen", "water .. stopcontact", "water .. socket",
        "onder water", "staat vol water", "overal water", "water everywhere", "under water",
        "water spuit", "spuit .. water", "lekt door", "leaking through", "dripping through",
        "water .. lamp", "water .. light fitting"]},
    {"id": "injury", "label": "injury", "level": "critical", "patterns": [
        "gewond", "verwond*", "brandwond*", "verbrand", "bloed*", "ziekenhuis", "ambulance",
        "eerste hulp", "gebrand", "snijwond*", "bewusteloos", "flauwgevallen", "huisartsenpost",
        "spoedeisende hulp", "unconscious", "fainted", "injur*", "hurt", "burn", "burns", "burned my", "burnt my",
        "bleeding", "hospital", "a&e", "emergency room", "bel* 112", "call* 911", "call* 999"],
     "unless": ["verbrand* plastic", "burned smell", "burnt smell", "hurt my feelings"]},
    {"id": "medicine_cooling", "label": "medicine or medical device at risk", "level": "critical",
     "patterns": ["insuline", "insulin", "medicijn*", "medicatie", "medication", "medicine*",
                  "zuurstof*", "oxygen", "beademing*", "dialyse", "dialysis", "ventilator",
                  "medisch apparaat", "medical device", "thuisdialyse", "epipen", "cpap",
                  "traplift", "stairlift", "zuurstofapparaat"],
     "requires": ["re:koel|vries|fridge|freezer|cool|warm|stroom|power|kapot|broken|werkt niet"
                  "|not working|stopped|uitgevallen|geen|no "]},
    {"id": "no_heating_winter", "label": "vulnerable person without heating", "level": "critical",
     "patterns": ["geen verwarming", "verwarming .. kapot", "cv .. kapot", "ketel .. kapot",
                  "no heating", "heating .. broken", "boiler .. broken", "without heating",
                  "geen warm water", "no hot water"],
     "requires": ["re:vriest|koud|winter|baby|bejaard|oud|ziek|freez|cold|elderly|sick|newborn"]},
    {"id": "fraud_now", "label": "fraud or data misuse in progress", "level": "critical",
     "patterns": ["oplicht*", "phishing", "fraude", "fraud", "fraudulent", "scam", "scammer*",
                  "neplink", "nepmail", "nep-mail", "geld .. van mijn rekening", "stealing",
                  "money .. from my account", "identiteitsfraude", "identity theft", "gehackt",
                  "hacked", "iemand anders .. ingelogd", "someone else .. logged in",
                  "pretending to be", "claimed to be from", "deed zich voor", "zich voordeed",
                  "zogenaamd van", "via een link .. betalen", "pay .. via a link",
                  "waarschuw .. klanten", "warn .. customers", "niet door mij besteld",
                  "orders i didn't place", "someone .. ordered .. my account",
                  "account .. overgenomen", "gegevens van andere klanten", "other customers' details",
                  "other customers' data", "other customers' orders", "someone else's details",
                  "can see .. other people's", "zie .. gegevens van iemand anders"],
     "unless": ["spam"]},
    {"id": "self_harm", "label": "threat of self-harm", "level": "critical", "negatable": False,
     "patterns": ["zelfmoord", "einde aan .. maken", "wil niet meer leven", "van het dak",
                  "suicid*", "kill myself", "end my life", "end it all", "hurt myself",
                  "don't want to live"]},
    {"id": "danger_words", "label": "danger or fear", "level": "critical", "patterns": [
        "levensgevaarlijk", "gevaarlijk", "durf .. niet aan te raken", "life threatening",
        "dangerous", "afraid to touch", "scared to touch", "not safe to"],
     "requires": ["re:stroom|stopcontact|gas|water|vonk|rook|heet|socket|power|electric|spark|"
                  "smoke|hot|wire|draad|stekker|plug"]},
    # -- high: money, legal, going public, leaving, vulnerable customer, loss of service -----
    {"id": "legal_threat", "label": "legal or regulatory threat", "level": "high",
     "negatable": False, "hypothetical_ok": True, "patterns": [
        "advocaat", "jurist", "juridisch*", "rechtszaak", "rechter", "rechtbank", "dagvaard*",
        "aangifte", "politie", "geschillencommissie", "ombudsman", "acm", "consuminder",
        "autoriteit persoonsgegevens", "rechtsbijstand", "juridisch loket", "ingebrekestelling",
        "in gebreke", "consumentenbond", "lawyer", "attorney", "solicitor", "sue", "suing",
        "legal action", "legal steps", "court", "small claims", "trading standards",
        "regulator", "data protection authority", "police", "report you to",
        "ombudsman service", "chargeback"]},
    {"id": "go_public", "label": "threat to go public", "level": "high", "negatable": False,
     "hypothetical_ok": True, "patterns": [
        "twitter", "facebook", "tiktok", "instagram", "linkedin", "social media", "socials",
        "krant", "naar radar", "naar kassa", "volkskrant", "telegraaf", "de media",
        "buurtapp", "trustpilot", "google review*", "slechte review*", "recensie*",
        "iedereen .. laten weten", "openbaar", "the press", "newspaper", "journalist",
        "the news", "go public", "post .. online", "review everywhere", "bad review*",
        "1 star", "one star", "viral", "neighbourhood app", "everyone know", "people should know"]},
    {"id": "threat_to_leave", "label": "threat to leave", "level": "high", "negatable": False,
     "hypothetical_ok": True, "patterns": [
        "bestel* .. ergens anders", "ergens anders .. bestel*", "ergens anders .. kopen",
        "koop .. ergens anders", "nooit meer .. bestel*", "nooit meer .. bij jullie",
        "nooit meer .. kopen", "laatste keer .. bestel*", "laatste keer .. bij jullie",
        "bij de concurrent", "naar de concurrent", "concurrent*", "zeg* .. op", "opzeggen",
        "geen klant meer", "klant af", "ik ben weg", "never again", "never .. order .. again",
        "buy* .. elsewhere", "order* .. elsewhere", "shop* .. elsewhere", "go elsewhere",
        "going elsewhere", "competitor*", "cancel everything", "close my account",
        "lost a customer", "lost me as a customer", "no longer .. customer", "done with you",
        "take my business", "last time i order*", "last time i buy", "switching to"]},
    {"id": "money_lost", "label": "money lost or taken wrongly", "level": "high", "negatable": False, "patterns": [
        "dubbel afgeschreven", "twee keer afgeschreven", "2x afgeschreven", "2 keer afgeschreven",
        "dubbel betaald", "twee keer betaald", "2x betaald", "3x betaald", "dubbel gerekend",
        "onterecht afgeschreven", "zonder toestemming afgeschreven", "afgeschreven .. nooit",
        "nooit besteld", "niet besteld", "nooit gekregen", "nooit ontvangen .. geld",
        "geld .. kwijt", "kwijt .. €", "€ .. kwijt", "ben ik .. kwijt", "terugstorten",
        "nog steeds .. geen geld", "geld .. nog steeds niet", "incasso", "aanmaning*",
        "charged twice", "double charge*", "double debit*", "paid twice", "debited twice",
        "went through twice", "charged .. never ordered", "never ordered", "lose €",
        "lost €", "won't refund", "not refund*", "refuse* .. refund", "refund .. still",
        "still .. no refund", "nothing on my account", "money back .. still", "debt collect*",
        "overcharged", "charged .. wrong amount", "taken from my account"]},
    {"id": "refund_overdue", "label": "refund not received after promised date",
     "level": "high", "negatable": False, "patterns": [
        "beloofd .. terug*", "zou .. teruggestort", "terugbetaling .. nog steeds",
        "nog steeds .. terugbetaling", "refund .. promised", "promised .. refund",
        "refund .. overdue", "refund .. weeks ago", "still waiting for .. refund"]},
    {"id": "vulnerable", "label": "vulnerable customer", "level": "high", "patterns": [
        "bejaard*", "hoogbejaard", "dementie", "alzheimer", "blind*", "slechtziend*", "doof",
        "rolstoel*", "rollator", "invalide", "gehandicapt", "beperking", "chemo*", "kanker",
        "ernstig ziek", "terminaal", "zwanger", "hoogzwanger", "pasgeboren", "mantelzorg*",
        "thuiszorg", "re:\\b(?:van|is|ben|wordt)\\s+(?:8\\d|9\\d)\\b(?!\\s*(?:euro|eur|cm|mm|kg|km|min|%|graden|procent))",
        "re:\\b(?:8\\d|9\\d)[- ]?jari", "elderly", "dementia", "wheelchair", "disabled",
        "disability", "deaf", "chemotherapy", "cancer", "terminally", "pregnant",
        "newborn", "carer", "re:\\b(?:8\\d|9\\d) years? old", "re:\\baged? (?:8\\d|9\\d)\\b"],
     "unless": ["blinde vlek", "blind spot", "rolluik", "blindly"]},
    {"id": "loss_of_service", "label": "complete loss of an essential function",
     "level": "high", "patterns": [
        "geen warm water", "zit zonder", "zitten zonder", "kan niet koken", "kunnen niet koken",
        "no hot water", "without a fridge", "without a cooker", "can't cook", "cannot cook",
        "left without"]},
    {"id": "essential_function", "label": "essential appliance not working", "level": "normal", "negatable": False,
     "patterns": [
        "koelt niet", "koelt .. niet meer", "vriest niet", "geen verwarming", "verwarming .. kapot",
        "kachel .. kapot", "zonder koelkast", "geen koelkast", "geen stroom", "traplift",
        "not cooling", "stopped cooling", "no heating", "heater .. broken", "without a fridge",
        "no fridge", "no power", "stairlift", "warm .. koelkast", "koelkast .. warm",
        "fridge .. warm"]},
    # -- repeat contact: the message says it is the third or later contact -------------------
    {"id": "repeat_stated", "label": "third or later contact", "level": "repeat",
     "negatable": False, "patterns": [
        "re:\\b(?:derde|3e|3de|vierde|4e|4de|vijfde|5e|zesde|zoveelste|tigste|honderdste)"
        "\\s+(?:keer|maal|mail|e-?mail|bericht|verzoek|klacht|telefoontje|poging)",
        "re:\\b(?:third|3rd|fourth|4th|fifth|5th|sixth|umpteenth|nth)\\s+(?:time|mail|e-?mail"
        "|message|request|complaint|call|attempt|contact|letter)",
        "re:\\b(?:[3-9]|drie|vier|vijf|zes|tien)\\s*(?:x|keer|maal)\\s+(?:\\w+\\s+){0,3}?"
        "(?:afgemeld|gemaild|gebeld|gevraagd|gemeld|geklaagd|geschreven|contact|aangegeven)",
        "re:\\b(?:[3-9]|three|four|five|six|ten)\\s*(?:x|times)\\s+(?:\\w+\\s+){0,3}?"
        "(?:called|mailed|emailed|e-mailed|written|wrote|asked|complained|contacted|reported|"
        "unsubscribed)",
        "re:\\b(?:called|mailed|emailed|written|wrote|asked|complained|contacted|reported|"
        "unsubscribed)\\s+(?:\\w+\\s+){0,3}?(?:[3-9]|three|four|five|six)\\s*(?:x|times)",
        "re:\\b(?:afgemeld|gemaild|gebeld|gevraagd|gemeld|geklaagd|geschreven)\\s+"
        "(?:\\w+\\s+){0,2}?(?:[3-9]|drie|vier|vijf)\\s*(?:x|keer|maal)",
        "re:\\b(?:2|twee)\\s*(?:x|keer|maal)\\s+(?:eerder\\s+)?(?:gebeld|gemaild|gemeld|"
        "geklaagd|geschreven)",
        "re:\\b(?:two|2) (?:previous|earlier|other) (?:mails|emails|e-mails|messages|calls|"
        "complaints|requests)", "re:\\b(?:twice|two times) before",
        "keer op keer", "again and again", "time after time", "for the third time",
        "al weken .. blijven bellen", "still no answer after", "nog steeds geen reactie op .. mails"]},
    # -- low: a minor annoyance, a suggestion, a question dressed as a complaint -------------
    {"id": "suggestion", "label": "suggestion", "level": "low", "negatable": False, "kind_hint": "complaint", "patterns": [
        "zou fijn zijn", "zou handig zijn", "zou mooi zijn", "zou leuk zijn", "mag wel", "mogen wel",
        "suggestie", "tip:", "tip", "idee:", "kan dat niet gewoon", "kunnen jullie .. niet gewoon",
        "zou het .. kunnen", "waarom niet gewoon", "would be nice", "would be great", "it would help",
        "suggestion", "maybe you could", "maybe teach", "could you consider", "please consider",
        "feature request", "wish you had", "i wish"]},
    {"id": "minor", "label": "minor annoyance", "level": "low", "negatable": False, "kind_hint": "complaint", "patterns": [
        "klein dingetje", "kleinigheid", "niet erg", "geen ramp", "verder top", "verder prima",
        "verder tevreden", "is prima", "zelf is prima", "zelf prima", "wou het even melden",
        "wilde het even melden", "even melden", "minor", "slightly", "small thing", "not a big deal",
        "no big deal", "otherwise fine", "otherwise great", "just saying", "mildly", "fyi",
        "small issue", "managed it", "not a problem", "zelf werkt prima", "itself is fine"]},
    {"id": "hedge", "label": "hedged annoyance", "level": "low", "negatable": False, "weight": 0.5, "patterns": [
        "beetje", "ietsje", "een tikje", "best wel", "wel wat", "wel erg", "omslachtig", "a bit",
        "a little", "kind of", "somewhat", "just feels", "bit annoying", "slightly annoying"]},
    {"id": "joke", "label": "light-hearted", "level": "low", "negatable": False, "patterns": [
        "😂", "🤣", "😄", "😅", "😆", "😜", "🥶", "😩", "haha*", "lol", "ironic", "ironisch",
        "grappig", "funny"]},
]

LEXICONS: dict[str, dict[str, list[str]]] = {
    # Negation cancels a following signal in the same clause ("niemand gewond", "no smell").
    "negators": {
        "nl": ["geen", "niet", "niemand", "nergens", "zonder", "nooit", "gelukkig niet", "niks",
               "niets", "gelukkig geen"],
        "en": ["no", "not", "never", "without", "nobody", "no one", "nothing", "isn't", "wasn't",
               "aren't", "weren't", "don't", "didn't", "doesn't", "hasn't", "haven't", "luckily no",
               "n't"],
    },
    # A hypothetical before a safety word means no danger right now ("als het vlam vat").
    "hypothetical": {
        "nl": ["stel dat", "straks", "risico op", "kans op", "bang dat .. gaat"],
        "en": ["what if", "in case", "suppose", "risk of", "afraid it will", "could end up"],
    },
    # "als"/"if" make a safety word hypothetical only with a modal or future nearby
    # ("als ik hem aanzet komen er vonken uit" is a fact; "als dit zo doorgaat kan hij in brand
    # vliegen" is not).
    "conditional": {
        "nl": ["als", "indien", "mocht", "wanneer"],
        "en": ["if", "when", "once"],
    },
    "modal": {
        "nl": ["zou", "zouden", "kan", "kunnen", "gaat", "gaan", "straks", "ooit", "misschien"],
        "en": ["might", "could", "would", "will", "going to", "may", "someday", "one day"],
    },
    # Clause boundaries limit negation and hypothetical scope.
    "clause_breaks": {
        "nl": ["maar", "want", "en toen", "alleen", "wel", "toch", "terwijl", "omdat", "dus"],
        "en": ["but", "because", "however", "although", "though", "while", "so", "and then"],
    },
    # Praise, complaint and question cues decide the kind.
    "praise": {
        "nl": ["bedankt", "dank je", "dank u", "dankjewel", "dank jullie", "top", "super*", "netjes",
               "compliment*", "fijn dat", "blij mee", "blij met", "tevreden", "geweldig", "perfect*",
               "vriendelijk*", "behulpzaam", "geduldig", "snel geregeld", "rap", "merci", "handig",
               "vakman", "verademing", "aanrader", "chapeau", "hulde", "keurig", "prima geholpen",
               "goed geholpen", "heel goed", "uitstekend", "zo hoort het", "👍", "🙏", "❤️", "🌳",
               "complimenten", "fantastisch", "puik", "lief"],
        "en": ["thank you", "thanks", "great", "well done", "love it", "love", "friendly",
               "patient", "helpful", "on time", "spot on", "excellent", "amazing", "perfect*",
               "brilliant", "awesome", "kudos", "impressed", "fantastic", "superb", "lovely",
               "quick", "fast delivery", "good job", "great job", "nice", "appreciate*",
               "compliment*"],
    },
    "complaint": {
        "nl": ["kapot", "stuk", "defect", "werkt niet", "doet het niet", "niet gekomen",
               "niet geleverd", "niet ontvangen", "nog steeds", "nog niks", "nog niets",
               "te laat", "verkeerd*", "fout*", "klopt niet", "klacht", "slecht*", "schandalig",
               "belachelijk", "onacceptabel", "teleurgesteld", "teleurstellend", "boos",
               "balen", "lekt", "lekkage", "beschadigd", "kras*", "deuk*", "gedeukt", "vergeten",
               "onvriendelijk", "onbeschoft", "afgesnauwd", "geen reactie", "geen antwoord",
               "niemand", "waarom", "wtf", "kwijt", "zotheid", "misleidend", "niet eerlijk",
               "jammer", "hangt", "blijft hangen", "storing", "los", "scheef", "wachten",
               "wachttijd", "lastig", "irritant", "omslachtig", "te veel", "te vaak",
               "te hard", "te laag", "rillen", "werkte niet", "geen ", "niet meer", "ongeldig",
               "niet serieus", "stinkt", "gebeld", "😡", "🙄", "😩", "😤", "afgeschreven",
               "terugstorten", "opgehangen", "van het kastje", "mis", "raar", "waardeloos",
               "bagger", "kut", "klote", "ergerlijk", "ergernis", "frustrerend", "zat", "beu",
               "genoeg van", "klachten", "geklaagd", "geannuleerd", "vertraging", "gelogen",
               "liegen", "puinhoop", "zooi", "nachtmerrie", "incompetent", "amateurs",
               "onbereikbaar", "geen gehoor", "nog altijd", "alweer", "weer niet", "😠", "😞", "👎"],
        "en": ["broken", "not working", "doesn't work", "didn't work", "stopped working",
               "never arrived", "didn't arrive", "not arrived", "still", "late", "wrong",
               "complaint", "bad", "terrible", "awful", "unacceptable", "disappointed",
               "disappointing", "angry", "fuming", "furious", "annoyed", "annoying", "damaged",
               "scratch*", "dent*", "forgot", "rude", "unfriendly", "no answer", "no reply",
               "nobody", "why", "lost", "missing", "crash*", "error", "fail*", "waste",
               "wasted", "problem", "issue", "leak*", "loose", "gap", "mess", "not good",
               "not very", "can't", "cannot", "won't", "doesn't", "didn't", "never", "nothing",
               "hung up", "waited", "waiting", "too", "disgrace", "ridiculous", "unpaid",
               "swore", "afraid", "not secure", "strange", "wobbly", "ironic", "out of order",
               "closed", "charged", "overdue", "😡", "🙄", "😤", "worst", "horrible", "useless",
               "rubbish", "sucks", "fail", "#fail", "disgusting", "pathetic", "shocking", "poor",
               "appalling", "fed up", "sick of", "tired of", "hate", "frustrating", "frustrated",
               "yet again", "still not", "still no", "no response", "not happy", "unhappy",
               "delayed", "cancelled", "complain*", "isn't working", "not work*", "keeps",
               "won't let", "overcharged", "never received", "on hold", "outage", "rip off",
               "ripped off", "scam", "lied", "lying", "mess up", "messed up", "screwed",
               "nightmare", "joke", "embarrassing", "incompetent", "ignoring", "ugh", "wtf",
               "seriously", "😠", "😞", "😢", "👎"],
    },
    "question_starts": {
        "nl": ["hoe", "wat", "waar", "wanneer", "welke", "waarom", "kan ik", "kun je", "kunt u",
               "kunnen jullie", "mag ik", "is het", "zijn jullie", "hebben jullie", "verkopen jullie",
               "bezorgen jullie", "krijg ik", "moet ik", "hoi krijg ik", "hoelang", "hoe lang",
               "heeft u", "doen jullie"],
        "en": ["how", "what", "where", "when", "which", "can i", "could i", "can you", "could you",
               "do you", "does", "is it", "is there", "are you", "will i", "should i", "may i",
               "do i"],
    },
    # Praise words followed by these (or in a complaint) read as sarcasm.
    "sarcasm": {
        "nl": ["geweldig hoor", "fijn hoor", "top hoor", "lekker dan", "goed bezig", "bedankt voor niks",
               "dank je de koekoek", "knap hoor", "mooi is dat", "super hoor", "lekker bezig",
               "prachtig hoor"],
        "en": ["thanks for nothing", "great job guys", "well done guys", "just great", "oh great",
               "great service, not", "brilliant, just", "wonderful, another", "love how",
               "fantastic, again", "great, another", "great, again", "yeah right"],
    },
    # How an employee behaved: with a named employee, these point to staff_conduct.
    "conduct": {
        "nl": ["onbeschoft", "onvriendelijk", "brutaal", "afgesnauwd", "snauw*", "scheld*",
               "uitgescholden", "hing op", "neerbuigend", "arrogant", "respectloos",
               "niet serieus", "toon", "zo praat je", "onbeleefd", "grof", "schreeuw*",
               "uitgelachen", "lachte", "beloofde", "geen woord", "liep .. weg", "aanspreken",
               "gedrag", "houding", "rookte", "in de wacht gezet", "nooit teruggebeld",
               "vloek*", "gevloekt", "chagrijn*", "kortaf", "nors", "lomp", "onaardig", "ongeduldig",
               "onbehouwen", "agressief", "intimider*", "dreigde", "duwde", "racist*", "discrimin*",
               "seksist*", "dronken", "naar drank", "negeer*", "negeerde", "genegeerd", "geen gedag",
               "niet gegroet", "groette niet", "zuchtte", "kleiner*", "betweter*", "uitgemaakt",
               "belachelijk gemaakt", "onprofessioneel", "onbeleefd", "ongeinteresseerd",
               "kon .. niets schelen", "loog", "gelogen", "gaf mij de schuld", "luisterde niet"],
        "en": ["rude", "unfriendly", "impolite", "swore", "shouted", "yelled", "hung up",
               "laughed", "dismissive", "arrogant", "condescending", "unprofessional",
               "not very professional", "attitude", "behaviour", "behavior", "tone",
               "put me on hold", "never came back", "promised me", "ignored", "was smoking",
               "say hello", "pointed at", "talked down", "swearing", "swear*", "cursing", "cursed",
               "grumpy", "moody", "short with me", "curt", "abrupt", "snapped at", "shouting",
               "aggressive*", "threaten*", "intimidat*", "pushed me", "racist", "sexist", "drunk",
               "sighed", "impatient", "didn't greet", "did not greet", "mocked", "made fun",
               "patronis*", "patroniz*", "belittl*", "couldn't care less", "didn't care",
               "lied to me", "blamed me", "argued", "argumentative", "didn't listen", "wouldn't listen",
               "ignoring me", "ignored me", "impolite", "disrespectful", "yelling"],
    },
    # Praise of how someone behaved: with a staff role word, a compliment about staff.
    "conduct_praise": {
        "nl": ["vriendelijk*", "supervriendelijk", "behulpzaam", "geduldig", "beleefd", "aardig",
               "attent", "meedenkend", "hulpvaardig", "lief", "geholpen"],
        "en": ["friendly", "helpful", "patient", "polite", "kind", "courteous", "respectful",
               "helped", "lovely", "nice"],
    },
    # Words for an employee or a role: conduct words need one nearby to mean staff conduct.
    "staff_roles": {
        "nl": ["medewerker*", "medewerkster*", "bezorger*", "chauffeur*", "monteur*",
               "installateur", "collega", "meneer", "mevrouw", "dame", "jongen*", "man aan de",
               "vrouw aan de", "klantenservice", "planner", "verkoper", "verkoopster", "personeel",
               "installateur*", "receptionist*", "caissiere", "kassamedewerker", "hij", "zij",
               "vent", "kerel", "meisje"],
        "en": ["employee*", "staff", "driver*", "courier*", "fitter*", "installer*", "mechanic*",
               "technician*", "agent", "colleague*", "lady", "guy*", "man on", "woman on",
               "delivery men", "person on the phone", "salesman", "salesperson", "customer service",
               "sales assistant", "shop assistant", "cashier", "receptionist", "operator", "engineer*",
               "plumber*", "electrician*", "he", "she", "the man", "the woman", "rep", "representative"],
    },
    # After praise, these start the complaint: "ziet er top uit, maar ...".
    "contrast": {
        "nl": ["maar", "alleen", "helaas", "jammer", "echter", "behalve"],
        "en": ["but", "however", "unfortunately", "except", "only problem", "shame that"],
    },
    # Frequent function words, for language identification.
    "stopwords": {
        "nl": ["de", "het", "een", "en", "is", "ik", "je", "jullie", "niet", "van", "dat", "die",
               "er", "op", "te", "met", "voor", "zijn", "mijn", "maar", "ook", "nog", "wel",
               "geen", "heb", "hij", "ze", "al", "naar", "dan", "om", "bij", "mn", "wat", "hoe",
               "kan", "wil", "was", "nu", "toen", "graag", "hoor", "ff", "echt", "gewoon",
               "heeft", "zou", "weer", "deze", "dit", "waar", "ben", "u", "niks", "gisteren",
               "vandaag", "wordt", "werd", "hebben", "kunnen", "uit", "aan", "ook", "als",
               "keer", "dus", "of", "door", "we", "wij", "zo", "hier", "mij", "me", "na", "da",
               "nie", "gij", "ge", "amai", "hoi", "bedankt", "wanneer", "waarom", "welke",
               "sinds", "gister", "heel", "erg", "uur", "half", "dagen", "dag", "week", "weken",
               "binnen", "staat", "stond", "komt", "kwam", "iemand", "niemand", "alles", "iets",
               "zelf", "zelfs", "even", "ff", "ook", "toch", "nou", "hele", "helemaal", "eerst",
               "daarna", "nog", "steeds", "alleen", "moet", "moest", "kon", "zal", "zijn", "had",
               "hadden", "werd", "worden", "geweest", "gaan", "gaat", "ging", "doen", "doet",
               "deed", "zeggen", "zegt", "zei", "maakt", "maken", "krijg", "krijgen", "kreeg",
               "zit", "zat", "ligt", "lag", "keer", "vanochtend", "vanavond", "morgen", "nu",
               "net", "maand", "jaar", "ipv", "mn", "m'n", "z'n", "zn", "jullie", "onze", "ons",
               "hem", "haar", "hun", "wij", "zij", "jij", "wie", "welk", "hoeveel", "want",
               "omdat", "terwijl", "toen", "later", "eerder", "laatste", "eens", "ineens",
               "echt", "gewoon", "wel", "raar", "goed", "beter", "veel", "weinig", "meer",
               "minder", "lang", "kort", "groot", "klein", "nieuw", "nieuwe", "oud", "oude",
               "nooit", "altijd", "opnieuw", "weer", "gebeld", "bellen", "belde", "wachten"],
        "en": ["the", "a", "an", "and", "is", "i", "you", "your", "not", "of", "that", "it", "to",
               "in", "on", "for", "with", "my", "but", "also", "still", "no", "have", "he",
               "she", "they", "was", "were", "be", "been", "this", "what", "how", "can",
               "want", "now", "then", "please", "would", "again", "there", "where", "me",
               "am", "are", "did", "didn't", "don't", "i'm", "it's", "from", "at", "by",
               "we", "our", "just", "so", "if", "or", "yesterday", "today", "has", "had",
               "will", "when", "why", "which", "who", "thank", "thanks", "very", "after",
               "since", "yesterday", "today", "tomorrow", "hour", "hours", "half", "day", "days",
               "week", "weeks", "month", "within", "came", "come", "comes", "someone", "nobody",
               "anyone", "everything", "something", "nothing", "even", "really", "only", "must",
               "could", "should", "shall", "got", "get", "gets", "make", "makes", "made", "said",
               "say", "says", "told", "tell", "put", "back", "again", "still", "now", "then",
               "first", "last", "ago", "later", "earlier", "because", "while", "though", "also",
               "too", "much", "many", "more", "less", "big", "small", "new", "old", "good",
               "supposed", "going", "went", "go", "goes", "does", "doing", "done", "being",
               "here", "there", "their", "them", "his", "her", "him", "us", "its", "i've", "i'd",
               "i'll", "you're", "we're", "they're", "that's", "there's", "can't", "won't",
               "guy", "guys", "man", "woman", "lady", "thing", "things", "way", "time", "times",
               "just", "like", "know", "think", "see", "look", "looks", "one", "two", "three",
               "never", "ever", "always", "called", "call", "calling", "wait", "waiting"],
    },
    # Function words of languages the organisation does not serve: their presence is evidence
    # for "language not recognised" rather than for nl or en.
    "foreign_stopwords": {
        "de": ["ich", "nicht", "und", "der", "die", "das", "ist", "mit", "mein", "meine", "wir",
               "sie", "auf", "auch", "noch", "kein", "keine", "habe", "haben", "wurde", "bitte",
               "sehr", "mich", "mir", "ein", "eine", "zu", "schon", "aber", "wie"],
        "fr": ["je", "ne", "pas", "le", "la", "les", "et", "est", "une", "des", "mon", "ma",
               "avec", "pour", "nous", "vous", "qui", "que", "sur", "mais", "toujours",
               "merci", "bonjour", "j'ai", "c'est", "du", "au", "ce", "il", "elle"],
        "es": ["el", "los", "las", "y", "es", "una", "mi", "con", "para", "pero", "que", "no",
               "muy", "gracias", "hola", "tengo", "esta", "por", "del", "lo", "yo"],
        "pl": ["nie", "jest", "sie", "i", "w", "na", "z", "do", "to", "ze", "moja", "moj",
               "dzien", "dobry", "prosze", "jak", "tak", "juz"],
        "tr": ["ve", "bir", "bu", "icin", "cok", "ben", "degil", "merhaba", "tesekkur", "ama",
               "var", "yok", "mi", "ne"],
    },
}
