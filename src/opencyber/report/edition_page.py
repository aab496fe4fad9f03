"""What the edition page needs: the build outputs joined to boundaries and trust locations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from opencyber.analysis import boundaries
from opencyber.analysis.scoring import read_organisations
from opencyber.inputs import geojson
from opencyber.inputs.registry import TRUST_SECTOR, Edition
from opencyber.report import narrative


@dataclass
class ReportData:
    organisations: pd.DataFrame
    crosstab: pd.DataFrame
    area_scores: pd.DataFrame
    reconciliation: pd.DataFrame
    #: the maps' layers; None when the edition has no boundaries (Edition.has_maps)
    commissioners: gpd.GeoDataFrame | None  # code, name, status, geometry (simplified): the status map
    areas: gpd.GeoDataFrame | None  # code, name, composite, geometry (simplified): the composite map
    regions: gpd.GeoDataFrame | None
    trusts: pd.DataFrame  # code, name, status, lon, lat
    trusts_without_location: list[str]
    vertices_before: int
    vertices_after: int


def area_regions(orgs: pd.DataFrame) -> pd.Series:
    """Each area's NHS England region (area code -> region name), from the in-scope organisations."""
    return orgs[orgs["in_scope"]].drop_duplicates("area_code").set_index("area_code")["region_name"]


def load_report_data(edition: Edition, data_dir: Path, out_dir: Path, tolerance: float = 0.01) -> ReportData:
    out_dir = Path(out_dir)
    orgs = read_organisations(out_dir / "organisations.csv")
    crosstab = pd.read_csv(out_dir / "crosstab.csv", keep_default_na=False)
    scores = pd.read_csv(out_dir / "area_scores.csv", keep_default_na=False)
    recon = pd.read_csv(out_dir / "reconciliation.csv", keep_default_na=False)
    cols = edition.columns
    scoped = orgs[orgs["in_scope"]]
    comm = scoped[scoped["sector"] == edition.commissioner_sector].set_index("code")
    if not edition.has_maps:  # no boundaries of the edition's year: tables only (the page says so)
        return ReportData(
            orgs, crosstab, scores, recon, None, None, None, pd.DataFrame(columns=["code", "lon", "lat"]), [], 0, 0
        )

    area_polys, before, after = boundaries.simplified_polygons(
        edition,
        data_dir,
        "area_boundaries",
        cols["area_boundary_code"],
        set(scores["area_code"]),
        tolerance,
        edition.area_label,
    )
    sc = scores.set_index("area_code")
    region_of = area_regions(orgs)
    areas = gpd.GeoDataFrame(
        {
            "code": area_polys["code"],
            "name": area_polys["code"].map(sc["area_name"]),
            "region": area_polys["code"].map(region_of).fillna(""),
            "composite": area_polys["code"].map(sc["composite"]).astype(float),
            "own_score": area_polys["code"].map(sc["own_score"]).astype(float),
            "trust_mean": area_polys["code"].map(sc["trust_mean"]).astype(float),
            "n_trusts": area_polys["code"].map(sc["n_trusts"]).fillna(0).astype(int),
        },
        geometry=area_polys.geometry.values,
        crs="EPSG:4326",
    )
    if edition.era == "icb":
        comm_polys = area_polys
    else:
        comm_polys, b2, a2 = boundaries.simplified_polygons(
            edition,
            data_dir,
            "commissioner_boundaries",
            cols["commissioner_boundary_code"],
            set(comm.index),
            tolerance,
            edition.commissioner_label,
        )
        before, after = before + b2, after + a2
    commissioners = gpd.GeoDataFrame(
        {
            "code": comm_polys["code"],
            "name": comm_polys["code"].map(comm["name"]),
            "status": comm_polys["code"].map(comm["status"]),
            "region": comm_polys["code"].map(comm["region_name"]).fillna(""),
        },
        geometry=comm_polys.geometry.values,
        crs="EPSG:4326",
    )

    rpath = edition.input_path("region_boundaries", data_dir)
    regions = geojson.read_geojson(rpath, cols["region_boundary_code"])
    regions = boundaries.simplify(regions, tolerance).sort_values("code").reset_index(drop=True)

    trusts = scoped[scoped["sector"] == TRUST_SECTOR][["code", "name", "status", "region_name"]].rename(
        columns={"region_name": "region"}
    )
    located = pd.DataFrame(columns=["code", "lon", "lat"])
    if edition.inputs.get("trust_points"):
        pts = geojson.read_geojson(edition.input_path("trust_points", data_dir), "code", kind="point")
        pts = pts.drop_duplicates("code")
        located = pd.DataFrame({"code": pts["code"], "lon": pts.geometry.x, "lat": pts.geometry.y})
    trusts = trusts.merge(located, on="code", how="left").sort_values("code").reset_index(drop=True)
    unlocated = sorted(trusts.loc[trusts["lon"].isna(), "code"])
    trusts = trusts.dropna(subset=["lon", "lat"])
    return ReportData(orgs, crosstab, scores, recon, commissioners, areas, regions, trusts, unlocated, before, after)


