"""The 2022/23 edition from the real data pack: the published figures, by the rules + overrides."""

import pytest

from opencyber.analysis import scoring as score
from opencyber.analysis.curation import curate_edition
from opencyber.analysis.overrides import override_effects
from opencyber.inputs.registry import get_edition

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


def test_crosstab_is_the_published_table_without_yeovil_closed_before_the_snapshot(cur):
    """The original published 258 organisations, NHS Trust 211 with Not Published 1 (RA4). By its own
    rule (organisations open on 16 November 2023) RA4, closed on 31 March 2023, is out of scope: 210
    trusts, 0 Not Published, everything else as published."""
    ct = score.crosstab(cur.organisations)
    got = {(r.sector, r.status): r.n for r in ct.itertuples() if r.n}
    expected = dict(PUBLISHED)
    del expected[("NHS Trust", "Not Published")]
    assert got == expected
    assert ct["n"].sum() == 257 == sum(PUBLISHED.values()) - 1
    assert len(ct) == 15  # 3 sectors x 5 statuses, zeros included


def test_composite_by_the_rule_for_all_42_icbs(cur):
    orgs = cur.organisations
    s = score.area_scores(orgs, cur.areas, "Integrated Care Board (ICB)")
    assert len(s) == 42 and s["area_code"].is_unique
    assert s["n_trusts"].sum() == 210
    trusts = orgs[orgs["in_scope"] & (orgs["sector"] == "NHS Trust")]
    for row in s.itertuples():
        own = orgs.set_index("code").at[row.area_code, "score"]
        mean = trusts[trusts["area_code"] == row.area_code]["score"].astype(float).mean()
        assert row.composite == pytest.approx(0.5 * own + 0.5 * mean, abs=1e-12)


def test_ra4_and_rvy_closed_before_the_snapshot_are_out_and_their_successors_carry_the_status(cur, data_dir):
    from opencyber.analysis.successors import successor_links

    o = cur.organisations.set_index("code")
    assert not o.at["RA4", "in_scope"] and "closed on 31 March 2023" in o.at["RA4", "reason"]
    assert not o.at["RVY", "in_scope"] and "closed on 30 June 2023" in o.at["RVY", "reason"]
    # no override: the registry documents the successors (the ICB partner mapping's change log)
    assert get_edition("2022-23").overrides == ()
    assert override_effects(cur, data_dir).empty
    links = successor_links([get_edition("2022-23")], data_dir)["successors"]
    assert {c for c, _ in links["RA4"]} == {"RH5"} and {c for c, _ in links["RVY"]} == {"RBN"}
    # Somerset NHS FT carries its own status; Somerset ICB's composite has no Not Published Yeovil in it
    assert o.at["RH5", "in_scope"] and o.at["RH5", "status"] == "Standards Exceeded"
    s = score.area_scores(cur.organisations, cur.areas, "Integrated Care Board (ICB)").set_index("area_code")
    assert s.at["QSL", "n_trusts"] == 1 and s.at["QSL", "composite"] == pytest.approx(2.0)


def test_the_differences_from_the_original_publication_are_tabled(data_dir, tmp_path):
    from opencyber.analysis import original
    from opencyber.inputs.registry import load_registry

    ed = get_edition("2022-23")
    out = tmp_path / ed.id
    out.mkdir()
    cur = curate_edition(ed, data_dir)
    cur.organisations.to_csv(out / "organisations.csv", index=False)
    score.write_scores(
        out, score.crosstab(cur.organisations), score.edition_area_scores(cur.organisations, cur.areas, ed, data_dir)
    )
    table = original.differences([ed], tmp_path)
    assert list(zip(table["figure"], table["original"], table["this_report"])) == [
        ("NHS trusts in scope", "211", "210"),
        ("NHS trusts Not Published", "1", "0"),
        ("NHS Somerset ICB composite score", "0.50", "2.00"),
    ]
    # the original's 0.50 is what the same inputs give with Yeovil counted, as the original did
    from dataclasses import replace

    from opencyber.inputs.registry import Override

    kept = curate_edition(replace(ed, overrides=(Override("RA4", "keep_in_scope", "as the original"),)), data_dir)
    sc = score.area_scores(kept.organisations, kept.areas, "Integrated Care Board (ICB)").set_index("area_code")
    assert f"{sc.at['QSL', 'composite']:.2f}" == "0.50"
    # every difference of every edition differs
    for e in load_registry(data_dir=data_dir).values():
        for d in e.differences:
            assert d.reason and d.original


def test_reconciliation_balances(cur):
    rec = cur.reconciliation
    assert (rec["rows_in"] == rec["in_scope"] + rec["out_of_scope"]).all()
    export = rec[rec["file"] == "22_23/dspt_export_2023-11-16.csv"]
    assert export["rows_in"].sum() == 258
    etr = rec[rec["file"] == "22_23/etr.csv"].iloc[0]
    assert (etr["rows_in"], etr["in_scope"], etr["out_of_scope"]) == (211, 206, 5)
    assert etr["rules"] == "Welsh trust: 3; closed before the snapshot: 2"
    assert cur.organisations["code"].is_unique
