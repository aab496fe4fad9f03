"""Trends across editions: each sector's share in each status by edition, NHS trusts followed from one
edition to the next (by code, and through mergers via ODS successors), and area composites where
the areas of two editions are comparable. Rules only: tables; the words are in :mod:`opencyber.pages`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .registry import TRUST_SECTOR, Edition
from .status import MEETS, STATUSES


def sector_anchor(sector: str) -> str:
    """The id of a sector's section on the trends page (``trend-nhs-trust``): edition pages link to it."""
    import re

    return "trend-" + re.sub(r"[^a-z0-9]+", "-", sector.lower()).strip("-")


def status_shares(editions: list[Edition], build_dir: Path) -> pd.DataFrame:
    """``edition, label, sector, status, n, total, share`` from every edition's crosstab (share in %)."""
    frames = []
    for ed in reversed(editions):  # oldest first
        ct = pd.read_csv(Path(build_dir) / ed.id / "crosstab.csv", keep_default_na=False)
        ct["total"] = ct.groupby("sector")["n"].transform("sum")
        ct["share"] = (100 * ct["n"] / ct["total"]).where(ct["total"] > 0, 0.0)
        ct.insert(0, "label", ed.label)
        ct.insert(0, "edition", ed.id)
        order = {s: i for i, s in enumerate(STATUSES)}
        ct = ct.sort_values(["sector", "status"], key=lambda c: c.map(order) if c.name == "status" else c, kind="stable")
        frames.append(ct)
    cols = ["edition", "label", "sector", "status", "n", "total", "share"]
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


def _scored(build_dir: Path, ed: Edition, sector: str) -> pd.DataFrame:
    orgs = pd.read_csv(Path(build_dir) / ed.id / "organisations.csv", dtype=str, keep_default_na=False)
    s = orgs[(orgs["in_scope"] == "True") & (orgs["sector"] == sector)].copy()
    s["score"] = s["score"].astype(int)
    return s.set_index("code")


def follow(before: pd.DataFrame, now: pd.DataFrame, successors: dict[str, set]) -> pd.DataFrame:
    """Each organisation of ``before`` matched in ``now``: by its code, else by its ODS successor(s)
    in ``now`` (several successors: the mean of their scores, and the change is judged on that
    mean). ``change`` is improved / declined / same by score, or ``not followed`` when neither the
    code nor a successor is in ``now``: improved + declined + same = the organisations compared."""
    rows = []
    # plain dictionaries: a row-by-row pandas lookup made this the slowest step of the key points
    now_status = dict(zip(now.index, now["status"]))
    now_score = dict(zip(now.index, now["score"].astype(float)))
    before = before.sort_index()
    for code, name, status, score in zip(before.index, before["name"], before["status"], before["score"]):
        if code in now_status:
            matched, via = [code], "code"
        else:
            matched = sorted(c for c, _ in successors.get(code, ()) if c in now_status)
            via = "ODS successor" if matched else ""
        rec = {"code": code, "name": name, "status_before": status, "score_before": int(score),
               "matched_code": " ".join(matched), "matched_by": via}
        if matched:
            score_now = float(np.mean([now_score[c] for c in matched]))  # as pandas' mean: numpy's
            rec.update(status_now="; ".join(now_status[c] for c in matched), score_now=score_now)
            rec["change"] = "improved" if score_now > score else "declined" if score_now < score else "same"
        else:
            rec.update(status_now="", score_now=None, change="not followed")
        rows.append(rec)
    return pd.DataFrame(rows, columns=["code", "name", "status_before", "score_before", "matched_code", "matched_by",
                                       "status_now", "score_now", "change"])


@dataclass(frozen=True)
class Transitions:
    """Organisations of one sector followed from one edition to the next (:func:`follow`), and how
    their score moved: improved + declined + same = compared."""

    sector: str
    compared: int
    improved: int
    declined: int
    same: int
    met_before: int
    met_now: int