def previous_edition(edition: Edition, data_dir: Path):
    """(previous edition, its curated organisations), or None: see :func:`opencyber.analysis.trends.previous_edition`."""
    from opencyber.analysis.trends import previous_edition as previous

    return previous(edition, data_dir)


def comparison(out_dir: Path):
    """See :func:`opencyber.analysis.trends.edition_comparison`."""
    from opencyber.analysis.trends import edition_comparison

    return edition_comparison(out_dir)


def title(edition: Edition) -> str:
    """Markdown: the page's one H1, naming the edition."""
    return f"# NHS cyber security: DSPT statuses, {edition.label}"


def previous_comparison(edition: Edition, data_dir: Path, out_dir: Path):
    """See :func:`opencyber.analysis.trends.previous_comparison`."""
    from opencyber.analysis.trends import previous_comparison as previous

    return previous(edition, data_dir, out_dir)


def headline(edition: Edition, rd: ReportData, data_dir: Path, out_dir: Path) -> str:
    """HTML: the headline figure of the first screen (share of NHS trusts that met the standard and
    its change on a comparable basis), from the crosstab and the edition's trusts_followed.csv."""
    previous = previous_comparison(edition, data_dir, out_dir)
    if previous is None:
        return narrative.headline_html(edition, rd.crosstab, None)
    return narrative.headline_html(edition, rd.crosstab, previous[1], previous[0].label)


def key_points(edition: Edition, rd: ReportData, data_dir: Path, out_dir: Path) -> str:
    """Markdown: the key points of the edition (see :mod:`opencyber.report.narrative`), the change since the
    previous edition from the edition's trusts_followed.csv (the figures every page shows)."""
    return narrative.key_points(edition, rd.crosstab, rd.area_scores, previous_comparison(edition, data_dir, out_dir))


def introduction(edition: Edition, rd: ReportData) -> str:
    """Markdown: what the page shows, how far editions compare, and where it differs from the
    original. The links to the previous and the next edition are added when the site is rendered
    (adding an edition re-executes no other)."""
    from opencyber.report.publication import long_date

    n = int(rd.crosstab["n"].sum())
    lines = [
        f"DSPT statuses of **{n:,}** NHS organisations (NHS trusts, {edition.commissioner_label}s and commissioning "
        f"support units) as published on the Data Security and Protection Toolkit on "
        f"**{long_date(edition.snapshot)}** (the snapshot date), scored"
        + (" and mapped" if edition.has_maps else " (no maps: the data hold no boundaries of that year)")
        + ".",
        "",
        narrative.comparability(edition),
        "",
        narrative.about_sentence()
        + " Where its figures differ from the original publication, the methodology lists them, with the reason: "
        "[differences from the original publication](methodology.html#differences).",
    ]
    return "\n".join(lines)


def sector_status_table(rd: ReportData) -> pd.DataFrame:
    """Organisations by sector and status, counts and shares together, sectors by their names in the
    DSPT's vocabulary (the same words in every table and download)."""
    from opencyber.analysis.scoring import crosstab_shares

    t = crosstab_shares(rd.crosstab)
    return t.rename(columns={"n": "Number", "share": "% of sector"})


def _status_share_bars() -> list[tuple[str, str, str]]:
    from opencyber.report.charts import STATUS_COLOURS, status_slug
    from opencyber.status import STATUSES

    return [(f"{s} (%)", STATUS_COLOURS[s], status_slug(s)) for s in STATUSES]


