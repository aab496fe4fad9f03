"""Every sector of a full DSPT export (social care, GP practices, pharmacies, ...): status by sector
as the export gives it, and GP practices by area where the export names their sub-ICB location
(-> ICB through the ONS lookup). Rules only: tables; the words are in :mod:`opencyber.pages`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .registry import Edition
from .status import MEETS

GP_SECTOR = "General Practice (GP)"
#: a commissioner named like "NHS NORTH WEST LONDON ICB - W2U3Z (CCG)": the code of its sub-ICB location
_SUB_ICB_CODE = re.compile(r"-\s*([A-Za-z0-9]{3,5})\s*\((?:CCG|SICBL|Sub-ICB Location)\)\s*$")


def status_by_sector(export: pd.DataFrame) -> pd.DataFrame:
    """``sector, status, n`` (long form) with the export's own sector and status strings; a blank
    status is ``(blank)``. Every sector x status that occurs; the counts add up to the export's rows."""
    s = export["status_raw"].where(export["status_raw"] != "", "(blank)")
    ct = pd.crosstab(export["export_sector"], s).stack().rename("n").reset_index()
    ct.columns = ["sector", "status", "n"]
    return ct[ct["n"] > 0].sort_values(["sector", "status"]).reset_index(drop=True)


def sector_totals(export: pd.DataFrame) -> pd.DataFrame:
    """``sector, organisations, with_area, latest_met_or_exceeded`` (latest status Met or Exceeded, of
    any edition), largest sector first."""
    met = export["outcome"].isin(MEETS)
    g = export.assign(with_area=export["commissioner"] != "", met=met).groupby("export_sector")
    out = pd.DataFrame({"organisations": g.size(), "with_area": g["with_area"].sum(), "latest_met_or_exceeded": g["met"].sum()})
    out = out.rename_axis("sector").reset_index()
    return out.sort_values(["organisations", "sector"], ascending=[False, True]).reset_index(drop=True)


def sub_icb_code(commissioner: str) -> str:
    """The sub-ICB location code at the end of an export's commissioner name ('' if none)."""
    m = _SUB_ICB_CODE.search(str(commissioner))
    return m.group(1).upper() if m else ""


def gp_by_area(export: pd.DataFrame, lookup: pd.DataFrame, sub_col: str, area_col: str, area_name_col: str,
               dspt_edition: str) -> pd.DataFrame:
    """GP practices by ICB: ``area_code, area_name, practices, met_or_exceeded, other_status, share``
    where ``met_or_exceeded`` counts statuses of ``dspt_edition`` (e.g. ``21/22``) Met or Exceeded.
    Practices whose commissioner has no sub-ICB code the lookup knows are one row ``(unknown)``."""
    gp = export[export["export_sector"] == GP_SECTOR].copy()
    gp["sub"] = gp["commissioner"].map(sub_icb_code)
    lk = lookup.assign(sub=lookup[sub_col].str.upper()).drop_duplicates("sub").set_index("sub")
    gp["area_code"] = gp["sub"].map(lk[area_col]).fillna("(unknown)")
    gp["area_name"] = gp["sub"].map(lk[area_name_col]).fillna("no sub-ICB location the lookup knows")
    gp["met"] = (gp["status_edition"] == dspt_edition) & gp["outcome"].isin(MEETS)
    g = gp.groupby(["area_code", "area_name"])
    out = pd.DataFrame({"practices": g.size(), "met_or_exceeded": g["met"].sum()}).reset_index()
    out["other_status"] = out["practices"] - out["met_or_exceeded"]
    out["share"] = 100 * out["met_or_exceeded"] / out["practices"]
    return out.sort_values("area_code", key=lambda c: c.map(lambda x: (x == "(unknown)", x))).reset_index(drop=True)


def area_lookup_for(editions: list[Edition], data_dir: Path) -> tuple[Edition, pd.DataFrame] | None:
    """The sub-ICB -> ICB lookup of the newest ICB-era edition."""
    for ed in editions:
        if ed.era == "icb" and "area_lookup" in ed.inputs and ed.columns.get("sub_area_code"):
            path = ed.input_path("area_lookup", data_dir)
            if path.is_file():
                return ed, pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    return None


def write_outputs(exports: list[tuple[Edition, pd.DataFrame]], editions: list[Edition], data_dir: Path | None,
                  out_dir: Path) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    kw = dict(index=False, lineterminator="\n")
    status_frames, total_frames, gp_frames = [], [], []
    found = area_lookup_for(editions, data_dir) if data_dir is not None else None
    for ed, df in exports:
        status_frames.append(status_by_sector(df).assign(export_date=ed.snapshot.isoformat()))
        total_frames.append(sector_totals(df).assign(export_date=ed.snapshot.isoformat()))
        if found is not None:
            lk_ed, lk = found
            c = lk_ed.columns
            gp_frames.append(gp_by_area(df, lk, c["sub_area_code"], c["area_code"], c["area_name"], ed.dspt_edition)
                             .assign(export_date=ed.snapshot.isoformat(), dspt_edition=ed.dspt_edition))
    cols = {"sectors_status.csv": (status_frames, ["export_date", "sector", "status", "n"]),
            "sectors_totals.csv": (total_frames, ["export_date", "sector", "organisations", "with_area", "latest_met_or_exceeded"]),
            "sectors_gp_areas.csv": (gp_frames, ["export_date", "dspt_edition", "area_code", "area_name", "practices",
                                                 "met_or_exceeded", "other_status", "share"])}
    out = {}
    for name, (frames, columns) in cols.items():
        df = pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
        df.to_csv(out_dir / name, float_format="%.6f", **kw)
        out[name] = df
    return out
