"""Every sector of a full DSPT export (social care, GP practices, pharmacies, ...): status by sector
as the export gives it, and GP practices by area where the export names their sub-ICB location
(-> ICB through the ONS lookup). Rules only: tables; the words are in :mod:`opencyber.report.pages`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from opencyber.inputs.registry import Edition
from opencyber.status import MEETS

GP_SECTOR = "General Practice (GP)"
#: an export with more sectors than the NHS ones is a full export
FULL_EXPORT_MIN_SECTORS = 5
#: a commissioner named like "NHS NORTH WEST LONDON ICB - W2U3Z (CCG)": the code of its sub-ICB location
_SUB_ICB_CODE = re.compile(r"-\s*([A-Za-z0-9]{3,5})\s*\((?:CCG|SICBL|Sub-ICB Location)\)\s*$")


def status_by_sector(export: pd.DataFrame) -> pd.DataFrame:
    """``sector, status, status_edition, outcome, n`` (long form) with the export's own sector and
    status strings (a blank status is ``(blank)``) and the edition and outcome the reader parsed them
    as (with the edition's status vocabulary). Every sector x status that occurs; the counts add up
    to the export's rows."""
    df = pd.DataFrame(
        {
            "sector": export["export_sector"],
            "status": export["status_raw"].where(export["status_raw"] != "", "(blank)"),
            "status_edition": export["status_edition"],
            "outcome": export["outcome"],
        }
    )
    ct = df.groupby(["sector", "status", "status_edition", "outcome"]).size().rename("n").reset_index()
    return ct.sort_values(["sector", "status"]).reset_index(drop=True)


def status_groups(status: pd.DataFrame, dspt_edition: str) -> pd.Series:
    """Each row's group for the chart: its outcome when of ``dspt_edition`` (or Not Published /
    blank), else ``Another edition``."""
    own = status["status_edition"].isin(["", dspt_edition])
    blank = status["status"] == "(blank)"
    return status["outcome"].where(own, "Another edition").where(~blank, "Blank")


#: the chart's and wide table's groups, in order: the export's own edition's outcomes, then the rest
GROUPS = (
    "Standards Exceeded",
    "Standards Met",
    "Approaching Standards",
    "Standards Not Met",
    "Entry Level",
    "Not Published",
    "Another edition",
    "Blank",
)


def status_wide(status: pd.DataFrame, totals: pd.DataFrame, dspt_edition: str) -> pd.DataFrame:
    """One export's status by sector as readers see it: a row per sector (largest first), a column per
    group of :data:`GROUPS` that occurs (the outcomes of ``dspt_edition``, *Another edition*,
    *Blank*), and the total. The counts add up to the export's rows."""
    g = status.assign(group=status_groups(status, dspt_edition))
    wide = g.pivot_table(index="sector", columns="group", values="n", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=[c for c in GROUPS if c in wide.columns]).reindex(list(totals["sector"]), fill_value=0)
    wide["Total"] = wide.sum(axis=1)
    wide.columns.name = None
    return wide.rename_axis("sector").reset_index()


def sector_alignment(exports: list[tuple[Edition, pd.DataFrame]]) -> pd.DataFrame:
    """Each sector of an export whose edition declares ``export_sector_aliases`` (an older sector
    vocabulary) beside the sector it is read as in each other full export: ``export_date,
    sector, organisations, later_export_date, later_sector, later_organisations`` (all
    organisations of that later sector), ``found_by_code`` (organisations of the sector whose code is
    in the later export) and ``in_later_sector`` (of those, how many the later export puts in
    ``later_sector``: how well the alignment holds)."""
    rows = []
    for ed, df in exports:
        if not ed.export_sector_aliases:
            continue
        for later_ed, later in exports:
            if later_ed is ed:
                continue
            later_sector_of = later.set_index("code")["export_sector"]
            later_sizes = later["export_sector"].value_counts()
            for sector, g in df.groupby("export_sector"):
                aligned = ed.export_sector_aliases.get(sector, "")
                there = g["code"].map(later_sector_of).dropna()
                rows.append(
                    {
                        "export_date": ed.snapshot.isoformat(),
                        "sector": sector,
                        "organisations": len(g),
                        "later_export_date": later_ed.snapshot.isoformat(),
                        "later_sector": aligned,
                        "later_organisations": int(later_sizes.get(aligned, 0)),
                        "found_by_code": len(there),
                        "in_later_sector": int((there == aligned).sum()),
                    }
                )
    cols = [
        "export_date",
        "sector",
        "organisations",
        "later_export_date",
        "later_sector",
        "later_organisations",
        "found_by_code",
        "in_later_sector",
    ]
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["export_date", "later_export_date", "later_sector", "sector"]).reset_index(drop=True)


