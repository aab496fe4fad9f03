"""Curation rules, overrides, reconciliation and scoring on the synthetic edition (tests/synthetic.py)."""

import pytest

from opencyber.analysis import scoring as score
from opencyber.analysis.curation import curate_edition
from opencyber.analysis.overrides import override_effects
from opencyber.errors import InputError, RegistryError
from opencyber.inputs.registry import get_edition, load_registry
from tests.synthetic import write_registry


def curated(synthetic):
    data, _ = synthetic
    return curate_edition(get_edition("2023-24"), data), data


def org(cur, code):
    o = cur.organisations.set_index("code")
    return o.loc[code]


def test_scope_rules(synthetic):
    cur, _ = curated(synthetic)
    assert org(cur, "RAA")["in_scope"] and org(cur, "RAA")["status"] == "Standards Met"
    assert not org(cur, "RAD")["in_scope"] and "Welsh" in org(cur, "RAD")["reason"]
    assert not org(cur, "RAE")["in_scope"] and "closed on 31 March 2024" in org(cur, "RAE")["reason"]
    assert not org(cur, "G99999")["in_scope"] and "General Practice (GP)" in org(cur, "G99999")["reason"]
    assert not org(cur, "B2B")["in_scope"] and org(cur, "B2B")["sector"] == "Sub-ICB location"


def test_status_of_another_edition_or_missing_counts_as_not_published(synthetic):
    cur, _ = curated(synthetic)
    taa = org(cur, "TAA")
    assert (taa["status_raw"], taa["status"], taa["score"]) == ("22/23 Standards Met", "Not Published", -3)
    assert "edition 22/23, not 23/24" in taa["reason"]
    raf = org(cur, "RAF")
    assert (raf["status"], raf["score"]) == ("Not Published", -3) and "not in the DSPT export" in raf["reason"]


def test_every_organisation_of_every_input_is_accounted_for(synthetic):
    cur, _ = curated(synthetic)
    rec = cur.reconciliation
    assert (rec["rows_in"] == rec["in_scope"] + rec["out_of_scope"]).all()
    by_file = rec.groupby("file")["rows_in"].sum().to_dict()
    assert by_file == {
        "23_24/csus.xlsx": 2,
        "23_24/dspt_export.csv": 10,
        "23_24/ect.csv": 1,
        "23_24/etr.csv": 6,
        "23_24/lookup.csv": 5,  # 3 sub-ICB locations + 2 ICBs
    }
    export = rec[rec["file"] == "23_24/dspt_export.csv"].set_index("sector")
    assert export.at["NHS Trust", "repairs"] == "lower-case code upper-cased: 1"  # raa
    assert (export.drop(index="NHS Trust")["repairs"] == "").all()
    assert len(cur.organisations) == cur.organisations["code"].nunique() == 15


def test_crosstab_long_form_with_zeros(synthetic):
    cur, _ = curated(synthetic)
    ct = score.crosstab(cur.organisations)
    assert len(ct) == 3 * 5  # every sector x status
    n = ct.set_index(["sector", "status"])["n"]
    assert n[("NHS Trust", "Not Published")] == 2
    assert n[("NHS Trust", "Standards Not Met")] == 0
    assert n[("Commissioning Support Unit (CSU)", "Standards Exceeded")] == 1
    assert ct["n"].sum() == 9


def test_icb_composite_rule(synthetic):
    cur, _ = curated(synthetic)
    s = score.area_scores(cur.organisations, cur.areas, "Integrated Care Board (ICB)").set_index("area_code")
    # QAA: own Met (+1); trusts RAA +1, RAB -1 -> mean 0 -> 0.5
    assert (s.at["QAA", "own_score"], s.at["QAA", "trust_mean"], s.at["QAA", "n_trusts"], s.at["QAA", "composite"]) == (
        1,
        0,
        2,
        0.5,
    )
    # QBB: own Exceeded (+3); trusts RAC +3, RAF -3, TAA -3 -> mean -1 -> 1.0
    assert (s.at["QBB", "trust_mean"], s.at["QBB", "n_trusts"], s.at["QBB", "composite"]) == (-1, 3, 1.0)


def test_area_without_trusts_keeps_its_own_score():
    import pandas as pd

    orgs = pd.DataFrame(
        {
            "code": ["QAA"],
            "sector": ["ICB"],
            "in_scope": [True],
            "score": pd.array([3], dtype="Int64"),
            "area_code": ["QAA"],
        }
    )
    areas = pd.DataFrame({"area_code": ["QAA"], "area_name": ["A"]})
    s = score.area_scores(orgs, areas, "ICB")
    assert s.loc[0, "n_trusts"] == 0 and s.loc[0, "composite"] == 3


def test_override_keep_in_scope_and_its_effect(synthetic, tmp_path, monkeypatch):
    data, _ = synthetic
    reg = write_registry(
        tmp_path / "with-override.toml",
        overrides='[[edition.overrides]]\ncode = "RAE"\naction = "keep_in_scope"\nreason = "kept as the original did"\n',
    )
    monkeypatch.setenv("OPEN_CYBER_REGISTRY", str(reg))
    cur = curate_edition(get_edition("2023-24"), data)
    rae = cur.organisations.set_index("code").loc["RAE"]
    assert (
        rae["in_scope"]
        and rae["status"] == "Not Published"
        and rae["reason"].startswith("kept in scope by a documented override")
    )
    effects = override_effects(cur, data)
    assert effects.loc[0, "effect"] == (
        "NHS Trust Not Published: 3 (without: 2); NHS Trust total: 6 (without: 5); ICB QBB composite: 0.75 (without: 1.00)"
    )
    without = curate_edition(get_edition("2023-24"), data, apply_overrides=False)
    assert not without.organisations.set_index("code").loc["RAE", "in_scope"]


