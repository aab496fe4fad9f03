"""The 2018/19 edition from the 2019 full export (an Excel workbook, statuses without an edition),
built from its registry entry alone; counts checked against the data README."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from opencyber.analysis import scoring as score
from opencyber.analysis import sectors
from opencyber.analysis.curation import curate_edition
from opencyber.errors import InputError
from opencyber.inputs import dspt_export, lists
from opencyber.inputs.registry import get_edition, load_registry

ROOT = Path(__file__).resolve().parents[1]
EXPORT = "20_21/dspt_progress_2019-06-17.xlsx"
CCG, CSU, TRUST = "Clinical Commissioning Group (CCG)", "Commissioning Support Unit (CSU)", "NHS Trust"
STATUSES = ["Standards Exceeded", "Standards Met", "Approaching Standards", "Standards Not Met", "Not Published"]

#: data README, "20_21/": the 2019 export's sectors and statuses
README_SECTORS = {
    "Pharmacy": 11455,
    "GP": 6827,
    "Dentist (NHS)": 4634,
    "Care Home": 2178,
    "CCG": 197,
    "Acute": 168,
    "Mental Health Trust": 51,
    "Ambulance Trust": 23,
    "CSU": 6,
}
README_STATUSES = {
    "Standards Met": 26049,
    "": 3996,
    "Entry Level": 1256,
    "Standards Exceeded": 480,
    "Standards not fully met (plan agreed)": 119,
    "Standards Met (19-20)": 37,
    "Standards Not Met": 19,
    "Entry Level (19-20)": 14,
}


@pytest.fixture(scope="module")
def ed():
    return get_edition("2018-19")


@pytest.fixture(scope="module")
def export(ed, data_dir):
    return dspt_export.read_dspt_export(data_dir / EXPORT, **ed.export_options)


@pytest.fixture(scope="module")
def cur(ed, data_dir):
    return curate_edition(ed, data_dir)


def test_export_counts_equal_the_readme(export):
    assert len(export) == 31970 and export["code"].is_unique
    assert export["export_sector"].nunique() == 26
    counts = export["export_sector"].value_counts()
    assert {s: int(counts[s]) for s in README_SECTORS} == README_SECTORS
    assert export["status_raw"].value_counts().to_dict() == README_STATUSES


def test_excel_damaged_codes_are_repaired_and_counted(export):
    repairs = export.attrs["repairs"]
    assert repairs["spreadsheet number written back as text"] == 151  # README: 151 ODSCode values are numbers
    assert repairs["spreadsheet date restored to a code (MMMyy)"] == 1  # README: 1 is a date
    assert repairs["publication date cell holds text 'CompletedThroughQIO': kept as a note, date empty"] == 184
    by_code = export.set_index("code")
    assert by_code.at["APR06", "name"] == "LEAF CARE SERVICES LTD (APR6)"  # APR06 in the 2022 export too
    assert by_code.at["102", "export_sector"] == "Local Authority"
    assert (export["published_note"] != "").sum() == 184
    assert (export["published"] != "").sum() == 27790  # README: an Excel date in 27,790 rows


def test_vocabulary_of_2018_19(export):
    parsed = export.groupby(["status_raw", "status_edition", "outcome"]).size()
    assert parsed[("Standards not fully met (plan agreed)", "18/19", "Approaching Standards")] == 119
    assert parsed[("Standards Met (19-20)", "19/20", "Standards Met")] == 37
    assert parsed[("Entry Level (19-20)", "19/20", "Entry Level")] == 14
    assert parsed[("Entry Level", "18/19", "Entry Level")] == 1256
    assert parsed[("", "", "Not Published")] == 3996


def test_crosstab_by_the_rules(cur):
    n = score.crosstab(cur.organisations).set_index(["sector", "status"])["n"]
    assert [n[(CCG, s)] for s in STATUSES] == [22, 172, 0, 1, 2]  # the export's 197 CCGs
    assert [n[(CSU, s)] for s in STATUSES] == [1, 4, 0, 0, 0]  # the 5 CSUs of the curated list
    # 229 trust-coded rows of the 4 provider sectors, less RT4 (Welsh); 92 "not fully met (plan agreed)"
    assert [n[(TRUST, s)] for s in STATUSES] == [9, 118, 92, 8, 1]


def test_organisations_from_the_export_sectors(cur):
    o = cur.organisations.set_index("code")
    scoped = o[o["in_scope"]]
    assert scoped.groupby("sector").size().to_dict() == {CCG: 197, CSU: 5, TRUST: 228}
    assert not o.at["RT4", "in_scope"] and "left out by a documented override" in o.at["RT4", "reason"]
    assert not o.at["YDDTR", "in_scope"]  # in the export's CSU sector, not a CSU
    assert not o.at["8K316", "in_scope"] and "not an NHS trust code" in o.at["8K316", "reason"]
    assert {"TAD", "TAF", "TAH", "TAJ"} <= set(scoped.index)  # care trusts
    # no in-scope organisation has Entry Level, nor a 2019/20 status
    assert not scoped["status_raw"].str.contains("Entry Level|19-20").any()
    plan = scoped[scoped["status_raw"] == "Standards not fully met (plan agreed)"]
    assert len(plan) == 92 and set(plan["status"]) == {"Approaching Standards"}


def test_every_row_of_the_export_is_accounted_for(cur):
    rec = cur.reconciliation
    assert (rec["rows_in"] == rec["in_scope"] + rec["out_of_scope"]).all()
    ex = rec[rec["file"] == EXPORT]
    assert ex["rows_in"].sum() == 31970
    assert ex.set_index("sector").loc[list(README_SECTORS), "rows_in"].to_dict() == README_SECTORS
    text = ex["repairs"].str.cat(sep="; ")
    assert "spreadsheet number written back as text: 151" in text
    assert "spreadsheet date restored to a code (MMMyy): 1" in text


def test_no_areas_no_maps_and_no_composites(ed, cur, data_dir):
    assert not ed.has_areas and not ed.has_maps
    assert cur.areas.empty
    assert score.edition_area_scores(cur.organisations, cur.areas, ed, data_dir).empty


def test_the_edition_is_configuration_only():
    """No module of the library names the edition or its vocabulary in a string literal: it builds
    from its registry entry (docstrings may give examples)."""
    from tests.literals import string_literals

    needles = ("2018-19", "18/19", "2019-06-17", "dspt_progress", "(plan agreed)", "(19-20)")
    modules = sorted((ROOT / "src" / "opencyber").rglob("*.py"))  # every package of the library
    assert len(modules) > 50
    for path in modules:
        for line, value in string_literals(path):
            assert not any(x in value for x in needles), f"{path.relative_to(ROOT)}:{line} names {value!r}"
    registry = load_registry()
    assert registry["2020-21"].previous == "2018-19"


def test_sectors_of_both_full_exports(data_dir):

    editions = list(load_registry().values())
    exports = sectors.full_exports(editions, data_dir)
    assert [e.id for e, _ in exports] == ["2021-22", "2018-19"]
    by_id = {e.id: (e, df) for e, df in exports}
    ed19, ex19 = by_id["2018-19"]
    st = sectors.status_by_sector(ex19)
    assert st["n"].sum() == 31970 and st["sector"].nunique() == 26
    wide = sectors.status_wide(st, sectors.sector_totals(ex19), ed19.dspt_edition)
    assert wide["Total"].sum() == 31970
    assert wide.set_index("sector").at["Acute", "Approaching Standards"] == 70
    al = sectors.sector_alignment(exports)
    assert len(al) == 26 and al["organisations"].sum() == 31970
    assert (al["found_by_code"].sum(), al["in_later_sector"].sum()) == (31389, 31009)  # docs: A19
    later = set(by_id["2021-22"][1]["export_sector"])
    assert set(al["later_sector"]) <= later and len(later) == 14
    row = al.set_index("sector").loc["GP"]
    assert (row.later_sector, row.later_organisations, row.found_by_code, row.in_later_sector) == (
        "General Practice (GP)",
        6913,
        6708,
        6703,
    )


def test_gp_practices_2019(ed, export, data_dir):
    by_ccg = sectors.gp_by_commissioner(export, ed)
    assert by_ccg["practices"].sum() == 6827  # README: GP 6,827
    assert by_ccg["commissioner_code"].ne("").sum() >= 190
    practices = lists.read_gp_practices(data_dir / "21_22" / "gp_practices_editions.csv")
    assert practices["edition"].value_counts().to_dict() == {"18/19": 7246, "19/20": 7024, "20/21": 6804}  # README
    cov = sectors.gp_coverage(export, ed, practices).iloc[0]
    assert cov.open_practices == 7246 and cov.export_gp_rows == 6827
    assert (cov.in_export, cov.in_export_gp_sector, cov.published_edition, cov.export_gp_rows_not_open) == (
        6780,
        6757,
        6492,
        70,
    )  # docs: A20
    assert cov.in_export_gp_sector <= cov.in_export <= cov.open_practices
    assert cov.met_or_exceeded <= cov.published_edition <= cov.in_export
    assert cov.export_gp_rows - cov.export_gp_rows_not_open == cov.in_export_gp_sector


def _workbook(path: Path, rows: list[list]) -> Path:
    header = [
        "OrganisationName",
        "ODSCode",
        "PublicationStatus",
        "DateOfPublication",
        "PrimarySector",
        "CCG (from ODS and CQC)",
    ]
    pd.DataFrame(rows, columns=header).to_excel(path, index=False)
    return path


def test_an_unknown_2019_status_names_the_row_and_column(tmp_path):
    p = _workbook(
        tmp_path / "x.xlsx",
        [
            ["A trust", "RAA", "Standards Met", None, "Acute", None],
            ["B trust", "RBB", "Standards sort of met", None, "Acute", None],
        ],
    )
    with pytest.raises(InputError) as e:
        dspt_export.read_dspt_export(p, unprefixed="18/19")
    msg = str(e.value)
    assert "x.xlsx" in msg and "line 3" in msg and "PublicationStatus" in msg and "Standards sort of met" in msg


def test_a_number_that_lost_its_leading_zeros_is_an_error_not_a_guess(tmp_path):
    p = _workbook(
        tmp_path / "x.xlsx",
        [
            ["A council", 16, "Standards Met", None, "Local Authority", None],
            ["B trust", "RBB", "Standards Met", None, "Acute", None],
        ],
    )
    with pytest.raises(InputError) as e:
        dspt_export.read_dspt_export(p, unprefixed="18/19")
    assert "damaged by a spreadsheet" in str(e.value) and "line 2" in str(e.value)


ENTRY = """
[[edition]]
id = "x"
label = "X"
dspt_edition = "18/19"
snapshot = 2019-06-17
era = "ccg"
area_sector = "ICS"
unprefixed_statuses = "18/19"
  [edition.inputs]
  export = "e.xlsx"
  csus = "c.xlsx"
  [edition.export_sectors]
  "Acute" = "trust"