def sector_totals(export: pd.DataFrame) -> pd.DataFrame:
    """``sector, organisations, with_area, latest_met_or_exceeded`` (latest status Met or Exceeded, of
    any edition), largest sector first."""
    met = export["outcome"].isin(MEETS)
    g = export.assign(with_area=export["commissioner"] != "", met=met).groupby("export_sector")
    out = pd.DataFrame(
        {"organisations": g.size(), "with_area": g["with_area"].sum(), "latest_met_or_exceeded": g["met"].sum()}
    )
    out = out.rename_axis("sector").reset_index()
    return out.sort_values(["organisations", "sector"], ascending=[False, True]).reset_index(drop=True)


def sub_icb_code(commissioner: str) -> str:
    """The sub-ICB location code at the end of an export's commissioner name ('' if none)."""
    m = _SUB_ICB_CODE.search(str(commissioner))
    return m.group(1).upper() if m else ""


def gp_by_area(
    export: pd.DataFrame, lookup: pd.DataFrame, sub_col: str, area_col: str, area_name_col: str, dspt_edition: str
) -> pd.DataFrame:
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


def gp_sector(ed: Edition) -> str:
    """The export's GP sector: ``General Practice (GP)``, or the older sector the edition's
    ``export_sector_aliases`` read as it (``GP`` in 2019)."""
    return next((s for s, a in ed.export_sector_aliases.items() if a == GP_SECTOR), GP_SECTOR)


def gp_by_commissioner(export: pd.DataFrame, ed: Edition) -> pd.DataFrame:
    """GP practices by the commissioner (CCG) the export names for them, for an export whose
    commissioner column holds names (2019: ``NHS SALFORD CCG``): ``commissioner_code, commissioner,
    practices, met_or_exceeded, other_status, share``. The code is that of the export's own
    commissioner row of the same name (ignoring case; '' when none or several); practices with no
    commissioner are one row ``(none)``. ``met_or_exceeded`` counts statuses of the edition."""
    gp = export[export["export_sector"] == gp_sector(ed)].copy()
    comm_sectors = [s for s, role in ed.export_sectors.items() if role == "commissioner"]
    own = export[export["export_sector"].isin(comm_sectors)]
    by_name = own.assign(key=own["name"].str.upper().str.split().str.join(" ")).groupby("key")["code"].agg(list)
    key = gp["commissioner"].str.upper().str.split().str.join(" ")
    gp["commissioner_code"] = key.map(lambda k: by_name[k][0] if k in by_name and len(by_name[k]) == 1 else "")
    gp["commissioner"] = gp["commissioner"].where(gp["commissioner"] != "", "(none)")
    gp["met"] = (gp["status_edition"] == ed.dspt_edition) & gp["outcome"].isin(MEETS)
    g = gp.groupby(["commissioner", "commissioner_code"])
    out = pd.DataFrame({"practices": g.size(), "met_or_exceeded": g["met"].sum()}).reset_index()
    out["other_status"] = out["practices"] - out["met_or_exceeded"]
    out["share"] = 100 * out["met_or_exceeded"] / out["practices"]
    out = out[["commissioner_code", "commissioner", "practices", "met_or_exceeded", "other_status", "share"]]
    return out.sort_values("commissioner", key=lambda c: c.map(lambda x: (x == "(none)", x))).reset_index(drop=True)


GP_COVERAGE_COLUMNS = [
    "export_date",
    "dspt_edition",
    "open_at",
    "open_practices",
    "in_export",
    "in_export_gp_sector",
    "published_edition",
    "met_or_exceeded",
    "export_gp_rows",
    "export_gp_rows_not_open",
]


