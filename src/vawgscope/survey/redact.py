"""Personal-data redaction for free text: names, phone numbers, emails, postcodes, addresses.

Every quote the survey report shows passes through :func:`redact` first. Detection is by
patterns and name lists (no named-entity model: none installs from the package index and runs
offline without extra downloads):

* **email** — ``local@domain.tld``;
* **phone** — UK numbers: ``07…``/``01…``/``02…``/``03…``/``08…`` with 10 or 11 digits, or
  ``+44`` forms, with spaces, hyphens or brackets between digits;
* **postcode** — a full UK postcode (outward code, then digit and two letters that are never
  C, I, K, M, O or V, which keeps ``2am`` and ``10pm`` out);
* **address** — a house number followed by up to three capitalised words and a street word
  (Road, Street, Close, Avenue, Lane …);
* **name** — a title (Mr, Mrs, Ms, Miss, Mx, Dr, Prof) and the capitalised word(s) after it;
  a cue phrase ("my name is", "called", "named", "my ex", "my neighbour", "my partner" …, or
  a contact verb: "call", "ring", "text", "contact", "message", "ask for") and the
  capitalised word(s) after it, unless they are an organisation or place ("call Kent
  Police", "ring Childline", "call Maidstone East station"); a first name from the shipped
  list (``data/first_names.txt``) as a capitalised word, with the capitalised word after it
  as a surname.
  A name-list word that is part of a place ("Victoria Park", "Dane John Gardens",
  "St Mary's") or of a known phrase ("Ask Angela") is left alone.

Each datum becomes ``[name]``, ``[phone]``, ``[email]``, ``[postcode]`` or ``[address]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

KINDS: tuple[str, ...] = ("email", "phone", "postcode", "address", "name")

#: Phrases that hold a name-list word but are not about a person.
KNOWN_PHRASES: tuple[str, ...] = ("Ask Angela", "Kent Police", "Victim Support")

#: Capitalised words that follow a cue but are not names ("called Kent Police").
NOT_NAMES: frozenset[str] = frozenset(
    {
        "The", "A", "An", "And", "But", "Or", "So", "He", "She", "They", "We", "I", "It",
        "Police", "Kent", "Crimestoppers", "Childline", "Refuge", "Samaritans", "Victim",
        "Support", "Ask", "Angela", "Mum", "Dad", "Uber", "God", "Facebook", "Instagram",
        "Snapchat", "Twitter", "TikTok", "WhatsApp", "Google",
    }
)  # fmt: skip

#: Words that end a place name: a name-list word right before one is part of a place.
PLACE_WORDS: frozenset[str] = frozenset(
    {
        "Park", "Gardens", "Garden", "Square", "Street", "Road", "Avenue", "Lane", "Close",
        "Drive", "Way", "Hill", "Heath", "Common", "Green", "Station", "station", "Centre",
        "Court", "Place", "Terrace", "Walk", "Bridge", "Church", "School", "College",
        "Hospital", "House", "Hall", "Towers", "Quay", "Wharf", "Fields", "Woods", "Bay",
    }
)  # fmt: skip

_WORD = r"[A-Z][a-z][\w'’-]*"
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|\(?0)\d[\d\s()-]{7,14}\d(?!\w)")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]?\s?[0-9][ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE)
_STREET_WORDS = (
    "Road|Rd|Street|St|Avenue|Ave|Close|Lane|Ln|Drive|Way|Crescent|Cres|Gardens|Place|"
    "Terrace|Court|Grove|Hill|Rise|Walk|Mews|Square|Row|Green|View|Parade|Park"
)
_ADDRESS = re.compile(
    rf"\b(?:Flat\s+\d+[A-Za-z]?,?\s+)?\d{{1,4}}[A-Za-z]?,?\s+(?:{_WORD}\s+){{1,3}}"
    rf"(?:{_STREET_WORDS})\b\.?"
)
_TITLE = re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+[A-Z][\w'’-]*(?:\s+{_WORD})?")
_RELATIONS = (
    "ex|ex-partner|ex-boyfriend|ex-girlfriend|ex-husband|ex-wife|partner|boyfriend|girlfriend|"
    "husband|wife|neighbour|neighbor|stepdad|stepfather|stepmum|uncle|cousin|brother|sister|"
    "boss|manager|colleague|landlord|teacher|friend|attacker|abuser|stalker"
)
_CUE = re.compile(
    rf"(?i:\b(?:my name is|i'm called|i am called|called|named|my (?:{_RELATIONS})|"
    rf"(?:call|ring|text|contact|message|ask for)(?= [A-Z])))"
    rf",?\s+({_WORD}(?:\s+{_WORD})?)"
)
_CAPITALISED = re.compile(rf"\b{_WORD}\b")


@dataclass(frozen=True, order=True)
class Found:
    """One piece of personal data: where it is in the text and what kind it is."""

    start: int
    end: int
    kind: str
    text: str


def _names_file(name: str) -> frozenset[str]:
    text = resources.files("vawgscope.survey").joinpath(f"data/{name}").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


@cache
def first_names() -> frozenset[str]:
    """The shipped first-name list."""
    return _names_file("first_names.txt")


@cache
def surnames() -> frozenset[str]:
    """The shipped surname list."""
    return _names_file("surnames.txt")


def _valid_phone(number: str) -> bool:
    digits = re.sub(r"\D", "", number)
    if digits.startswith("44"):
        digits = "0" + digits[2:].removeprefix("0")
    return digits.startswith("0") and len(digits) in (10, 11)


def _protected(text: str) -> list[tuple[int, int]]:
    spans = []
    for phrase in KNOWN_PHRASES:
        spans += [m.span() for m in re.finditer(re.escape(phrase), text)]
    return spans


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in spans)


def _name_words(words: str, after: str) -> bool:
    """Whether capitalised ``words`` after a cue are a name: not an organisation, and not the
    start of a place (their last word, or the word ``after`` them, ends a place name)."""
    following = after.split(maxsplit=1)[0].strip(".,;:!?") if after.strip() else ""
    return (
        words.split()[0] not in NOT_NAMES
        and words.split()[-1] not in PLACE_WORDS
        and following not in PLACE_WORDS
    )


def _listed_names(text: str) -> list[Found]:
    found = []
    tokens = list(_CAPITALISED.finditer(text))
    for i, token in enumerate(tokens):
        if token.group(0) not in first_names():
            continue
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        adjacent = after is not None and text[token.end() : after.start()] == " "
        if adjacent and after.group(0) in PLACE_WORDS:
            continue  # "Victoria Park", "Dane John Gardens": a place, not a person
        before = text[max(0, token.start() - 4) : token.start()]
        if re.search(r"\bSt\.? $", before):
            continue
        end = token.end()
        if adjacent and (after.group(0) in surnames() or after.group(0) not in NOT_NAMES):
            end = after.end()
        found.append(Found(token.start(), end, "name", text[token.start() : end]))
    return found


def find_personal_data(text: str) -> list[Found]:
    """Every piece of personal data in ``text``, in order, without overlaps."""
    candidates: list[Found] = []
    candidates += [Found(*m.span(), "email", m.group(0)) for m in _EMAIL.finditer(text)]
    candidates += [
        Found(*m.span(), "phone", m.group(0))
        for m in _PHONE.finditer(text)
        if _valid_phone(m.group(0))
    ]
    candidates += [Found(*m.span(), "postcode", m.group(0)) for m in _POSTCODE.finditer(text)]
    candidates += [Found(*m.span(), "address", m.group(0)) for m in _ADDRESS.finditer(text)]
    protected = _protected(text)
    names = [Found(*m.span(), "name", m.group(0)) for m in _TITLE.finditer(text)]
    names += [
        Found(*m.span(1), "name", m.group(1))
        for m in _CUE.finditer(text)
        if _name_words(m.group(1), text[m.end(1) :])
    ]
    names += _listed_names(text)
    candidates += [f for f in names if not _inside((f.start, f.end), protected)]
    # Earlier kinds win an overlap (an email's local part is not also a name); within a kind
    # the longer match wins.
    rank = {k: i for i, k in enumerate(KINDS)}
    chosen: list[Found] = []
    for item in sorted(candidates, key=lambda f: (rank[f.kind], f.start - f.end)):
        if not _inside((item.start, item.end), [(c.start, c.end) for c in chosen]):
            chosen.append(item)
    return sorted(chosen)


def redact(text: str) -> str:
    """``text`` with every piece of personal data replaced by ``[kind]``."""
    out, last = [], 0
    for item in find_personal_data(text):
        out.append(text[last : item.start])
        out.append(f"[{item.kind}]")
        last = item.end
    out.append(text[last:])
    return "".join(out)
