"""Check an edition's inputs without building it: every file read and validated, the curation and
scoring run, and the boundaries checked to cover every area in scope. Fast (no notebook runs), so an
analyst can run it on a new download before a build (``opencyber check``); the build reads the same
files through the same readers, so it refuses what the check refuses, from inside a notebook."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from opencyber.analysis import boundaries
from opencyber.analysis import scoring as score
from opencyber.analysis.curation import curate_edition
from opencyber.errors import InputError, InputErrors
from opencyber.inputs import dspt_export, geojson, lists, ods, reference_file
from opencyber.inputs.registry import TRUST_SECTOR, Edition


@dataclass
class CheckResult:
    edition: str
    organisations: int
    in_scope: int
    repairs: dict[str, int]  # "file: repair" -> count
    trusts_without_location: list[str]

    def summary(self) -> str:
        text = f"[{self.edition}] inputs OK: {self.organisations:,} organisations named, {self.in_scope} in scope"
        if self.repairs:
            text += "; repairs: " + "; ".join(f"{k} {v}" for k, v in sorted(self.repairs.items()))
        if self.trusts_without_location:
            text += f"; {len(self.trusts_without_location)} trust(s) without a map location"
        return text


def input_readers(edition: Edition) -> dict[str, Callable[[Path], object]]:
    """The reader of each input role of ``edition``, with the edition's columns and options."""
    cols = edition.columns
    return {
        "export": lambda p: dspt_export.read_dspt_export(p, **edition.export_options),
        "trusts": ods.read_ods,
        "csus": lists.read_csu_list,
        "successors": ods.read_ods_successors,
        "trust_areas": lists.read_code_area_list,
        "area_lookup": lambda p: lists.read_lookup(p, edition.lookup_columns),
        "reference": lambda p: reference_file.read_reference(
            p, edition.reference_columns, cols, edition.reference_sectors
        ),
        "population": lambda p: lists.read_weights(p, "population"),
        "trust_weights": lambda p: lists.read_weights(p, "trust_weights"),
        "gp_practices": lists.read_gp_practices,
        "area_boundaries": lambda p: geojson.read_geojson(p, cols["area_boundary_code"]),
        "commissioner_boundaries": lambda p: geojson.read_geojson(p, cols["commissioner_boundary_code"]),
        "region_boundaries": lambda p: geojson.read_geojson(p, cols["region_boundary_code"]),
        "trust_points": lambda p: geojson.read_geojson(p, "code", kind="point"),
    }


def read_every_input(edition: Edition, data_dir: Path) -> list[InputError]:
    """Read and validate every input file of ``edition`` on its own; the problems of each file that
    has some (each with the others of its file), in the order of the registry's roles."""
    found = []
    for role, reader in input_readers(edition).items():
        for path in edition.input_paths(role, data_dir):
            if path.is_file():
                try:
                    reader(path)
                except InputError as exc:
                    found.append(exc)
    return found


def check_edition(edition: Edition, data_dir: Path) -> CheckResult:
    """Read and validate every input of ``edition`` (an InputErrors with the problems of every file
    that has some), then curate and score it and check that the boundaries cover its areas (the
    first problem found there is raised)."""
    problems = read_every_input(edition, data_dir)
    if problems:
        raise InputErrors(problems)
    cur = curate_edition(edition, data_dir)
    orgs = cur.organisations
    scores = score.edition_area_scores(orgs, cur.areas, edition, data_dir)
    cols = edition.columns
    if edition.has_maps:  # an edition without boundaries has tables only
        boundaries.covering_polygons(
            edition,
            data_dir,
            "area_boundaries",
            cols["area_boundary_code"],
            set(scores["area_code"]),
            edition.area_label,
        )
        if edition.era != "icb":
            scoped = orgs[orgs["in_scope"] & (orgs["sector"] == edition.commissioner_sector)]
            boundaries.covering_polygons(
                edition,
                data_dir,
                "commissioner_boundaries",
                cols["commissioner_boundary_code"],
                set(scoped["code"]),
                edition.commissioner_label,
            )
        geojson.read_geojson(edition.input_path("region_boundaries", data_dir), cols["region_boundary_code"])
    unlocated: list[str] = []
    if edition.has_maps and edition.inputs.get("trust_points"):
        pts = geojson.read_geojson(edition.input_path("trust_points", data_dir), "code", kind="point")
        trusts = orgs[orgs["in_scope"] & (orgs["sector"] == TRUST_SECTOR)]
        unlocated = sorted(set(trusts["code"]) - set(pts["code"]))
    repairs: dict[str, int] = {}
    for row in cur.reconciliation.itertuples():
        for part in filter(None, str(row.repairs).split("; ")):
            what, n = part.rsplit(": ", 1)
            key = f"{row.file}: {what}"
            repairs[key] = repairs.get(key, 0) + int(n)
    return CheckResult(edition.id, len(orgs), int(orgs["in_scope"].sum()), repairs, unlocated)
