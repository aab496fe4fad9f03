"""The 2021/22 edition (CCG era) from the real data pack, the full 09/09/2022 export."""

import pytest

from opencyber.analysis import scoring as score
from opencyber.analysis.curation import curate_edition
from opencyber.inputs.registry import get_edition


@pytest.fixture(scope="module")
def cur(data_dir):
    return curate_edition(get_edition("2021-22"), data_dir)


def test_crosstab_totals_ccg_106_csu_5_trusts_212(cur):
    ct = score.crosstab(cur.organisations)
    totals = ct.groupby("sector")["n"].sum().to_dict()
    assert totals == {
        "Clinical Commissioning Group (CCG)": 106,
        "Commissioning Support Unit (CSU)": 5,
        "NHS Trust": 212,
    }
    n = ct.set_index(["sector", "status"])["n"]
    # the 212 usable trusts of the original's 21/22 cut: Met 129, Approaching 63, Exceeded 15, Not Met 5
    assert [
        n[("NHS Trust", s)]
        for s in ("Standards Met", "Approaching Standards", "Standards Exceeded", "Standards Not Met")
    ] == [129, 63, 15, 5]
    assert [
        n[("Clinical Commissioning Group (CCG)", s)]
        for s in ("Standards Met", "Standards Exceeded", "Approaching Standards")
    ] == [82, 22, 2]


def test_every_organisation_of_the_full_export_is_accounted_for(cur):
    rec = cur.reconciliation
    assert (rec["rows_in"] == rec["in_scope"] + rec["out_of_scope"]).all()
    assert rec[rec["file"] == "21_22/dspt_export_2022-09-09.csv"]["rows_in"].sum() == 64201
    lower = rec["repairs"].str.extract(r"lower-case code upper-cased: (\d+)")[0].dropna().astype(int).sum()
    assert lower == 62
    assert cur.organisations["code"].is_unique


def test_42_ics_with_ccg_part_trust_part_and_equal_weights(cur):
    orgs = cur.organisations
    s = score.area_scores(orgs, cur.areas, "Clinical Commissioning Group (CCG)")
    assert len(s) == 42 and s["n_commissioners"].sum() == 106 and s["n_trusts"].sum() == 212
    assert set(s["weighting"]) == {"equal"}
    ccgs = orgs[orgs["in_scope"] & (orgs["sector"] == "Clinical Commissioning Group (CCG)")]
    qe1 = s.set_index("area_code").loc["QE1"]
    assert qe1["own_score"] == pytest.approx(ccgs[ccgs["area_code"] == "QE1"]["score"].astype(float).mean())


def test_care_trusts_come_from_the_hand_made_list(cur):
    o = cur.organisations.set_index("code")
    for code, ics in {"TAD": "QWO", "TAF": "QMJ", "TAH": "QF7", "TAJ": "QUA"}.items():
        assert o.at[code, "in_scope"] and o.at[code, "area_code"] == ics and o.at[code, "name"]
    for code in ("RBZ", "RTV", "RW6"):
        assert not o.at[code, "in_scope"] and "closed on" in o.at[code, "reason"]
