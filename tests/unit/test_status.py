import pytest

from opencyber.status import (
    ParsedStatus,
    StatusError,
    normalise_edition,
    parse_status,
    score,
    status_for_edition,
)


@pytest.mark.parametrize(
    "raw, edition, outcome",
    [
        ("22/23 Standards Met", "22/23", "Standards Met"),
        ("18/19 Entry Level", "18/19", "Entry Level"),
        ("21/22 Approaching Standards", "21/22", "Approaching Standards"),
        ("20/21 Standards Not Met", "20/21", "Standards Not Met"),
        ("19/20 Standards Exceeded", "19/20", "Standards Exceeded"),
        ("2023-24 Standards Met", "23/24", "Standards Met"),
        ("  23/24   standards   exceeded ", "23/24", "Standards Exceeded"),
        ("Not Published", None, "Not Published"),
        ("22/23 Not Published", "22/23", "Not Published"),
        ("", None, "Not Published"),
    ],
)
def test_parse_status_vocabulary(raw, edition, outcome):
    assert parse_status(raw) == ParsedStatus(edition, outcome)


@pytest.mark.parametrize("raw", ["22/23 Standards Almost Met", "Standards Met", "Met", "22/23", "2022 Standards Met"])
def test_parse_status_rejects_unknown(raw):
    with pytest.raises(StatusError):
        parse_status(raw)


def test_normalise_edition():
    assert normalise_edition("2023-24") == "23/24"
    assert normalise_edition("23/24") == "23/24"
    assert normalise_edition("2022/23") == "22/23"
    with pytest.raises(StatusError):
        normalise_edition("FY23")


def test_only_the_edition_being_reported_counts():
    assert status_for_edition(parse_status("22/23 Standards Met"), "22/23") == ("Standards Met", "")
    status, why = status_for_edition(parse_status("21/22 Standards Exceeded"), "22/23")
    assert status == "Not Published" and "21/22" in why
    assert status_for_edition(parse_status("Not Published"), "22/23") == ("Not Published", "")


def test_scores_follow_the_published_method():
    assert [
        score(s)
        for s in ("Standards Exceeded", "Standards Met", "Approaching Standards", "Standards Not Met", "Not Published")
    ] == [3, 1, -1, -3, -3]
    with pytest.raises(StatusError, match="no score"):
        score("Entry Level")
