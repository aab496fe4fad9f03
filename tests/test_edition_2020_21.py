"""The 2020/21 edition (CCG era) from the real data pack: reference file, successor rule, RW6 once."""

import pytest

from opencyber.analysis import scoring as score
from opencyber.analysis.curation import curate_edition
from opencyber.inputs.registry import get_edition


@pytest.fixture(scope="module")
def cur(data_dir):
    return curate_edition(get_edition("2020-21"), data_dir)


def test_crosstab_by_the_rules(cur):
    n = score.crosstab(cur.organisations).set_index(["sector", "status"])["n"]
    ccg, csu, trust = "Clinical Commissioning Group (CCG)", "Commissioning Support Unit (CSU)", "NHS Trust"
    statuses = ["Standards Exceeded", "Standards Met", "Approaching Standards", "Standards Not Met", "Not Published"]
    assert [n[(ccg, s)] for s in statuses] == [23, 99, 11, 0, 2]  # = the published table
    assert [n[(csu, s)] for s in statuses] == [3, 2, 0, 0, 0]  # = the published table
    # the published 217 counted RW6 twice (Standards Met 136); by the rules it is one trust
    assert [n[(trust, s)] for s in statuses] == [15, 135, 61, 5, 0]


def test_successor_rule(cur):
    o = cur.organisations.set_index("code")
    assert (o.at["05C", "status_raw"], o.at["05C", "status"]) == ("19/20 Standards Met", "Standards Met")
    assert "takes the status of its successor D2P2L (20/21 Standards Met)" in o.at["05C", "reason"]
    assert o.at["07T", "status_raw"] == "" and o.at["07T", "status"] == "Approaching Standards"
    assert o.at["05A", "status"] == "Not Published" and "nor has its successor B2M3M" in o.at["05A", "reason"]
    assert (
        o.at["RW6", "status"] == "Standards Met"
        and "successors RM3 (20/21 Standards Met), R0A" in o.at["RW6", "reason"]
    )
    assert (o.index == "RW6").sum() == 1


def test_scope_is_the_edition_year(cur):
    o = cur.organisations.set_index("code")
    for code in ("RTV", "RW6", "RXH", "04F", "99M"):  # closed 2021-03-31 or later: in scope
        assert o.at[code, "in_scope"], code


def test_reconciliation_balances_and_42_ics(cur):
    rec = cur.reconciliation
    assert (rec["rows_in"] == rec["in_scope"] + rec["out_of_scope"]).all()
    ref = rec[rec["file"] == "21_22/dspt_metric_2022-02-08.csv"]
    assert ref["rows_in"].sum() == 356
    assert "several successors merged: 1" in ref["repairs"].str.cat()
    s = score.area_scores(cur.organisations, cur.areas, "Clinical Commissioning Group (CCG)")
    assert len(s) == 42 and s["n_commissioners"].sum() == 135 and s["n_trusts"].sum() == 216
