"""Scoring: the sector x status crosstab and the composite area scores.

Scores per status are in :mod:`opencyber.status`. ICB era: area score = 0.5 x the ICB's own score +
0.5 x the simple mean of the scores of the in-scope trusts whose ODS High Level Health Geography is
that ICB (DESIGN.md).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from opencyber.inputs.registry import TRUST_SECTOR
from opencyber.status import STATUSES

AREA_SCORE_COLUMNS = [
    "area_code",
    "area_name",
    "own_score",
    "trust_mean",
    "n_trusts",
    "composite",
    "n_commissioners",
    "weighting",
    "trust_weighting",
]


def read_organisations(path: Path) -> pd.DataFrame:
    """Read a written organisations.csv back with its dtypes."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["in_scope"] = df["in_scope"].map({"True": True, "False": False})
    df["score"] = pd.to_numeric(df["score"].replace("", None)).astype("Int64")
    return df


def read_areas(path: Path) -> pd.DataFrame:
    """Read the curation's areas.csv (each area and region with their names) back as text."""
    return pd.read_csv(path, keep_default_na=False)


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


def crosstab_shares(long: pd.DataFrame) -> pd.DataFrame:
    """The long crosstab with each count's share of its sector (%): counts and shares together."""
    out = long.copy()
    out["share"] = 100 * out["n"] / out.groupby("sector")["n"].transform("sum")
    return out[["sector", "status", "n", "share"]]


def row_percentages(wide: pd.DataFrame) -> pd.DataFrame:
    """Each status as a percentage of its sector's total (the Total column stays 100)."""
    return wide.div(wide["Total"], axis=0) * 100


def load_weights(edition, data_dir: Path, kind: str = "population") -> pd.Series | None:
    """The edition's optional weights input ``kind`` (``population`` for commissioners,
    ``trust_weights`` for trusts) as a Series by code, or None when the edition has none."""
    from opencyber.inputs.lists import read_weights

    paths = edition.input_paths(kind, data_dir)
    return read_weights(paths[0], kind) if paths else None


def edition_area_scores(organisations: pd.DataFrame, areas: pd.DataFrame, edition, data_dir: Path) -> pd.DataFrame:
    """:func:`area_scores` with the edition's commissioner sector and its optional weights files."""
    return area_scores(
        organisations,
        areas,
        edition.commissioner_sector,
        load_weights(edition, data_dir, "population"),
        trust_weights=load_weights(edition, data_dir, "trust_weights"),
    )


def _weighted_mean(frame: pd.DataFrame, weights: pd.Series | None, what: str) -> tuple[pd.Series, pd.Series]:
    """Per area_code: the mean score of ``frame``'s organisations weighted by ``weights`` (by code,
    equal when None), and their number."""
    frame = frame[["code", "area_code", "score"]].copy()
    if weights is not None:
        missing = sorted(set(frame["code"]) - set(weights.index))
        if missing:
            raise ValueError(f"the {what} file has no value for {len(missing)} organisation(s): {', '.join(missing)}")
        frame["w"] = frame["code"].map(weights).astype(float)
    else:
        frame["w"] = 1.0
    frame["ws"] = frame["w"] * frame["score"].astype(float)
    g = frame.groupby("area_code")
    return g["ws"].sum() / g["w"].sum(), g.size()


def area_scores(
    organisations: pd.DataFrame,
    areas: pd.DataFrame,
    commissioner_sector: str,
    weights: pd.Series | None = None,
    *,
    trust_weights: pd.Series | None = None,
) -> pd.DataFrame:
    """One row per area: own score, mean trust score, number of trusts, composite (full precision).

    ``own_score`` is the mean score of the area's in-scope commissioners (sector
    ``commissioner_sector``), weighted by ``weights`` (population by commissioner code) when given,
    else equally. In the ICB era each ICB is its own area's only commissioner, so ``own_score`` is
    the ICB's score. An area with no in-scope trust has no trust mean; its composite is then its
    own score, and ``n_trusts`` = 0 says so. ``weighting`` says which weights were used.
    ``trust_weights`` (e.g. EPRR risk tier by trust code) weight the trust mean (the original's 20/21
    variant); ``trust_weighting`` says whether they were used.
    """
    scoped = organisations[organisations["in_scope"]]
    own, n_comm = _weighted_mean(scoped[scoped["sector"] == commissioner_sector], weights, "population")
    trust_mean, n_trusts = _weighted_mean(scoped[scoped["sector"] == TRUST_SECTOR], trust_weights, "trust weights")
    out = areas[["area_code", "area_name"]].copy()
    out["own_score"] = out["area_code"].map(own).astype(float)
    out["trust_mean"] = out["area_code"].map(trust_mean)
    out["n_trusts"] = out["area_code"].map(n_trusts).fillna(0).astype(int)
    half = 0.5 * out["own_score"] + 0.5 * out["trust_mean"]
    out["composite"] = half.where(out["n_trusts"] > 0, out["own_score"])
    out["n_commissioners"] = out["area_code"].map(n_comm).fillna(0).astype(int)
    single = (out["n_commissioners"] <= 1).all()
    out["weighting"] = "own score" if single else ("population" if weights is not None else "equal")
    out["trust_weighting"] = "weights file" if trust_weights is not None else "equal"
    missing = out[out["own_score"].isna()]
    if not missing.empty:
        raise ValueError(f"areas without an in-scope {commissioner_sector}: {list(missing['area_code'])}")
    return out.sort_values("area_code").reset_index(drop=True)[AREA_SCORE_COLUMNS]


def write_scores(out_dir: Path, crosstab_long: pd.DataFrame, scores: pd.DataFrame) -> None:
    out_dir = Path(out_dir)
    crosstab_long.to_csv(out_dir / "crosstab.csv", index=False, lineterminator="\n")
    scores.to_csv(out_dir / "area_scores.csv", index=False, lineterminator="\n")