def gp_coverage(export: pd.DataFrame, ed: Edition, practices: pd.DataFrame) -> pd.DataFrame:
    """The edition's open GP practices (``practices`` of ``read_gp_practices`` for ``ed.dspt_edition``)
    against the export, one row: ``open_practices`` (the denominator), ``in_export`` (their codes in
    the export, any sector), ``in_export_gp_sector``, ``published_edition`` (with a status of the
    edition, any outcome), ``met_or_exceeded``; and the export's ``export_gp_rows`` (its GP sector)
    of which ``export_gp_rows_not_open`` are not on the open list."""
    open_ = practices[practices["edition"] == ed.dspt_edition]
    codes = set(open_["code"])
    e = export.set_index("code")
    found = e[e.index.isin(codes)]
    own = found["status_edition"] == ed.dspt_edition
    gp_rows = export[export["export_sector"] == gp_sector(ed)]
    return pd.DataFrame(
        [
            {
                "export_date": ed.snapshot.isoformat(),
                "dspt_edition": ed.dspt_edition,
                "open_at": open_["open_at"].iloc[0] if len(open_) else "",
                "open_practices": len(codes),
                "in_export": len(found),
                "in_export_gp_sector": int((found["export_sector"] == gp_sector(ed)).sum()),
                "published_edition": int((own & (found["outcome"] != "Not Published")).sum()),
                "met_or_exceeded": int((own & found["outcome"].isin(MEETS)).sum()),
                "export_gp_rows": len(gp_rows),
                "export_gp_rows_not_open": int((~gp_rows["code"].isin(codes)).sum()),
            }
        ],
        columns=GP_COVERAGE_COLUMNS,
    )


def area_lookup_for(editions: list[Edition], data_dir: Path) -> tuple[Edition, pd.DataFrame] | None:
    """The sub-ICB -> ICB lookup of the newest ICB-era edition."""
    for ed in editions:
        if ed.era == "icb" and "area_lookup" in ed.inputs and ed.columns.get("sub_area_code"):
            path = ed.input_path("area_lookup", data_dir)
            if path.is_file():
                return ed, pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    return None


def write_outputs(
    exports: list[tuple[Edition, pd.DataFrame]], editions: list[Edition], data_dir: Path | None, out_dir: Path
) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    kw = dict(index=False, lineterminator="\n")
    status_frames, total_frames, gp_frames, gp_comm_frames, coverage_frames = [], [], [], [], []
    found = area_lookup_for(editions, data_dir) if data_dir is not None else None
    for ed, df in exports:
        if ed.export_sectors:  # the commissioner column holds CCG names: GP practices by CCG
            gp_comm_frames.append(
                gp_by_commissioner(df, ed).assign(export_date=ed.snapshot.isoformat(), dspt_edition=ed.dspt_edition)
            )
        paths = ed.input_paths("gp_practices", data_dir) if data_dir is not None else []
        if paths:
            from opencyber.inputs.lists import read_gp_practices

            coverage_frames.append(gp_coverage(df, ed, read_gp_practices(paths[0])))
        status_frames.append(
            status_by_sector(df).assign(export_date=ed.snapshot.isoformat(), dspt_edition=ed.dspt_edition)
        )
        total_frames.append(sector_totals(df).assign(export_date=ed.snapshot.isoformat()))
        if found is not None:
            lk_ed, lk = found
            c = lk_ed.columns
            if not (df["export_sector"] == GP_SECTOR).any():
                continue
            gp_frames.append(
                gp_by_area(df, lk, c["sub_area_code"], c["area_code"], c["area_name"], ed.dspt_edition).assign(
                    export_date=ed.snapshot.isoformat(), dspt_edition=ed.dspt_edition
                )
            )
    cols = {
        "sectors_status.csv": (
            status_frames,
            ["export_date", "dspt_edition", "sector", "status", "status_edition", "outcome", "n"],
        ),
        "sectors_gp_ccgs.csv": (
            gp_comm_frames,
            [
                "export_date",
                "dspt_edition",
                "commissioner_code",
                "commissioner",
                "practices",
                "met_or_exceeded",
                "other_status",
                "share",
            ],
        ),
        "sectors_gp_coverage.csv": (coverage_frames, GP_COVERAGE_COLUMNS),
        "sectors_alignment.csv": (
            [sector_alignment(exports)],
            [
                "export_date",
                "sector",
                "organisations",
                "later_export_date",
                "later_sector",
                "later_organisations",
                "found_by_code",
                "in_later_sector",
            ],
        ),
        "sectors_totals.csv": (
            total_frames,
            ["export_date", "sector", "organisations", "with_area", "latest_met_or_exceeded"],
        ),
        "sectors_gp_areas.csv": (
            gp_frames,
            [
                "export_date",
                "dspt_edition",
                "area_code",
                "area_name",
                "practices",
                "met_or_exceeded",
                "other_status",
                "share",
            ],
        ),
    }
    for ed, df in exports:  # each export's status by sector in wide form: the page's table and its download
        date = ed.snapshot.isoformat()
        wide = status_wide(status_by_sector(df), sector_totals(df), ed.dspt_edition)
        wide.to_csv(out_dir / f"sectors_status_wide_{date}.csv", **kw)
    out = {}
    for name, (frames, columns) in cols.items():
        df = pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
        # the shares as the page shows them (0.1 %); the counts beside them give the exact figure
        shown = df.assign(share=pd.to_numeric(df["share"]).round(1)) if "share" in df.columns else df
        shown.to_csv(out_dir / name, **kw)
        out[name] = df
    write_gp_map_areas(out["sectors_gp_areas.csv"], found[0] if found else None, data_dir, out_dir / GP_MAP_AREAS)
    return out


