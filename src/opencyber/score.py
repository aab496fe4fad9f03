"""Scoring: the sector x status crosstab and the composite area scores.

Scores per status are in :mod:`opencyber.status`. ICB era: area score = 0.5 x the ICB's own score +
0.5 x the simple mean of the scores of the in-scope trusts whose ODS High Level Health Geography is
that ICB (DESIGN.md).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .status import STATUSES

AREA_SCORE_COLUMNS = ["area_code", "area_name", "own_score", "trust_mean", "n_trusts", "composite"]


def read_organisations(path: Path) -> pd.DataFrame:
    """Read a written organisations.csv back with its dtypes."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["in_scope"] = df["in_scope"].map({"True": True, "False": False})
    df["score"] = pd.to_numeric(df["score"].replace("", None)).astype("Int64")
    return df


def crosstab(organisations: pd.DataFrame) -> pd.DataFrame:
    """Long form ``sector, status, n`` of the in-scope organisations, every sector x status incl. zeros."""
    scoped = organisations[organisations["in_scope"]]
    sectors = sorted(scoped["sector"].unique())
    index = pd.MultiIndex.from_product([sectors, STATUSES], names=["sector", "status"])
    counts = scoped.groupby(["sector", "status"]).size().reindex(index, fill_value=0)
    return counts.rename("n").reset_index()


def crosstab_wide(long: pd.DataFrame) -> pd.DataFrame:
    """The crosstab as readers see it: sectors as rows, statuses as columns, with totals."""
    wide = long.pivot(index="sector", columns="status", values="n").reindex(columns=list(STATUSES))
    wide["Total"] = wide.sum(axis=1)
    wide.loc["Total"] = wide.sum(axis=0)
    wide.columns.name = None
    wide.index.name = "Sector"
    return wide


def row_percentages(wide: pd.DataFrame) -> pd.DataFrame:
    """Each status as a percentage of its sector's total (the Total column stays 100)."""
    return wide.div(wide["Total"], axis=0) * 100


def area_scores(organisations: pd.DataFrame, areas: pd.DataFrame, area_sector: str) -> pd.DataFrame:
    """One row per area: own score, mean trust score, number of trusts, composite (full precision).

    An area with no in-scope trust has no trust mean; its composite is then its own score, and
    ``n_trusts`` = 0 says so.
    """
    scoped = organisations[organisations["in_scope"]]
    own = scoped[scoped["sector"] == area_sector].set_index("code")["score"]
    trusts = scoped[scoped["sector"] == "NHS Trust"]
    by_area = trusts.groupby("area_code")["score"]
    out = areas[["area_code", "area_name"]].copy()
    out["own_score"] = out["area_code"].map(own).astype(float)
    out["trust_mean"] = out["area_code"].map(by_area.mean().astype(float))
    out["n_trusts"] = out["area_code"].map(by_area.size()).fillna(0).astype(int)
    half = 0.5 * out["own_score"] + 0.5 * out["trust_mean"]
    out["composite"] = half.where(out["n_trusts"] > 0, out["own_score"])
    missing = out[out["own_score"].isna()]
    if not missing.empty:
        raise ValueError(f"areas without an own score (not in scope as {area_sector}): {list(missing['area_code'])}")
    return out.sort_values("area_code").reset_index(drop=True)[AREA_SCORE_COLUMNS]


def write_scores(out_dir: Path, crosstab_long: pd.DataFrame, scores: pd.DataFrame) -> None:
    out_dir = Path(out_dir)
    crosstab_long.to_csv(out_dir / "crosstab.csv", index=False, lineterminator="\n")
    scores.to_csv(out_dir / "area_scores.csv", index=False, lineterminator="\n")


def worked_example(organisations: pd.DataFrame, scores: pd.DataFrame, edition) -> str:
    """Markdown: the composite of the first area, computed in words, from the data."""
    if scores.empty:
        return "No areas."
    a = scores.iloc[0]
    trusts = organisations[
        organisations["in_scope"] & (organisations["sector"] == "NHS Trust") & (organisations["area_code"] == a.area_code)
    ]
    own = organisations[(organisations["code"] == a.area_code) & organisations["in_scope"]].iloc[0]
    listing = ", ".join(f"{t.code} {t.status} ({int(t.score):+d})" for t in trusts.itertuples())
    return (
        f"**Worked example, {a.area_name} ({a.area_code}).** Its own status is *{own.status}*, "
        f"score {int(own.score):+d}. Its {int(a.n_trusts)} trusts: {listing}; mean {a.trust_mean:.2f}. "
        f"Composite = 0.5 × {int(own.score):+d} + 0.5 × {a.trust_mean:.2f} = **{a.composite:.2f}**."
    )
