"""Editions whose organisations come from one reference file, and the successor rule."""

import pytest

from opencyber.analysis.curation import curate_edition
from opencyber.errors import InputError, RegistryError
from opencyber.inputs.reference_file import read_reference
from opencyber.inputs.registry import get_edition

REF_HEADER = '"","Code","Name","Sector","Close","Successor.Code","Successor.Status","CCG20CD","STP20CDH","STP20NM","NHSER20CDH","NHSER20NM","STPCDH"'
REF_ROWS = [
    '"1","C01","NHS ONE CCG","CCG",2021-03-31,"N01","20/21 Standards Met","E1","QAA","Alpha ICS","Y01","Region",NA',
    '"2","C02","NHS TWO CCG","CCG",NA,NA,NA,"E2","QAA","Alpha ICS","Y01","Region",NA',
    '"3","R01","ONE NHS TRUST","Trust",2021-09-30,"R02","20/21 Standards Met",NA,NA,NA,NA,NA,"QAA"',
    '"4","R01","ONE NHS TRUST","Trust",2021-09-30,"R03","20/21 Standards Met",NA,NA,NA,NA,NA,"QAA"',
    '"5","R02","TWO NHS TRUST","Trust",NA,NA,NA,NA,NA,NA,NA,NA,"QAA"',
    '"6","R03","THREE NHS TRUST","Trust",NA,NA,NA,NA,NA,NA,NA,NA,"QAA"',
    '"7","R04","OLD NHS TRUST","Trust",2020-12-31,NA,NA,NA,NA,NA,NA,NA,"QAA"',
    '"8","0XA","A CSU","CSU",NA,NA,NA,NA,NA,NA,NA,NA,NA',
]
EXPORT = [
    "Code,Organisation Name,Latest Status,Date Of Publication,Primary Sector,Commissioner (From ODS)",
    "C01,NHS ONE CCG,19/20 Standards Met,01/06/2020,CCG / Integrated Care Board (ICB),",
    "C02,NHS TWO CCG,20/21 Standards Exceeded,01/06/2021,CCG / Integrated Care Board (ICB),",
    "R02,TWO NHS TRUST,20/21 Standards Met,01/06/2021,NHS Trust,",
    "R03,THREE NHS TRUST,20/21 Standards Met,01/06/2021,NHS Trust,",
    "0XA,A CSU,20/21 Standards Met,01/06/2021,Commissioning Support Unit (CSU),",
]
REGISTRY = """
[[edition]]
id = "2020-21"
label = "2020/21"
dspt_edition = "20/21"
snapshot = 2022-02-08
scope_date = 2021-03-31
era = "ccg"
area_label = "ICS"
area_sector = "Integrated Care System (ICS)"
commissioner_label = "CCG"
commissioner_sector = "Clinical Commissioning Group (CCG)"
  [edition.inputs]
  export = "export.csv"
  reference = "reference.csv"
  area_boundaries = "none.geojson"
  region_boundaries = "none.geojson"
  [edition.reference_columns]
  code = "Code"
  name = "Name"
  sector = "Sector"
  close_date = "Close"
  successor_code = "Successor.Code"
  successor_status = "Successor.Status"
  trust_area_code = "STPCDH"
  [edition.reference_sectors]
  CCG = "commissioner"
  Trust = "trust"
  CSU = "csu"
  [edition.columns]
  area_code = "STP20CDH"
  area_name = "STP20NM"
  region_code = "NHSER20CDH"
  region_name = "NHSER20NM"
  area_boundary_code = "STP20CDH"
  region_boundary_code = "NHSER20CDH"
  region_boundary_name = "NHSER20NM"
"""


@pytest.fixture()
def edition(tmp_path, monkeypatch):
    (tmp_path / "reference.csv").write_text("\n".join([REF_HEADER, *REF_ROWS]) + "\n")
    (tmp_path / "export.csv").write_text("\n".join(EXPORT) + "\n")
    (tmp_path / "editions.toml").write_text(REGISTRY)
    monkeypatch.setenv("OPEN_CYBER_REGISTRY", str(tmp_path / "editions.toml"))
    return tmp_path


def test_reference_rows_of_one_organisation_are_merged(edition):
    ed = get_edition("2020-21")
    ref = read_reference(edition / "reference.csv", ed.reference_columns, ed.columns, ed.reference_sectors)
    r01 = ref.set_index("code").loc["R01"]
    assert r01["successors"] == ["R02", "R03"] and r01["area_code"] == "QAA"
    assert ref.attrs["repairs"]["rows of one organisation with several successors merged"] == 1
    assert list(ref.attrs["areas"]["area_code"]) == ["QAA"]


def test_successor_rule_and_scope_date(edition):
    cur = curate_edition(get_edition("2020-21"), edition)
    o = cur.organisations.set_index("code")
    # C01: 19/20 status of its own, successor N01 (not in the export) recorded as 20/21 Met
    assert (o.at["C01", "status"], o.at["C01", "score"]) == ("Standards Met", 1)
    assert "successor N01 (20/21 Standards Met)" in o.at["C01", "reason"]
    # C01 closed 31/03/2021 = the scope date: in scope; R04 closed before it: out
    assert o.at["C01", "in_scope"] and not o.at["R04", "in_scope"]
    assert (
        "closed on 31 December 2020 (ODS close date), before the edition's scope date 31 March 2021"
        in o.at["R04", "reason"]
    )
    # R01: two successors that agree, counted once
    assert o.at["R01", "status"] == "Standards Met" and (o.index == "R01").sum() == 1
    assert o.at["C02", "status"] == "Standards Exceeded" and o.at["C02", "reason"] == ""


def test_successors_that_disagree_are_an_error(edition):
    ex = edition / "export.csv"
    ex.write_text(
        ex.read_text().replace(
            "R03,THREE NHS TRUST,20/21 Standards Met", "R03,THREE NHS TRUST,20/21 Approaching Standards"
        )
    )
    with pytest.raises(
        RegistryError,
        match=r"R01 has successors R02 \(20/21 Standards Met\), R03 \(20/21 Approaching Standards\) with different 20/21 statuses; add a set_status override",
    ):
        curate_edition(get_edition("2020-21"), edition)


def test_reference_unknown_sector_and_conflicting_rows(edition):
    ref = edition / "reference.csv"
    ref.write_text(ref.read_text().replace('"CSU",NA', '"Hospice",NA'))
    with pytest.raises(InputError, match=r"reference.csv, line 9, column 'Sector': unknown sector \(found 'Hospice'\)"):
        curate_edition(get_edition("2020-21"), edition)
    ref.write_text(
        "\n".join([REF_HEADER, *REF_ROWS]).replace('"4","R01","ONE NHS TRUST"', '"4","R01","ANOTHER NAME"') + "\n"
    )
    with pytest.raises(InputError, match="code R01 appears on lines 4, 5 with different values"):
        curate_edition(get_edition("2020-21"), edition)