#: the ICBs of the GP-practices map (build/all-editions): their simplified boundaries and the figures
GP_MAP_AREAS = "sectors_gp_map.geojson"


def write_gp_map_areas(gp: pd.DataFrame, lookup_edition: Edition | None, data_dir: Path | None, path: Path) -> None:
    """The boundaries of the areas of the newest export's GP practices, from the area boundaries of
    the edition whose lookup placed them, with each area's figures, as GeoJSON (sorted by code,
    coordinates to 4 decimals). Removed when there is nothing to draw."""
    import json

    path.unlink(missing_ok=True)
    if gp.empty or lookup_edition is None or data_dir is None or "area_boundaries" not in lookup_edition.inputs:
        return
    import shapely

    from opencyber.analysis import boundaries
    from opencyber.errors import InputError
    from opencyber.inputs import geojson

    newest = gp[gp["export_date"] == gp["export_date"].max()]
    known = newest[newest["area_code"] != "(unknown)"].set_index("area_code")
    if known.empty:  # no practice the lookup places: the page has the table, and no map
        return
    source = lookup_edition.input_path("area_boundaries", data_dir)
    code_col = lookup_edition.columns["area_boundary_code"]
    polys = geojson.read_geojson(source, code_col)
    missing = sorted(set(known.index) - set(polys["code"]))
    if missing:
        raise InputError(
            source,
            f"no polygon for {len(missing)} area(s) of the GP practices map: {', '.join(missing)}",
            column=code_col,
            expected="one feature per area that has GP practices",
        )
    # simplified with every area of the file (neighbours keep their shared borders), then the areas with GP practices
    polys = boundaries.simplify(polys, 0.01).sort_values("code").reset_index(drop=True)
    polys = polys[polys["code"].isin(known.index)].reset_index(drop=True)

    features = []
    for code, geom in zip(polys["code"], polys.geometry.values):
        r = known.loc[code]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": code,
                    "name": r["area_name"],
                    "practices": int(r["practices"]),
                    "met_or_exceeded": int(r["met_or_exceeded"]),
                    "share": round(float(r["share"]), 1),
                    "dspt_edition": r["dspt_edition"],
                    "export_date": r["export_date"],
                },
                "geometry": shapely.geometry.mapping(geom),
            }
        )
    text = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")


def full_exports(editions: list[Edition], data_dir: Path | None) -> list[tuple[Edition, pd.DataFrame]]:
    """The editions whose export is a full one (sectors beyond the NHS ones), with that export."""
    from opencyber.inputs import dspt_export

    out: list = []
    if data_dir is None:
        return out
    for ed in editions:
        path = ed.input_path("export", data_dir)
        if not path.is_file():
            continue
        df = dspt_export.read_dspt_export(path, **ed.export_options)
        if df["export_sector"].nunique() >= FULL_EXPORT_MIN_SECTORS:
            out.append((ed, df))
    return out
