"""The 2022/23 edition from the real data pack: the published figures, by the rules + overrides."""

import pytest

from opencyber import score
from opencyber.curate import curate_edition, override_effects
from opencyber.registry import get_edition

# DESIGN.md reference: the published 22/23 crosstab (snapshot 16/11/2023), 258 organisations.
PUBLISHED = {
    ("Commissioning Support Unit (CSU)", "Standards Exceeded"): 4,
    ("Commissioning Support Unit (CSU)", "Not Published"): 1,
    ("Integrated Care Board (ICB)", "Standards Met"): 34,
    ("Integrated Care Board (ICB)", "Standards Exceeded"): 7,
    ("Integrated Care Board (ICB)", "Approaching Standards"): 1,
    ("NHS Trust", "Standards Met"): 138,
    ("NHS Trust", "Approaching Standards"): 57,
    ("NHS Trust", "Standards Exceeded"): 15,
    ("NHS Trust", "Not Published"): 1,
}


@pytest.fixture(scope="module")
def cur(data_dir):
    return curate_edition(get_edition("2022-23"), data_dir)


def test_crosstab_equals_the_published_table(cur):
    ct = score.crosstab(cur.organisations)
    got = {(r.sector, r.status): r.n for r in ct.itertuples() if r.n}
    assert got == PUBLISHED
    assert ct["n"].sum() == 258
    assert len(ct) == 15  # 3 sectors x 5 statuses, zeros included


def test_composite_by_the_rule_for_all_42_icbs(cur):
    orgs = cur.organisations
    s = score.area_scores(orgs, cur.areas, "Integrated Care Board (ICB)")
    assert len(s) == 42 and s["area_code"].is_unique
    assert s["n_trusts"].sum() == 211
    trusts = orgs[orgs["in_scope"] & (orgs["sector"] == "NHS Trust")]
    for row in s.itertuples():
        own = orgs.set_index("code").at[row.area_code, "score"]
        mean = trusts[trusts["area_code"] == row.area_code]["score"].astype(float).mean()
        assert row.composite == pytest.approx(0.5 * own + 0.5 * mean, abs=1e-12)


def test_ra4_override_and_rvy_rule(cur, data_dir):
    o = cur.organisations.set_index("code")
    assert o.at["RA4", "in_scope"] and o.at["RA4", "status"] == "Not Published"
    assert not o.at["RVY", "in_scope"] and "closed on 30/06/2023" in o.at["RVY", "reason"]
    effects = override_effects(cur, data_dir)
    assert list(effects["code"]) == ["RA4"]
    assert "NHS Trust total: 211 (without: 210)" in effects.loc[0, "effect"]


def test_reconciliation_balances(cur):
    rec = cur.reconciliation
    assert (rec["rows_in"] == rec["in_scope"] + rec["out_of_scope"]).all()
    export = rec[rec["file"] == "22_23/dspt_export_2023-11-16.csv"]
    assert export["rows_in"].sum() == 258
    etr = rec[rec["file"] == "22_23/etr.csv"].iloc[0]
    assert (etr["rows_in"], etr["in_scope"], etr["out_of_scope"]) == (211, 207, 4)
    assert etr["rules"] == "Welsh trust: 3; closed before the snapshot: 1; override: kept in scope: 1"
    assert cur.organisations["code"].is_unique
