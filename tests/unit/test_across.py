"""Rules of the pages across editions: finder names and search, trusts followed between editions,
all sectors of the full export (counts checked against the data README)."""

from __future__ import annotations

import pandas as pd
import pytest

from opencyber.analysis import sectors, trends
from opencyber.report import finder
from tests.conftest import need, real_data_dir


@pytest.mark.parametrize(
    "raw, readable",
    [
        ("YEOVIL DISTRICT HOSPITAL NHS FOUNDATION TRUST", "Yeovil District Hospital NHS Foundation Trust"),
        ("LIVERPOOL WOMEN'S NHS FOUNDATION TRUST", "Liverpool Women's NHS Foundation Trust"),
        ("NHS SOUTH TYNESIDE CCG", "NHS South Tyneside CCG"),
        (
            "SOUTH TYNESIDE AND SUNDERLAND NHS FOUNDATION TRUST (R0B)",
            "South Tyneside and Sunderland NHS Foundation Trust (R0B)",
        ),
        ("THE ROYAL WOLVERHAMPTON NHS TRUST", "The Royal Wolverhampton NHS Trust"),
        ("NHS Northumberland CCG", "NHS Northumberland CCG"),  # already readable: kept
        ("  WESTON-SUPER-MARE  ICB ", "Weston-Super-Mare ICB"),
    ],
)
def test_readable_name_keeps_nhs_acronyms(raw, readable):
    assert finder.readable_name(raw) == readable


def test_search_key_ignores_case_punctuation_and_ft():
    assert finder.search_key("Yeovil District Hospital NHS Foundation Trust") == finder.search_key(
        "YEOVIL DISTRICT HOSPITAL NHS FT"
    )
    assert finder.search_key("Birmingham Women?s & Children’s") == "birmingham womens and childrens"
    key = finder.search_key("Guy's and St Thomas' NHS Foundation Trust")
    assert finder.matches(key, "RJ1", "guys st thomas") and finder.matches(key, "RJ1", "rj1")
    assert finder.matches(key, "RJ1", "GUY'S, NHS FT") and not finder.matches(key, "RJ1", "yeovil")
    assert not finder.matches(key, "RJ1", "  ")


def test_nhs_rows_keep_out_of_scope_nhs_organisations_with_their_reason():
    orgs = pd.DataFrame(
        {
            "code": ["RA4", "RQF", "8HY80"],
            "in_scope": ["True", "False", "False"],
            "reason": ["", "Welsh trust", "not in the reference lists of this edition (export sector: NHS Trust)"],
        }
    )
    assert list(finder.nhs_rows(orgs)["code"]) == ["RA4", "RQF"]


def _orgs(rows):
    return pd.DataFrame(rows, columns=["code", "name", "status", "score"]).set_index("code")


def test_follow_adds_up_and_follows_mergers_through_successors():
    before = _orgs(
        [
            ("A", "a", "Standards Met", 1),
            ("B", "b", "Standards Met", 1),
            ("C", "c", "Standards Exceeded", 3),
            ("D", "d", "Not Published", -3),
            ("E", "e", "Standards Met", 1),
        ]
    )
    now = _orgs(
        [
            ("A", "a", "Standards Exceeded", 3),
            ("C", "c", "Standards Met", 1),
            ("D", "d", "Not Published", -3),
            ("X", "x", "Approaching Standards", -1),
        ]
    )
    f = follow = trends.follow(before, now, {"B": {("X", "ODS")}})
    assert dict(zip(f["code"], f["change"])) == {
        "A": "improved",
        "B": "declined",
        "C": "declined",
        "D": "same",
        "E": "not followed",
    }
    assert follow.loc[follow["code"] == "B", "matched_by"].item() == "ODS successor"
    c = trends.comparison(f.assign(previous_edition="p", edition="n"))
    assert c.compared == c.improved + c.declined + c.same == 4 and c.total == 5
    assert c.not_followed == 1 and c.by_successor == 1
    # met or exceeded, before and after, among the trusts compared: A, B (Met) and C (Exceeded); now A, C
    assert (c.met_before, c.met_now) == (3, 2)
    assert (round(c.share_before, 1), round(c.share_now, 1), c.change_points) == (75.0, 50.0, -25.0)


def test_follow_with_two_successors_uses_their_mean():
    before = _orgs([("RW6", "pennine", "Standards Met", 1)])
    now = _orgs([("RM3", "m", "Standards Exceeded", 3), ("R0A", "r", "Not Published", -3)])
    f = trends.follow(before, now, {"RW6": {("RM3", "ODS"), ("R0A", "ODS")}})
    assert f["score_now"].item() == 0 and f["change"].item() == "declined" and f["matched_code"].item() == "R0A RM3"
    assert not f["met_now"].item()  # met now only if every trust that took it over met the standard


def test_sub_icb_code_from_the_export_commissioner():
    assert sectors.sub_icb_code("NHS NORTH WEST LONDON ICB - W2U3Z (CCG)") == "W2U3Z"
    assert sectors.sub_icb_code("NHS KENT AND MEDWAY ICB - 91Q (CCG)") == "91Q"
    assert sectors.sub_icb_code("") == "" and sectors.sub_icb_code("SOME CARE LTD") == ""


