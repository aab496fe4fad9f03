"""The readers' sentences (narrative.py): every figure comes from the tables it is given."""

import pandas as pd

from opencyber.analysis import trends
from opencyber.report import narrative


def _orgs(rows):
    return pd.DataFrame(rows, columns=["code", "sector", "status", "score", "in_scope"])


def test_the_change_since_the_previous_edition_states_its_base_and_adds_up():
    before = _orgs(
        [
            ("RAA", "NHS Trust", "Standards Met", 1, True),
            ("RAB", "NHS Trust", "Approaching Standards", -1, True),
            ("RAC", "NHS Trust", "Standards Exceeded", 3, True),
            ("RAD", "NHS Trust", "Standards Met", 1, True),  # merged into RAE
            ("RAG", "NHS Trust", "Standards Met", 1, True),  # closed, no successor known
            ("QAA", "Integrated Care Board (ICB)", "Standards Met", 1, True),
        ]
    )
    after = _orgs(
        [
            ("RAA", "NHS Trust", "Standards Met", 1, True),
            ("RAB", "NHS Trust", "Standards Met", 1, True),
            ("RAC", "NHS Trust", "Standards Met", 1, True),
            ("RAE", "NHS Trust", "Not Published", -3, True),  # new: took over RAD
            ("RAF", "NHS Trust", "Not Published", -3, False),  # out of scope
        ]
    )

    def scoped(o):
        s = o[o["in_scope"] & (o["sector"] == "NHS Trust")].assign(name="x")
        return s.set_index("code")[["name", "status", "score"]]

    f = trends.follow(scoped(before), scoped(after), {"RAD": {("RAE", "ODS")}}).assign(
        previous_edition="a", edition="b"
    )
    c = trends.comparison(f)
    assert (c.total, c.compared, c.not_followed, c.by_successor) == (5, 4, 1, 1)
    assert (c.improved, c.declined, c.same) == (1, 2, 1) and c.improved + c.declined + c.same == c.compared
    assert (c.met_before, c.met_now) == (3, 3)
    text = narrative.change_sentence(c, "2021/22", "2022/23")
    assert "for the 4 NHS trusts of 2021/22 followed into 2022/23 (by their code; 1 of them through a merger" in text
    assert (
        "**3 (75.0%)** met or exceeded the standard in 2022/23, against 3 (75.0%) in 2021/22, a change of **0.0 percentage points**"
        in text
    )
    assert "1 of the 5 trusts of 2021/22 could not be followed" in text


def test_sector_sentences_count_met_and_exceeded():
    ct = pd.DataFrame(
        [
            ("NHS Trust", "Standards Met", 3),
            ("NHS Trust", "Standards Exceeded", 1),
            ("NHS Trust", "Not Published", 4),
            ("Commissioning Support Unit (CSU)", "Standards Met", 1),
        ],
        columns=["sector", "status", "n"],
    )
    assert narrative.sector_sentences(ct) == [
        "**4 of 8 NHS trusts (50.0%)** met or exceeded the standard (1 exceeded it).",
        "**1 of 1 commissioning support units (CSUs) (100.0%)** met or exceeded the standard.",
    ]


def test_every_status_has_a_meaning():
    from opencyber.status import STATUSES

    assert [s for s, _ in narrative.STATUS_MEANINGS] == list(STATUSES)
    assert [s for s, _ in narrative.STATUS_SHORT] == list(STATUSES)
    for short in (True, False):
        text = narrative.status_meanings(short)
        assert "Cyber Essentials Plus" in text and narrative.DSPT_URL in text


def test_the_areas_at_the_top_and_the_bottom_include_every_tie():
    from opencyber.inputs.registry import Edition

    ed = Edition(
        id="x",
        label="x",
        dspt_edition="22/23",
        snapshot=__import__("datetime").date(2023, 11, 16),
        era="icb",
        area_label="ICB",
        area_sector="ICB",
        commissioner_sector="ICB",
        commissioner_label="ICB",
        inputs={},
        columns={},
    )
    scores = pd.DataFrame(
        {
            "area_code": ["QA", "QB", "QC", "QD"],
            "area_name": ["Alpha", "Beta", "Gamma", "Delta"],
            "composite": [2.0, 1.999999999, 0.5, -0.1],
        }
    )
    text = narrative.area_sentence(ed, scores)
    assert (
        "**Alpha** and **Beta** had the highest composite score (+2.00" in text
        and "**Delta** the lowest (−0.10)" in text
    )
