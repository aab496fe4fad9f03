"""Trends across editions: each sector's share in each status by edition, NHS trusts followed from one
edition to the next (by code, and through mergers via ODS successors), and area composites where
the areas of two editions are comparable. Rules only: tables; the words are in :mod:`opencyber.report.pages`.

The change since the previous edition has one definition (:func:`followed_trusts`, counted by
:func:`comparison`): each edition's scoring notebook writes it (``trusts_followed.csv``), and the
edition's key points, the home page, the trends page and ``trends_trusts.csv`` all read that file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from opencyber.inputs.registry import TRUST_SECTOR, Edition
from opencyber.status import MEETS, STATUSES


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
        ct = ct.sort_values(
            ["sector", "status"], key=lambda c: c.map(order) if c.name == "status" else c, kind="stable"
        )
        frames.append(ct)
    cols = ["edition", "label", "sector", "status", "n", "total", "share"]
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


def share_met(shares: pd.DataFrame) -> pd.DataFrame:
    """``edition, label, sector, met_or_exceeded, total, share``: the share (%) of each sector's
    in-scope organisations that met or exceeded the standard, in each edition (each edition's own
    organisations), from :func:`status_shares`; editions oldest first."""
    cols = ["edition", "label", "sector", "met_or_exceeded", "total", "share"]
    if shares.empty:
        return pd.DataFrame(columns=cols)
    met = shares[shares["status"].isin(MEETS)].groupby(["edition", "label", "sector"], sort=False)["n"].sum()
    total = shares.groupby(["edition", "label", "sector"], sort=False)["total"].first()
    out = pd.DataFrame({"met_or_exceeded": met.reindex(total.index, fill_value=0), "total": total}).reset_index()
    out["share"] = (100 * out["met_or_exceeded"] / out["total"]).where(out["total"] > 0)
    return out[cols]


#: the columns of ``trusts_followed.csv`` (an edition's output) and ``trends_trusts.csv`` (all of them)
FOLLOWED_COLUMNS = [
    "previous_edition",
    "edition",
    "code",
    "name",
    "status_before",
    "score_before",
    "met_before",
    "matched_code",
    "matched_by",
    "status_now",
    "score_now",
    "met_now",
    "change",
]


def follow(before: pd.DataFrame, now: pd.DataFrame, successors: dict[str, set]) -> pd.DataFrame:
    """Each organisation of ``before`` matched in ``now``: by its code, else by its ODS successor(s)
    in ``now`` (several successors: the mean of their scores, and the change is judged on that
    mean). ``change`` is improved / declined / same by score, or ``not followed`` when neither the
    code nor a successor is in ``now``: improved + declined + same = the organisations compared.
    ``met_before`` / ``met_now``: Standards Met or Exceeded then and now (now: every matched
    organisation met or exceeded it)."""
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
        rec = {
            "code": code,
            "name": name,
            "status_before": status,
            "score_before": int(score),
            "met_before": status in MEETS,
            "matched_code": " ".join(matched),
            "matched_by": via,
        }
        if matched:
            score_now = float(np.mean([now_score[c] for c in matched]))  # as pandas' mean: numpy's
            rec.update(
                status_now="; ".join(now_status[c] for c in matched),
                score_now=score_now,
                met_now=all(now_status[c] in MEETS for c in matched),
            )
            rec["change"] = "improved" if score_now > score else "declined" if score_now < score else "same"
        else:
            rec.update(status_now="", score_now=None, met_now=None, change="not followed")
        rows.append(rec)
    return pd.DataFrame(rows, columns=FOLLOWED_COLUMNS[2:])


@dataclass(frozen=True)
class Comparison:
    """NHS trusts of one edition followed into the next (:func:`follow`): the one definition of "the
    change since the previous edition" that every page and CSV uses. The base: the in-scope trusts
    of the earlier edition (``total``), of which ``compared`` were followed into the later one, by
    their code or through a merger to their successor(s) (``by_successor`` of them);
    improved + declined + same = compared; ``met_before`` and ``met_now`` count the compared trusts
    that met or exceeded the standard in each edition."""

    previous: str
    edition: str
    total: int
    compared: int
    improved: int
    declined: int
    same: int
    not_followed: int
    by_successor: int
    met_before: int
    met_now: int

    @property
    def share_before(self) -> float:
        return 100 * self.met_before / self.compared if self.compared else float("nan")

    @property
    def share_now(self) -> float:
        return 100 * self.met_now / self.compared if self.compared else float("nan")

    @property
    def change_points(self) -> float:
        """The change of the share that met the standard, in percentage points, each share rounded
        to one decimal first, so that the figures a page shows add up."""
        return round(round(self.share_now, 1) - round(self.share_before, 1), 1)


def comparison(followed: pd.DataFrame) -> Comparison:
    """The counts of one pair of editions' followed trusts (a ``trusts_followed.csv``)."""
    f = followed
    compared = f[f["change"] != "not followed"]
    truth = lambda col: compared[col].astype(str).isin(["True", "true", "1"])  # noqa: E731 (read back from CSV too)
    return Comparison(
        str(f["previous_edition"].iloc[0]) if len(f) else "",
        str(f["edition"].iloc[0]) if len(f) else "",
        len(f),
        len(compared),
        int((compared["change"] == "improved").sum()),
        int((compared["change"] == "declined").sum()),
        int((compared["change"] == "same").sum()),
        int((f["change"] == "not followed").sum()),
        int((compared["matched_by"] == "ODS successor").sum()),
        int(truth("met_before").sum()),
        int(truth("met_now").sum()),
    )