def _export(rows):
    df = pd.DataFrame(rows, columns=["code", "export_sector", "status_raw", "commissioner"])
    df["status_edition"] = df["status_raw"].str.extract(r"^(\d\d/\d\d)")[0].fillna("")
    df["outcome"] = df["status_raw"].str.replace(r"^\d\d/\d\d ", "", regex=True).replace("", "Not Published")
    return df


def test_gp_by_area_maps_sub_icb_locations_to_icbs_and_counts_the_edition_only():
    export = _export(
        [
            ("A1", "General Practice (GP)", "21/22 Standards Met", "NHS X ICB - 00L (CCG)"),
            ("A2", "General Practice (GP)", "20/21 Standards Met", "NHS X ICB - 00L (CCG)"),
            ("A3", "General Practice (GP)", "Not Published", ""),
            ("P1", "Pharmacy", "21/22 Standards Met", ""),
        ]
    )
    lookup = pd.DataFrame({"SICBL": ["00L"], "ICB": ["QHM"], "ICBNM": ["NHS North East ICB"]})
    g = sectors.gp_by_area(export, lookup, "SICBL", "ICB", "ICBNM", "21/22")
    assert g[["area_code", "practices", "met_or_exceeded", "other_status"]].values.tolist() == [
        ["QHM", 2, 1, 1],
        ["(unknown)", 1, 0, 1],
    ]
    assert g["practices"].sum() == 3


def test_status_by_sector_adds_up_to_the_export():
    export = _export(
        [("A", "Pharmacy", "21/22 Standards Met", ""), ("B", "Pharmacy", "", ""), ("C", "Dentist", "Not Published", "")]
    )
    ct = sectors.status_by_sector(export)
    assert ct["n"].sum() == 3 and "(blank)" in set(ct["status"])
    totals = sectors.sector_totals(export)
    assert list(totals["sector"]) == ["Pharmacy", "Dentist"] and totals["latest_met_or_exceeded"].tolist() == [1, 0]


# the real full export: counts equal to /work/shared/data/README.md

README_SECTORS = {
    "Social Care": 21064,
    "Pharmacy": 12723,
    "Dentist": 7450,
    "General Practice (GP)": 6913,
    "Other (including charities and NHS business partners)": 5941,
    "Optician": 4571,
    "Company": 3329,
    "Local Authority": 896,
    "NHS Trust": 411,
    "No Sector Identified": 390,
    "University (including researcher and secondary use)": 312,
    "CCG / Integrated Care Board (ICB)": 169,
    "Arm's Length Body": 23,
    "Commissioning Support Unit (CSU)": 9,
}
README_ALL_SECTORS_STATUS = {
    "18/19 Entry Level": 124,
    "18/19 Standards Exceeded": 43,
    "18/19 Standards Met": 1125,
    "19/20 Approaching Standards": 2,
    "19/20 Entry Level": 950,
    "19/20 Standards Exceeded": 82,
    "19/20 Standards Met": 1874,
    "19/20 Standards Not Met": 7,
    "20/21 Approaching Standards": 455,
    "20/21 Entry Level": 117,
    "20/21 Standards Exceeded": 574,
    "20/21 Standards Met": 4407,
    "20/21 Standards Not Met": 3,
    "21/22 Approaching Standards": 1255,
    "21/22 Standards Exceeded": 3089,
    "21/22 Standards Met": 43960,
    "21/22 Standards Not Met": 9,
    "22/23 Approaching Standards": 8,
    "22/23 Standards Exceeded": 37,
    "22/23 Standards Met": 775,
    "22/23 Standards Not Met": 1,
    "Not Published": 5304,
}
README_NHS_TRUST_STATUS = {
    "21/22 Standards Met": 207,
    "21/22 Approaching Standards": 64,
    "Not Published": 86,
    "21/22 Standards Exceeded": 18,
}


@pytest.fixture(scope="module")
def full_export():
    data = real_data_dir()
    need(
        "the real data pack's full export 21_22/dspt_export_2022-09-09.csv (OPEN_CYBER_DATA)",
        data is not None and (data / "21_22" / "dspt_export_2022-09-09.csv").is_file(),
    )  # fails in CI
    from opencyber.inputs.registry import load_registry

    exports = sectors.full_exports(list(load_registry().values()), data)
    assert [ed.id for ed, _ in exports] == ["2021-22", "2018-19"]  # the full exports of the registry's editions
    return exports[0][1]


def test_full_export_counts_equal_the_readme(full_export):
    ct = sectors.status_by_sector(full_export)
    assert ct["n"].sum() == 64201
    assert ct.groupby("sector")["n"].sum().to_dict() == README_SECTORS
    assert ct.groupby("status")["n"].sum().to_dict() == README_ALL_SECTORS_STATUS
    trusts = ct[ct["sector"] == "NHS Trust"].set_index("status")["n"]
    assert all(trusts[s] == n for s, n in README_NHS_TRUST_STATUS.items())
    totals = sectors.sector_totals(full_export)
    assert (
        int(totals.loc[totals["sector"] == "General Practice (GP)", "with_area"].item()) == 6525
    )  # README: 6,525 of 6,741


def test_finder_all_json_holds_every_organisation_of_the_full_export(full_export):
    from opencyber.inputs.registry import load_registry

    ed = load_registry()["2021-22"]
    data = finder.all_records([(ed, full_export)])
    assert data["exports"][0]["n"] == 64201 == len({r[0] for r in data["exports"][0]["rows"]})
    assert finder.dumps(data) == finder.dumps(finder.all_records([(ed, full_export)]))
