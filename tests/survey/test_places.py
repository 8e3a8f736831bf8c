"""Places named in answers: the gazetteer, the user's list, the areas table, place-like
phrases, and the finding that counts them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from vawgscope.survey.places import (
    build_gazetteer,
    find_places,
    places_named,
    user_places,
)


def test_gazetteer_names_and_place_like_phrases() -> None:
    gazetteer = build_gazetteer()
    text = (
        "Mote Park and mote park again, then Hazelbank Park, Snodland Station, "
        "Gravesend High Street, Fountain Square and Ashford Town Centre."
    )
    assert find_places(text, gazetteer) == [
        ("Mote Park", True),  # an answer naming a place twice names it once
        ("Hazelbank Park", False),
        ("Snodland station", False),
        ("Gravesend High Street", False),
        ("Fountain Square", False),
        ("Ashford town centre", True),
    ]


def test_longer_match_wins_and_ordinary_words_are_not_places() -> None:
    gazetteer = build_gazetteer()
    # "Sittingbourne" is a listed town; "Sittingbourne station" is longer and wins.
    assert find_places("Near Sittingbourne station.", gazetteer) == [
        ("Sittingbourne station", False)
    ]
    # "deal" is not the town of Deal; "The Park" and "Bus Station" name no place.
    assert find_places("Teachers deal with it. The Park. Bus Station staff.", gazetteer) == []
    assert find_places("I moved to Deal.", gazetteer) == [("Deal", True)]


def test_user_list_and_areas_extend_the_gazetteer(tmp_path: Path) -> None:
    listed = tmp_path / "places.txt"
    listed.write_text("# my places\nThe Lanes\nPriory Fields\n", encoding="utf-8")
    areas = pd.DataFrame(
        {
            "lsoa_code": ["DEMO000001", "DEMO000002"],
            "lsoa_name": ["Wealdshire 001A", "Wealdshire 001B"],
            "district": ["Wealdshire", "Wealdshire"],
            "geometry_wkt": [
                "POLYGON ((0 0, 2 0, 2 2, 0 2, 0 0))",
                "POLYGON ((2 0, 4 0, 4 2, 2 2, 2 0))",
            ],
        }
    )
    gazetteer = build_gazetteer(areas, user_places(listed))
    found = find_places("Walking through the lanes of Wealdshire past Priory Fields", gazetteer)
    assert found == [("The Lanes", True), ("Wealdshire", True), ("Priory Fields", True)]
    district = gazetteer.places["wealdshire"]
    assert (district.kind, district.easting, district.northing) == ("district", 2.0, 1.0)


def test_places_named_counts_answers_and_locates_places() -> None:
    answers = pd.DataFrame(
        {
            "respondent_id": ["A", "A", "B", "C"],
            "district": ["Dover", "Dover", "Dover", "Thanet"],
            "question": ["places_text", "experience_text", "places_text", "places_text"],
            "text": [
                "Mote Park is dark. Mote Park!",  # one answer: one mention
                "Hazelbank Park at night",
                "Hazelbank Park and Mote Park",
                "Hazelbank Park. Gravesend High Street.",
            ],
        }
    )
    finding = places_named(answers, build_gazetteer())
    assert finding.headlines == {
        "places_named": [
            {"place": "Hazelbank Park", "mentions": 3},
            {"place": "Mote Park", "mentions": 2},
            {"place": "Gravesend High Street", "mentions": 1},
        ]
    }
    rows = {r["place"]: r for r in finding.tables["places_named"]}
    assert rows["Mote Park"]["located_by"] == "gazetteer"
    # Hazelbank Park is unlisted: placed at Dover, where two of its three mentions come from.
    dover = build_gazetteer().places["dover"]
    assert rows["Hazelbank Park"]["located_by"] == "respondents' district"
    assert (rows["Hazelbank Park"]["easting"], rows["Hazelbank Park"]["northing"]) == (
        dover.easting,
        dover.northing,
    )
    # An unlisted place whose name holds a listed one is placed there.
    assert rows["Gravesend High Street"]["located_by"] == "within Gravesend"


def test_no_answers_is_not_available() -> None:
    empty = pd.DataFrame(columns=["respondent_id", "district", "question", "text"])
    finding = places_named(empty, build_gazetteer())
    assert finding.status == "not_available"
    assert finding.headlines == {"places_named": None}
