"""The effect of each documented override of an edition on its figures: the edition curated again without it, the crosstab and composites compared."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from opencyber.analysis.curation import Curated, curate_edition


def override_effects(cur: Curated, data_dir: Path) -> pd.DataFrame:
    """Each override of the edition with its reason and its effect on the published figures.

    The effect is found by curating again without that override and comparing the crosstab and the
    composite scores.
    """
    from dataclasses import replace

    from opencyber.analysis import scoring as score

    rows = []
    with_ct = score.crosstab(cur.organisations).set_index(["sector", "status"])["n"]
    with_sc = score.edition_area_scores(cur.organisations, cur.areas, cur.edition, data_dir).set_index("area_code")
    for o in cur.edition.overrides:
        others = tuple(x for x in cur.edition.overrides if x is not o)
        without = curate_edition(replace(cur.edition, overrides=others), data_dir)
        ct = score.crosstab(without.organisations).set_index(["sector", "status"])["n"]
        ct = ct.reindex(with_ct.index.union(ct.index), fill_value=0)
        wc = with_ct.reindex(ct.index, fill_value=0)
        changes = [
            f"{sector} {status}: {int(wc[(sector, status)])} (without: {int(ct[(sector, status)])})"
            for sector, status in ct.index
            if wc[(sector, status)] != ct[(sector, status)]
        ]
        totals_with = wc.groupby(level="sector").sum()
        totals_without = ct.groupby(level="sector").sum()
        changes += [
            f"{s} total: {int(totals_with[s])} (without: {int(totals_without[s])})"
            for s in totals_with.index
            if totals_with[s] != totals_without[s]
        ]
        sc = score.edition_area_scores(without.organisations, without.areas, cur.edition, data_dir).set_index(
            "area_code"
        )
        for code in with_sc.index:
            a, b = with_sc.at[code, "composite"], sc.at[code, "composite"]
            if a != b:
                changes.append(f"{cur.edition.area_label} {code} composite: {a:.2f} (without: {b:.2f})")
        rows.append(
            {
                "code": o.code,
                "action": o.action + (f" {o.status}" if o.status else ""),
                "reason": o.reason,
                "effect": "; ".join(changes) or "no effect on the figures",
            }
        )
    return pd.DataFrame(rows, columns=["code", "action", "reason", "effect"])