#: the share columns of :func:`trust_status_by_area`, drawn as a bar per area (tables.show_table's ``bars``)
STATUS_SHARE_BARS = _status_share_bars()


def area_table(edition: Edition, rd: ReportData) -> pd.DataFrame:
    """One row per area: the map's information as a table (the alternative to both maps)."""
    orgs = rd.organisations
    t = rd.area_scores.copy()
    if edition.era == "icb":
        own = orgs[orgs["in_scope"] & (orgs["sector"] == edition.commissioner_sector)].set_index("code")["status"]
        t.insert(2, "status", t["area_code"].map(own))
    region = area_regions(orgs)
    t.insert(2, "region", t["area_code"].map(region))
    return t.rename(
        columns={
            "area_code": "code",
            "area_name": "name",
            "own_score": "own score",
            "trust_mean": "mean trust score",
            "n_trusts": "trusts",
            "n_commissioners": f"{edition.commissioner_label}s",
        }
    )


def caveats(edition: Edition, out_dir: Path, rd: ReportData) -> str:
    """Markdown: overrides with their effect, and what the page could not show."""
    lines = [f"- {c}" for c in edition.caveats]
    path = Path(out_dir) / "overrides.csv"
    if path.exists():
        ov = pd.read_csv(path, keep_default_na=False)
        for o in ov.itertuples():
            lines.append(f"- {narrative.override_line(o)}")
    if rd.trusts_without_location:
        lines.append(
            f"- {len(rd.trusts_without_location)} trusts in scope have no location and are not on the map: "
            + ", ".join(rd.trusts_without_location)
            + "."
        )
    if edition.has_maps:
        lines.append(
            f"- Boundaries are generalised and simplified for display ({rd.vertices_before:,} vertices reduced to "
            f"{rd.vertices_after:,}, neighbours keep shared borders). Source: Office for National Statistics "
            "licensed under the Open Government Licence v.3.0; contains OS data © Crown copyright and database right."
        )
    return "\n".join(lines)


def trust_status_counts(rd: ReportData) -> pd.DataFrame:
    """In-scope trusts per area (rows, every area) and status (columns, every status)."""
    from opencyber.status import STATUSES

    orgs = rd.organisations
    trusts = orgs[orgs["in_scope"] & (orgs["sector"] == TRUST_SECTOR)]
    counts = trusts.groupby(["area_code", "status"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=list(STATUSES), fill_value=0).reindex(rd.area_scores["area_code"], fill_value=0)
    counts.columns.name = None
    return counts


def trust_status_by_area(edition: Edition, rd: ReportData) -> pd.DataFrame:
    """One row per area: its number of in-scope trusts and the share (%) of them in each status."""
    counts = trust_status_counts(rd)
    n = counts.sum(axis=1)
    share = counts.div(n.where(n > 0), axis=0) * 100
    share.columns = [f"{s} (%)" for s in counts.columns]
    names = rd.area_scores.set_index("area_code")["area_name"]
    out = pd.concat([names.rename("name"), n.rename("trusts"), share], axis=1)
    out.index.name = "code"
    return out.reset_index()


def commissioner_table(edition: Edition, rd: ReportData) -> pd.DataFrame:
    """The status map's areas as a table: one row per commissioner (ICB, or CCG) with its status."""
    orgs = rd.organisations
    c = orgs[orgs["in_scope"] & (orgs["sector"] == edition.commissioner_sector)]
    cols = ["code", "name", "status", "score"] + ([] if edition.era == "icb" else ["area_code", "area_name"])
    return (
        c[cols]
        .sort_values("code")
        .rename(columns={"area_code": f"{edition.area_label} code", "area_name": edition.area_label})
    )


def trust_table(edition: Edition, rd: ReportData) -> pd.DataFrame:
    """The status map's trust markers as a table: one row per in-scope trust."""
    orgs = rd.organisations
    t = orgs[orgs["in_scope"] & (orgs["sector"] == TRUST_SECTOR)]
    return (
        t[["code", "name", "status", "score", "area_code", "area_name"]]
        .sort_values("code")
        .rename(columns={"area_code": f"{edition.area_label} code", "area_name": edition.area_label})
    )