def transitions(
    previous: pd.DataFrame, current: pd.DataFrame, sector: str = TRUST_SECTOR, successors: dict[str, set] | None = None
) -> Transitions:
    """Follow the in-scope organisations of ``sector`` from ``previous`` to ``current`` (two editions'
    organisations tables): by code, else by ODS successor where ``successors`` are given."""

    def scoped(orgs: pd.DataFrame) -> pd.DataFrame:
        s = orgs[orgs["in_scope"] & (orgs["sector"] == sector)]
        return s.set_index("code").reindex(columns=["name", "status", "score"])

    f = follow(scoped(previous), scoped(current), successors or {})
    compared = f[f["change"] != "not followed"]
    return Transitions(
        sector,
        len(compared),
        int((compared["change"] == "improved").sum()),
        int((compared["change"] == "declined").sum()),
        int((compared["change"] == "same").sum()),
        int(compared["status_before"].isin(MEETS).sum()),
        int(compared["status_now"].isin(MEETS).sum()),
    )


def trust_changes(editions: list[Edition], build_dir: Path, successors: dict[str, set]) -> pd.DataFrame:
    """NHS trusts followed between each pair of consecutive editions (older -> newer)."""
    frames = []
    old_first = list(reversed(editions))
    for prev, ed in zip(old_first, old_first[1:]):
        f = follow(_scored(build_dir, prev, TRUST_SECTOR), _scored(build_dir, ed, TRUST_SECTOR), successors)
        f.insert(0, "edition", ed.id)
        f.insert(0, "previous_edition", prev.id)
        frames.append(f)
    cols = ["previous_edition", "edition", "code", "name", "status_before", "score_before", "matched_code",
            "matched_by", "status_now", "score_now", "change"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)


def change_counts(changes: pd.DataFrame) -> pd.DataFrame:
    """``previous_edition, edition, compared, improved, declined, same, not_followed`` (compared =
    improved + declined + same)."""
    rows = []
    for (prev, ed), g in changes.groupby(["previous_edition", "edition"], sort=False):
        c = g["change"].value_counts()
        counts = {k: int(c.get(k, 0)) for k in ("improved", "declined", "same", "not followed")}
        rows.append({"previous_edition": prev, "edition": ed, "compared": counts["improved"] + counts["declined"] + counts["same"],
                     "improved": counts["improved"], "declined": counts["declined"], "same": counts["same"],
                     "not_followed": counts["not followed"], "by_successor": int((g["matched_by"] == "ODS successor").sum())})
    return pd.DataFrame(rows)


def area_composites(editions: list[Edition], build_dir: Path) -> pd.DataFrame:
    """``area_code, area_name, era, <edition>...`` composites, one column per edition (oldest first),
    areas of one geography model (era) on the same rows; ``change`` between the last two editions of
    an era where both have the area."""
    rows: dict[tuple[str, str], dict] = {}
    for ed in reversed(editions):
        a = pd.read_csv(Path(build_dir) / ed.id / "area_scores.csv", dtype={"area_code": str}, keep_default_na=False)
        for r in a.itertuples():
            rec = rows.setdefault((ed.era, r.area_code), {"era": ed.era, "area_code": r.area_code})
            rec["area_name"] = r.area_name
            rec[ed.id] = float(r.composite)
    df = pd.DataFrame(list(rows.values()))
    if df.empty:
        return df
    ids = [e.id for e in reversed(editions) if e.has_areas]
    df = df.reindex(columns=["era", "area_code", "area_name", *ids])
    df["change"] = None
    for era in df["era"].unique():
        era_ids = [e.id for e in reversed(editions) if e.era == era and e.has_areas]
        if len(era_ids) >= 2:
            m = df["era"] == era
            df.loc[m, "change"] = df.loc[m, era_ids[-1]] - df.loc[m, era_ids[-2]]
    return df.sort_values(["era", "area_code"]).reset_index(drop=True)


def write_outputs(editions: list[Edition], build_dir: Path, successors: dict[str, set], out_dir: Path) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    shares = status_shares(editions, build_dir)
    changes = trust_changes(editions, build_dir, successors)
    counts = change_counts(changes) if not changes.empty else pd.DataFrame()
    areas = area_composites(editions, build_dir)
    kw = dict(index=False, lineterminator="\n")
    shares.to_csv(out_dir / "trends_status_share.csv", float_format="%.6f", **kw)
    changes.to_csv(out_dir / "trends_trusts.csv", **kw)
    areas.to_csv(out_dir / "trends_areas.csv", **kw)
    return {"shares": shares, "changes": changes, "counts": counts, "areas": areas}
