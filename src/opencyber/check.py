"""Check an edition's inputs without building it: every file read and validated, the curation and
scoring run, and the boundaries checked to cover every area in scope. Fast (no notebook runs), so the
build does it first and an analyst can run it on a new download (``opencyber check``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import readers, report, score
from .curate import curate_edition
from .registry import TRUST_SECTOR, Edition


@dataclass
class CheckResult:
    edition: str
    organisations: int
    in_scope: int
    repairs: dict[str, int]  # "file: repair" -> count
    trusts_without_location: list[str]

    def summary(self) -> str:
        text = (
            f"[{self.edition}] inputs OK: {self.organisations:,} organisations named, {self.in_scope} in scope"
        )
        if self.repairs:
            text += "; repairs: " + "; ".join(f"{k} {v}" for k, v in sorted(self.repairs.items()))
        if self.trusts_without_location:
            text += f"; {len(self.trusts_without_location)} trust(s) without a map location"
        return text


def check_edition(edition: Edition, data_dir: Path) -> CheckResult:
    """Read, validate, curate and score ``edition``; raise the first InputError/RegistryError found."""
    cur = curate_edition(edition, data_dir)
    orgs = cur.organisations
    scores = score.edition_area_scores(orgs, cur.areas, edition, data_dir)
    cols = edition.columns
    if edition.has_maps:  # an edition without boundaries has tables only
        report.covering_polygons(edition, data_dir, "area_boundaries", cols["area_boundary_code"],
                                 set(scores["area_code"]), edition.area_label)
        if edition.era != "icb":
            scoped = orgs[orgs["in_scope"] & (orgs["sector"] == edition.commissioner_sector)]
            report.covering_polygons(edition, data_dir, "commissioner_boundaries", cols["commissioner_boundary_code"],
                                     set(scoped["code"]), edition.commissioner_label)
        readers.read_geojson(edition.input_path("region_boundaries", data_dir), cols["region_boundary_code"])
    unlocated: list[str] = []
    if edition.has_maps and edition.inputs.get("trust_points"):
        pts = readers.read_geojson(edition.input_path("trust_points", data_dir), "code", kind="point")
        trusts = orgs[orgs["in_scope"] & (orgs["sector"] == TRUST_SECTOR)]
        unlocated = sorted(set(trusts["code"]) - set(pts["code"]))
    repairs = {}
    for row in cur.reconciliation.itertuples():
        for part in filter(None, str(row.repairs).split("; ")):
            what, n = part.rsplit(": ", 1)
            key = f"{row.file}: {what}"
            repairs[key] = repairs.get(key, 0) + int(n)
    return CheckResult(edition.id, len(orgs), int(orgs["in_scope"].sum()), repairs, unlocated)