def previous_edition(edition: Edition, data_dir: Path):
    """(previous edition, its curated organisations) for the change since then, or None when the
    registry names no previous edition or its inputs are not in the data directory. Curated again
    from its inputs (from the build's cache), so that a page never depends on what else was built."""
    from opencyber.analysis.curation import curate_edition
    from opencyber.inputs.registry import load_registry

    prev = load_registry(data_dir=data_dir).get(edition.previous or "")
    if prev is None or prev.missing_inputs(data_dir):
        return None
    return prev, curate_edition(prev, data_dir).organisations


def followed_trusts(edition: Edition, data_dir: Path, organisations: pd.DataFrame) -> pd.DataFrame:
    """The in-scope NHS trusts of the registry's previous edition followed into ``edition`` (whose
    curated ``organisations`` are given), by code, else through the ODS successors that the two
    editions' inputs name: the rows of ``trusts_followed.csv`` (empty, with its columns, when the
    edition has no previous edition)."""
    from opencyber.analysis.successors import successor_links

    prev = previous_edition(edition, data_dir)
    if prev is None:
        return pd.DataFrame(columns=FOLLOWED_COLUMNS)
    prev_ed, prev_orgs = prev
    links = successor_links([edition, prev_ed], data_dir)["successors"]

    def scoped(orgs: pd.DataFrame) -> pd.DataFrame:
        s = orgs[orgs["in_scope"].astype(str).isin(["True", "true"]) & (orgs["sector"] == TRUST_SECTOR)].copy()
        s["score"] = s["score"].astype(int)
        return s.set_index("code").reindex(columns=["name", "status", "score"])

    f = follow(scoped(prev_orgs), scoped(organisations), links)
    f.insert(0, "edition", edition.id)
    f.insert(0, "previous_edition", prev_ed.id)
    return f[FOLLOWED_COLUMNS]


def write_followed(out_dir: Path, followed: pd.DataFrame) -> None:
    """``trusts_followed.csv``: the scores as shown (a mean of several successors to 2 decimals)."""
    f = followed.copy()
    f["score_now"] = pd.to_numeric(f["score_now"]).round(2)
    f.to_csv(Path(out_dir) / "trusts_followed.csv", index=False, lineterminator="\n")


def read_followed(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"code": str, "matched_code": str}, keep_default_na=False)


def edition_comparison(out_dir: Path) -> Comparison | None:
    """The change since the previous edition, from the ``trusts_followed.csv`` in an edition's output
    folder (written by its scoring notebook), or None when it has no previous edition."""
    followed = read_followed(Path(out_dir) / "trusts_followed.csv")
    return comparison(followed) if len(followed) else None


def previous_comparison(edition: Edition, data_dir: Path, out_dir: Path) -> tuple[Edition, Comparison] | None:
    """(previous edition, :class:`Comparison` with it) from the edition's ``trusts_followed.csv``."""
    from opencyber.inputs.registry import load_registry

    c = edition_comparison(out_dir)
    if c is None:
        return None
    prev = load_registry(data_dir=data_dir).get(c.previous)
    return (prev, c) if prev is not None else None


def trust_changes(editions: list[Edition], build_dir: Path) -> pd.DataFrame:
    """Every edition's ``trusts_followed.csv`` (older pairs first) whose previous edition is also on the site."""
    ids = {e.id for e in editions}
    frames = []
    for ed in reversed(editions):
        path = Path(build_dir) / ed.id / "trusts_followed.csv"
        if ed.previous in ids and path.is_file():
            f = read_followed(path)
            if len(f):
                frames.append(f)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=FOLLOWED_COLUMNS)


def comparisons(changes: pd.DataFrame) -> list[Comparison]:
    """A :class:`Comparison` per pair of editions in ``changes`` (older pairs first)."""
    return [comparison(g) for _, g in changes.groupby(["previous_edition", "edition"], sort=False)]


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


def write_outputs(editions: list[Edition], build_dir: Path, out_dir: Path) -> dict:
    """The trends across ``editions``: shares (rounded to what the pages show: 0.1 %), the trusts
    followed (each edition's own ``trusts_followed.csv``, gathered), the areas' composites (2 decimals)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    shares = status_shares(editions, build_dir)
    changes = trust_changes(editions, build_dir)
    areas = area_composites(editions, build_dir)
    kw = dict(index=False, lineterminator="\n")
    shares.assign(share=shares["share"].round(1)).to_csv(out_dir / "trends_status_share.csv", **kw)
    met = share_met(shares)
    met.assign(share=met["share"].round(1)).to_csv(out_dir / "trends_share_met.csv", **kw)
    changes.to_csv(out_dir / "trends_trusts.csv", **kw)
    numeric = [c for c in areas.columns if c not in ("era", "area_code", "area_name")]
    areas.assign(**{c: pd.to_numeric(areas[c]).round(2) for c in numeric}).to_csv(out_dir / "trends_areas.csv", **kw)
    return {"shares": shares, "share_met": met, "changes": changes, "comparisons": comparisons(changes), "areas": areas}