"""


@pytest.mark.parametrize(
    "extra, message",
    [
        ('  [edition.export_code_patterns]\n  trust = "^[RT"\n', "is not a regular expression"),
        ('  [edition.status_aliases]\n  "Old words" = "Standards Sort Of Met"\n', "status_aliases.'Old words'"),
        ('  [edition.export_code_patterns]\n  pharmacy = "^F"\n', "keys must be 'trust' or 'commissioner'"),
    ],
)
def test_registry_errors_of_an_export_only_edition(tmp_path, extra, message):
    from opencyber.errors import RegistryError

    p = tmp_path / "editions.toml"
    p.write_text(ENTRY + extra, encoding="utf-8")
    with pytest.raises(RegistryError, match=None) as e:
        load_registry(p)
    assert message in str(e.value) and "edition x" in str(e.value)


def test_an_export_only_edition_may_not_name_a_lookup(tmp_path):
    from opencyber.errors import RegistryError

    p = tmp_path / "editions.toml"
    p.write_text(ENTRY.replace('csus = "c.xlsx"', 'csus = "c.xlsx"\n  area_lookup = "l.csv"'), encoding="utf-8")
    with pytest.raises(RegistryError, match="has no areas"):
        load_registry(p)
    p.write_text(ENTRY.replace('"Acute" = "trust"', '"Acute" = "hospital"'), encoding="utf-8")
    with pytest.raises(RegistryError, match="export_sectors values"):
        load_registry(p)


def test_an_xlsx_export_that_is_not_a_workbook_says_so(tmp_path):
    p = tmp_path / "x.xlsx"
    p.write_text("Code,Organisation Name\nRAA,A\n", encoding="utf-8")
    with pytest.raises(InputError, match="not an Excel workbook"):
        dspt_export.read_dspt_export(p)
