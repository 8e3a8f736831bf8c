"""Personal-data redaction: every planted datum caught, ordinary words left alone."""

from __future__ import annotations

import pytest

from vawgscope.survey.redact import find_personal_data, first_names, redact, surnames

# Names written for this test, none of them in the redactor's own lists (checked below): the
# redactor must find them from their context (a title or a cue phrase).
PLANTED_NAMES: list[tuple[str, str]] = [
    ("My ex Thaddeus Quillfeather keeps turning up.", "Thaddeus Quillfeather"),
    ("Mrs Okonjo next door heard everything.", "Mrs Okonjo"),
    ("A man called Bartholomew Quince followed me.", "Bartholomew Quince"),
    ("my neighbour Zephyrine shouts at me", "Zephyrine"),
    ("My name is Ottilie Brackenbury.", "Ottilie Brackenbury"),
    ("Dr Vasquez-Ruiz was kind to me.", "Dr Vasquez-Ruiz"),
    ("A boy named Isembard shared the photos.", "Isembard"),
    ("My ex-boyfriend, Lysander, hacked my phone.", "Lysander"),
    ("Mr. Featherstonehaugh at work touched me.", "Mr. Featherstonehaugh"),
    ("Please call Zephyrine Aldous-Brook, she saw it.", "Zephyrine Aldous-Brook"),
]
PLANTED_OTHER: list[tuple[str, str, str]] = [
    ("Ring me on 07700 900123 please.", "07700 900123", "phone"),
    ("Or +44 7700 900456 in the day.", "+44 7700 900456", "phone"),
    ("The office is (01227) 456789.", "(01227) 456789", "phone"),
    ("Landline 01622-555123 works.", "01622-555123", "phone"),
    ("Mobile 07911123456.", "07911123456", "phone"),
    ("London 020 7946 0018 too.", "020 7946 0018", "phone"),
    ("Email me: zed.q-1@mail.example.org", "zed.q-1@mail.example.org", "email"),
    ("I live in ME14 5AB now.", "ME14 5AB", "postcode"),
    ("near ct1 2xy at night", "ct1 2xy", "postcode"),
    ("He waits at 14 Orchard Close every night.", "14 Orchard Close", "address"),
    ("We moved to 3a Upper Bell Lane last year.", "3a Upper Bell Lane", "address"),
]
ORDINARY = [
    "I walked through Mote Park with my friend in May.",
    "Ask Angela should be in every bar.",
    "I called Kent Police at 10pm and again at 2am.",
    "Dane John Gardens, Victoria Park and St Mary's church are dark.",
    "Call 999 or 101 or Childline on 0800 1111.",
    "I was 12 years old when it started, in 2019.",
    "My ex followed me home and my neighbour saw it.",
    "Bus number 23 stops at Maidstone East station.",
    "The CPS did not take it to court.",
    "Teachers need training to deal with it in Year 9.",
    "I take the B2017 road home, about 3 miles.",
    "Call Kent Police, ring Childline, or call Maidstone East station.",
]


def test_planted_names_are_not_in_the_redactor_lists() -> None:
    listed = first_names() | surnames()
    for _, name in PLANTED_NAMES:
        for word in name.replace(".", "").replace("-", " ").split():
            assert word not in listed or word in ("Mr", "Mrs", "Dr")


@pytest.mark.parametrize(("text", "name"), PLANTED_NAMES, ids=[n for _, n in PLANTED_NAMES])
def test_every_planted_name_is_redacted(text: str, name: str) -> None:
    redacted = redact(text)
    assert "[name]" in redacted
    for word in name.replace("Mr.", "").replace("Mrs", "").replace("Dr", "").split():
        assert word not in redacted


@pytest.mark.parametrize(
    ("text", "value", "kind"), PLANTED_OTHER, ids=[v for _, v, _ in PLANTED_OTHER]
)
def test_every_planted_datum_is_redacted(text: str, value: str, kind: str) -> None:
    found = find_personal_data(text)
    assert [(f.kind, f.text) for f in found] == [(kind, value)]
    assert value not in redact(text) and f"[{kind}]" in redact(text)


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_listed_first_name_with_a_surname_is_one_name() -> None:
    assert redact("Sarah Quillfeather from school did it.") == "[name] from school did it."


def test_several_kinds_in_one_answer() -> None:
    text = "My name is Ottilie, call 07700 900123 or ottilie@example.com, ME14 5AB."
    assert redact(text) == "My name is [name], call [phone] or [email], [postcode]."
