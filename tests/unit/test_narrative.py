"""The readers' sentences (narrative.py): every figure comes from the tables it is given."""

import pandas as pd

from opencyber import narrative, trends


def _orgs(rows):
    return pd.DataFrame(rows, columns=["code", "sector", "status", "score", "in_scope"])


def test_transitions_match_by_code_and_add_up():
    before = _orgs([
        ("RAA", "NHS Trust", "Standards Met", 1, True),
        ("RAB", "NHS Trust", "Approaching Standards", -1, True),
        ("RAC", "NHS Trust", "Standards Exceeded", 3, True),
        ("RAD", "NHS Trust", "Standards Met", 1, True),  # not in the later edition
        ("QAA", "Integrated Care Board (ICB)", "Standards Met", 1, True),
    ])
    after = _orgs([
        ("RAA", "NHS Trust", "Standards Met", 1, True),
        ("RAB", "NHS Trust", "Standards Met", 1, True),
        ("RAC", "NHS Trust", "Standards Met", 1, True),
        ("RAE", "NHS Trust", "Not Published", -3, True),  # new
        ("RAF", "NHS Trust", "Not Published", -3, False),  # out of scope
    ])
    t = trends.transitions(before, after)
    assert (t.compared, t.improved, t.declined, t.same) == (3, 1, 1, 1)
    assert t.improved + t.declined + t.same == t.compared
    assert (t.met_before, t.met_now) == (2, 3)
    text = narrative.change_sentence(t, "2021/22")
    assert "Of the **3 NHS trusts** in both 2021/22 and this edition, **3 (100.0%)**" in text
    assert "against 2 (66.7%) in 2021/22: 1 improved their status, 1 declined and 1 stayed the same." in text


def test_sector_sentences_count_met_and_exceeded():
    ct = pd.DataFrame(
        [("NHS Trust", "Standards Met", 3), ("NHS Trust", "Standards Exceeded", 1), ("NHS Trust", "Not Published", 4),
         ("Commissioning Support Unit (CSU)", "Standards Met", 1)],
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