def test_override_of_an_unknown_code_is_a_registry_error(synthetic, tmp_path, monkeypatch):
    data, _ = synthetic
    reg = write_registry(
        tmp_path / "bad.toml", overrides='[[edition.overrides]]\ncode = "NOPE"\naction = "exclude"\nreason = "x"\n'
    )
    monkeypatch.setenv("OPEN_CYBER_REGISTRY", str(reg))
    with pytest.raises(RegistryError, match="override for NOPE"):
        curate_edition(get_edition("2023-24"), data)


def test_registry_paths_cannot_leave_the_data_directory(synthetic, tmp_path, monkeypatch):
    data, _ = synthetic
    reg = write_registry(tmp_path / "escape.toml", folder="../../etc")
    monkeypatch.setenv("OPEN_CYBER_REGISTRY", str(reg))
    with pytest.raises(RegistryError, match="outside the data directory"):
        get_edition("2023-24").input_paths("export", data)


def test_trust_in_an_unknown_area_names_file_line_and_column(synthetic):
    data, _ = synthetic
    etr = data / "23_24" / "etr.csv"
    etr.write_text(etr.read_text().replace('"QAA"', '"QZZ"', 1))
    with pytest.raises(InputError, match=r"etr.csv, line 1, column '4 \(High Level Health Geography\)': trust RAA"):
        curate_edition(get_edition("2023-24"), data)


def test_registry_sorted_newest_first(synthetic):
    assert list(load_registry()) == ["2023-24"]


def _ccg_orgs():
    import pandas as pd

    return pd.DataFrame(
        {
            "code": ["0C1", "0C2", "RT1"],
            "sector": ["CCG", "CCG", "NHS Trust"],
            "in_scope": [True, True, True],
            "score": pd.array([3, -1, 1], dtype="Int64"),
            "area_code": ["QAA", "QAA", "QAA"],
        }
    )


def test_ccg_era_population_weighting_with_and_without_the_file(tmp_path):
    import pandas as pd

    from opencyber.inputs.lists import read_weights

    areas = pd.DataFrame({"area_code": ["QAA"], "area_name": ["A"]})
    equal = score.area_scores(_ccg_orgs(), areas, "CCG").iloc[0]
    assert (equal["own_score"], equal["composite"], equal["weighting"], equal["n_commissioners"]) == (
        1.0,
        1.0,
        "equal",
        2,
    )
    p = tmp_path / "population.csv"
    p.write_text("code,population\n0C1,300000\n0C2,100000\n")
    weighted = score.area_scores(_ccg_orgs(), areas, "CCG", read_weights(p, "population")).iloc[0]
    # (3 x 300,000 - 1 x 100,000) / 400,000 = 2.0; composite 0.5 x 2 + 0.5 x 1 = 1.5
    assert (weighted["own_score"], weighted["composite"], weighted["weighting"]) == (2.0, 1.5, "population")


def test_population_file_errors(tmp_path):
    import pandas as pd

    from opencyber.inputs.lists import read_weights

    p = tmp_path / "population.csv"
    p.write_text("code,population\n0C1,lots\n")
    with pytest.raises(InputError, match=r"line 2, column 'population': not a positive number \(found 'lots'\)"):
        read_weights(p, "population")
    p.write_text("code,population\n0C1,5\n")
    areas = pd.DataFrame({"area_code": ["QAA"], "area_name": ["A"]})
    with pytest.raises(ValueError, match="the population file has no value for 1 organisation"):
        score.area_scores(_ccg_orgs(), areas, "CCG", read_weights(p, "population"))


def test_eprr_variant_weights_the_trust_mean(tmp_path):
    import pandas as pd

    from opencyber.inputs.lists import read_weights

    orgs = pd.concat(
        [
            _ccg_orgs(),
            pd.DataFrame(
                {
                    "code": ["RT2"],
                    "sector": ["NHS Trust"],
                    "in_scope": [True],
                    "score": pd.array([-3], dtype="Int64"),
                    "area_code": ["QAA"],
                }
            ),
        ],
        ignore_index=True,
    )
    areas = pd.DataFrame({"area_code": ["QAA"], "area_name": ["A"]})
    plain = score.area_scores(orgs, areas, "CCG").iloc[0]
    assert (plain["trust_mean"], plain["trust_weighting"]) == (-1.0, "equal")  # (1 - 3) / 2
    p = tmp_path / "eprr.csv"
    p.write_text("ODS Code,EPRR tier\nRT1,3\nRT2,1\n")
    tiered = score.area_scores(orgs, areas, "CCG", trust_weights=read_weights(p, "trust_weights")).iloc[0]
    # (3 x 1 + 1 x -3) / 4 = 0; composite 0.5 x 1 (equal CCGs) + 0.5 x 0 = 0.5
    assert (tiered["trust_mean"], tiered["composite"], tiered["trust_weighting"]) == (0.0, 0.5, "weights file")
