"""The bundled FICTIONAL sample edition (``data/sample/``, written by ``scripts/make_sample.py``).

(a) the committed files are exactly what the script writes; (b) each curation rule is exercised by
the organisation the sample's README names, with the status, scope and reason the rules give
(expected values written out here, not computed); (c) the reconciliation accounts for every row.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from opencyber.analysis import scoring as score
from opencyber.analysis.curation import curate_edition
from opencyber.inputs.registry import get_edition

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
SCRIPT = ROOT / "scripts" / "make_sample.py"

SCOPE = "before the edition's scope date 31 March 2025"
NOT_IN_LISTS = "not in the reference lists of this edition (export sector: {})"
OLDER = "counted as Not Published: latest status is of edition {}, not 24/25"


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


# ---------------------------------------------------------------------------------------------
# (a) the committed sample cannot drift from its generator


def test_committed_sample_is_exactly_what_the_script_writes(tmp_path):
    proc = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert _files(tmp_path) == _files(SAMPLE)
    for name in _files(tmp_path):
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), (
            f"data/sample/{name} is not what scripts/make_sample.py writes: edit the script and run it again"
        )


def test_sample_is_small_and_every_code_is_fictional(cur):
    assert sum((SAMPLE / n).stat().st_size for n in _files(SAMPLE)) < 100_000
    assert cur.organisations["code"].str.startswith("Z").all()
    assert cur.areas["area_code"].str.startswith("Z").all() and cur.areas["region_code"].str.startswith("Z").all()


def test_geography_is_a_valid_coverage_at_sea():
    import shapely
    from shapely.geometry import shape

    from opencyber.inputs.geojson import read_geojson

    areas = read_geojson(SAMPLE / "areas.geojson", "ICB24CDH")  # the project's checks: codes, validity
    regions = read_geojson(SAMPLE / "regions.geojson", "NHSER24CDH")
    assert sorted(areas["code"]) == ["ZQA", "ZQB", "ZQC", "ZQD", "ZQE"]
    assert sorted(regions["code"]) == ["ZY1", "ZY2"]
    assert shapely.coverage_is_valid(areas.geometry.values)  # no overlaps, neighbours share their vertices
    assert shapely.coverage_is_valid(regions.geometry.values)
    for region in regions.itertuples():  # each region is exactly the union of its ICBs
        union = shapely.union_all(areas[areas["NHSER24CDH"] == region.code].geometry.values)
        assert shapely.normalize(union).equals_exact(shapely.normalize(region.geometry), 0)
    xmin, ymin, xmax, ymax = shapely.union_all(areas.geometry.values).bounds
    assert xmin >= 2.0 and xmax <= 4.5 and ymin >= 53.3 and ymax <= 55.0  # southern North Sea
    icb_of = dict(zip(areas["code"], areas.geometry))
    points = json.loads((SAMPLE / "trusts.geojson").read_text(encoding="utf-8"))["features"]
    etr = {
        r.split('","')[0].strip('"'): r.split('","')[3]
        for f in ("etr.csv", "ect.csv")
        for r in (SAMPLE / f).read_text(encoding="utf-8").splitlines()
    }
    assert len(points) == 16
    for f in points:
        code = f["properties"]["code"]
        assert icb_of[etr[code]].contains(shape(f["geometry"])), f"trust {code} is not inside its ICB {etr[code]}"


# ---------------------------------------------------------------------------------------------
# (b) the curation rules, one organisation each


@pytest.fixture(scope="module")
def cur():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OPEN_CYBER_REGISTRY", str(SAMPLE / "editions.toml"))
        edition = get_edition("sample")
        return curate_edition(edition, SAMPLE)


@pytest.fixture(scope="module")
def orgs(cur):
    assert cur.organisations["code"].is_unique
    return cur.organisations.set_index("code")


# code: (the rule it exercises, in scope, status, reason)
EXPECTED = {
    # each status outcome of the edition
    "ZRA": ("Standards Exceeded (export name differs from the ODS name)", True, "Standards Exceeded", ""),
    "ZRE": ("Standards Met", True, "Standards Met", ""),
    "ZRL": ("Approaching Standards", True, "Approaching Standards", ""),
    "ZRF": ("Standards Not Met", True, "Standards Not Met", ""),
    "ZRM": ("explicit Not Published row", True, "Not Published", ""),
    "ZXC": ("explicit Not Published row (CSU)", True, "Not Published", ""),
    "ZRG": ("in scope, no export row", True, "Not Published", "not in the DSPT export: counted as Not Published"),
    "ZRC": ("status of an older edition", True, "Not Published", OLDER.format("23/24")),
    "ZQC": ("long edition label 2024-25", True, "Standards Met", ""),
    "ZRB": ("lower-case code in the export", True, "Standards Met", ""),
    "ZTA": ("care trust the export files under Social Care", True, "Standards Met", ""),
    "ZRJ": ("only trust of its ICB", True, "Approaching Standards", ""),
    # overrides
    "ZRN": (
        "override keep_in_scope",
        True,
        "Not Published",
        "kept in scope by a documented override (see the edition's overrides), although: closed on 28 February 2025 (ODS close date), "
        f"{SCOPE}; " + OLDER.format("23/24"),
    ),
    "ZRS": (
        "override exclude",
        False,
        "Standards Met",
        "left out by a documented override (see the edition's overrides)",
    ),
    "ZQE": (
        "override set_status",
        True,
        "Standards Met",
        "status set by a documented override: Approaching Standards replaced by Standards Met",
    ),
    # out of scope by rule
    "ZRH": (
        "closed before the scope date",
        False,
        "Not Published",
        f"closed on 30 September 2024 (ODS close date), {SCOPE}; " + OLDER.format("23/24"),
    ),
    "ZRT": (
        "opened after the scope date",
        False,
        "",
        "opened on 1 June 2025 (ODS), after the edition's scope date 31 March 2025",
    ),
    "ZWA": (
        "Welsh trust",
        False,
        "Standards Met",
        "Welsh trust (ODS National Grouping W00): not in NHS England's report",
    ),
    "Z81001": ("GP practice", False, "Standards Met", NOT_IN_LISTS.format("General Practice (GP)")),
    "ZV101": (
        "Entry Level (dentist)",
        False,
        "Not Published",
        NOT_IN_LISTS.format("Dentist") + "; " + OLDER.format("19/20"),
    ),
    "ZK801": ("export NHS Trust sector, not an ODS trust", False, "Not Published", NOT_IN_LISTS.format("NHS Trust")),
    "ZYX01": (
        "export CSU sector, not a listed CSU",
        False,
        "Standards Met",
        NOT_IN_LISTS.format("Commissioning Support Unit (CSU)"),
    ),
    "ZA1": ("sub-ICB location", False, "", "sub-ICB location: the Sample (fictional) report scores its ICB ZQA"),
    "ZA2": (
        "sub-ICB location with an export row",
        False,
        "Not Published",
        "sub-ICB location: the Sample (fictional) report scores its ICB ZQA; " + OLDER.format("22/23"),
    ),
}


@pytest.mark.parametrize("code", list(EXPECTED))
def test_rule(orgs, code):
    rule, in_scope, status, reason = EXPECTED[code]
    row = orgs.loc[code]
    assert (bool(row["in_scope"]), row["status"], row["reason"]) == (in_scope, status, reason), rule


def test_details_of_the_rules(orgs, cur):
    assert orgs.at["ZTA", "sector"] == "NHS Trust"  # ODS lists it, whatever the export's Primary Sector says
    assert orgs.at["ZRA", "name"] == "SAMPLE HARBOUR HOSPITAL NHS TRUST"  # the ODS name, joined on the code
    assert orgs.at["ZQC", "status_raw"] == "2024-25 Standards Met"
    assert orgs.at["ZRB", "status_raw"] == "24/25 Standards Met"  # written `zrb` in the export
    assert orgs.at["ZRJ", "area_code"] == "ZQC"
    assert cur.overrides_applied == ["ZRN", "ZRS", "ZQE"]


def test_successor_rule(orgs):
    """Needs the optional `successors` input role (ODS succ.csv), added to the registry with this sample.

    ZRD closed after the scope date (in scope) with an older status of its own: it takes the 24/25
    status of its successor ZRA. ZRV's successor ZRC has no 24/25 status: it stays Not Published.
    ZRH closed before the scope date: out of scope, its successor changes nothing. succ.csv's row for
    GP practice Z81002, which no input of the edition names, is ignored.
    """
    assert (bool(orgs.at["ZRD", "in_scope"]), orgs.at["ZRD", "status"], orgs.at["ZRD", "score"]) == (
        True,
        "Standards Exceeded",
        3,
    )
    assert orgs.at["ZRD", "status_raw"] == "23/24 Approaching Standards"
    assert (
        orgs.at["ZRD", "reason"]
        == "no 24/25 status of its own; takes the status of its successor ZRA (24/25 Standards Exceeded)"
    )
    assert (bool(orgs.at["ZRV", "in_scope"]), orgs.at["ZRV", "status"]) == (True, "Not Published")
    assert (
        orgs.at["ZRV", "reason"]
        == "no 24/25 status of its own, nor has its successor ZRC (23/24 Standards Met): Not Published"
    )
    assert not orgs.at["ZRH", "in_scope"] and "successor" not in orgs.at["ZRH", "reason"]
    assert "Z81002" not in orgs.index


def test_crosstab_and_composites(cur):
    ct = score.crosstab(cur.organisations)
    got = {(r.sector, r.status): r.n for r in ct.itertuples() if r.n}
    assert got == {
        ("Commissioning Support Unit (CSU)", "Standards Exceeded"): 1,
        ("Commissioning Support Unit (CSU)", "Standards Met"): 1,
        ("Commissioning Support Unit (CSU)", "Not Published"): 1,
        ("Integrated Care Board (ICB)", "Standards Exceeded"): 1,
        ("Integrated Care Board (ICB)", "Standards Met"): 3,
        ("Integrated Care Board (ICB)", "Approaching Standards"): 1,
        ("NHS Trust", "Standards Exceeded"): 3,  # ZRA, ZRP, ZRD (successor rule)
        ("NHS Trust", "Standards Met"): 5,
        ("NHS Trust", "Approaching Standards"): 2,
        ("NHS Trust", "Standards Not Met"): 1,
        ("NHS Trust", "Not Published"): 5,
    }
    s = score.area_scores(cur.organisations, cur.areas, cur.edition.commissioner_sector).set_index("area_code")
    assert s["n_trusts"].to_dict() == {"ZQA": 5, "ZQB": 4, "ZQC": 1, "ZQD": 4, "ZQE": 2}
    assert s["composite"].to_dict() == pytest.approx(
        {"ZQA": 0.6, "ZQB": 1.0, "ZQC": 0.0, "ZQD": -1.25, "ZQE": 1.5}, abs=1e-12
    )


# ---------------------------------------------------------------------------------------------
# (c) the reconciliation accounts for every row of every input


def test_reconciliation_balances(cur):
    rec = cur.reconciliation
    assert (rec["rows_in"] == rec["in_scope"] + rec["out_of_scope"]).all()
    by = {(r.file, r.sector): r for r in rec.itertuples()}
    # what came in, counted from the files themselves
    export_rows = (SAMPLE / "dspt_export.csv").read_text(encoding="utf-8").splitlines()[1:]
    export_codes = {r.split(",")[0].upper() for r in export_rows}
    assert (len(export_rows), len(export_codes)) == (31, 30)  # ZRQ twice, identically
    assert rec[rec["file"] == "dspt_export.csv"]["rows_in"].sum() == 30
    assert rec[rec["file"] == "etr.csv"]["rows_in"].sum() == len((SAMPLE / "etr.csv").read_text().splitlines()) == 19
    assert rec[rec["file"] == "ect.csv"]["rows_in"].sum() == 1
    assert rec[rec["file"] == "csus.xlsx"]["rows_in"].sum() == 3
    assert rec[rec["file"] == "lookup.csv"]["rows_in"].sum() == 12  # 5 ICBs, 7 sub-ICB locations
    links = by[("succ.csv", "(successor links)")]  # 4 links; Z81002's is for no organisation of the edition
    assert (links.rows_in, links.in_scope, links.out_of_scope, links.rules) == (
        4,
        3,
        1,
        "predecessor named by no other input: 1",
    )

    etr = by[("etr.csv", "NHS Trust")]
    assert (etr.rows_in, etr.in_scope, etr.out_of_scope) == (19, 15, 4)
    assert etr.rules == (
        "Welsh trust: 1; closed before the scope date: 1; opened after the scope date: 1; "
        "override: excluded: 1; override: kept in scope: 1"
    )
    trusts = by[("dspt_export.csv", "NHS Trust")]
    assert (trusts.rows_in, trusts.in_scope, trusts.out_of_scope) == (17, 13, 4)
    assert "lower-case code upper-cased: 1" in trusts.repairs
    # the dropped duplicate is ZRQ's row, a trust: counted on the trusts' row, on no other row
    assert "identical duplicate row dropped: 1" in trusts.repairs
    assert rec["repairs"].str.contains("identical duplicate").sum() == 1
    social = by[("dspt_export.csv", "Social Care")]  # the care trust the export mislabels
    assert (social.rows_in, social.in_scope, social.out_of_scope) == (1, 1, 0)
    csu = by[("dspt_export.csv", "Commissioning Support Unit (CSU)")]
    assert (csu.rows_in, csu.in_scope, csu.out_of_scope) == (4, 3, 1)
    assert any("identical duplicate row dropped: 1" in r for r in rec[rec["file"] == "dspt_export.csv"]["repairs"])
    sub = by[("lookup.csv", "Sub-ICB location")]
    assert (sub.rows_in, sub.in_scope, sub.out_of_scope) == (7, 0, 7)

    orgs = cur.organisations
    assert len(orgs) == 39 and int(orgs["in_scope"].sum()) == 24  # 16 trusts, 5 ICBs, 3 CSUs
