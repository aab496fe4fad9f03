"""Curation: which organisations an edition reports, with which status, and why.

Every organisation named by any input of the edition (the DSPT export, the ODS trust files, the ONS
lookup, the CSU list) becomes one row of the organisations table, in scope or not, with the rule or
override that decided it. Nothing is dropped: :func:`reconcile` counts, per input file and sector,
what came in and where it went."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from opencyber import cache
from opencyber.analysis.organisations import (
    Builder,
    Org,
    from_export_sectors,
    from_reference_file,
    from_reference_lists,
    reconcile,
)
from opencyber.errors import InputError, RegistryError
from opencyber.inputs.registry import Edition
from opencyber.status import (
    ParsedStatus,
    StatusError,
    parse_status,
    score,
    status_for_edition,
)

ORGANISATION_COLUMNS = [
    "code",
    "name",
    "sector",
    "status_raw",
    "status",
    "score",
    "area_code",
    "area_name",
    "region_code",
    "region_name",
    "in_scope",
    "reason",
]


@dataclass
class Curated:
    """The curated organisations of an edition and what the inputs said about them."""

    edition: Edition
    organisations: pd.DataFrame
    reconciliation: pd.DataFrame
    areas: pd.DataFrame  # area_code, area_name, region_code, region_name
    overrides_applied: list[str] = field(default_factory=list)


def _apply_export(b: Builder) -> tuple[str, Path, str]:
    """Statuses from the DSPT export; export rows of no reference list are out of scope."""
    ed = b.ed
    export_path = ed.input_path("export", b.data_dir)
    export = b.export()
    export_file = b.rel(export_path)
    b.record_repairs(export_file, export)
    for row in export.itertuples():
        org = b.orgs.get(row.code)
        if org is None:
            org = Org(
                row.code,
                row.name,
                row.export_sector or "No Sector Identified",
                False,
                f"not an NHS trust, {ed.commissioner_label} or CSU of the reference lists",
                [f"not in the reference lists of this edition (export sector: {row.export_sector or 'none'})"],
            )
            b.orgs[row.code] = org
        org.sources.append((export_file, row.export_sector))
        org.name = org.name or row.name
        org.status_raw = row.status_raw
        org.export_line = row.line
        org.status, org.status_note = status_for_edition(
            ParsedStatus(row.status_edition or None, row.outcome), ed.dspt_edition
        )
    return export_file, export_path, export.attrs["columns"]["status_raw"]


#: the reconciliation's "file" of the registry's documented successor links
REGISTRY_LINKS = "registry: successor links"


def _apply_successor_links(b: Builder) -> None:
    """The registry's documented successors ([[edition.successor_links]]), as a successor file's."""
    links = b.ed.successor_links
    if not links:
        return
    used = 0
    for link in links:
        org = b.orgs.get(link.code)
        if org is not None and link.successor != link.code:
            org.successors.setdefault(link.successor, "")
            used += 1
    b.successor_links[REGISTRY_LINKS] = (len(links), used, {})


def _apply_successors(b: Builder) -> None:
    """An in-scope organisation without a status of the edition takes its successor's, if that is of
    the edition; otherwise it stays Not Published. Successors that disagree are an error."""
    ed = b.ed
    for org in b.orgs.values():
        if not (org.in_scope and org.successors):
            continue
        opts = ed.status_options
        own = parse_status(org.status_raw, **opts) if org.status_raw else ParsedStatus(None, "Not Published")
        if own.edition == ed.dspt_edition and own.outcome != "Not Published":
            continue
        found = {}
        for code, recorded in org.successors.items():
            succ = b.orgs.get(code)
            raw = succ.status_raw if succ is not None and succ.export_line is not None else recorded
            status, _ = status_for_edition(
                parse_status(raw, **opts) if raw else ParsedStatus(None, "Not Published"), ed.dspt_edition
            )
            found[code] = (raw, status)
        named = ("successors " if len(found) > 1 else "successor ") + ", ".join(
            f"{c} ({raw or 'no status'})" for c, (raw, _) in found.items()
        )
        statuses = {st for _, st in found.values()}
        if len(statuses) > 1:
            raise RegistryError(
                f"edition {ed.id}: {org.code} has {named} with different {ed.dspt_edition} statuses; "
                "add a set_status override with the reason"
            )
        status = statuses.pop()
        if status != "Not Published":
            org.status = status
            org.status_note = ""
            org.successor_note = f"no {ed.dspt_edition} status of its own; takes the status of its {named}"
        else:
            org.successor_note = f"no {ed.dspt_edition} status of its own, nor has its {named}: Not Published"


def _finish_reasons(b: Builder, export_path: Path, export_file: str, status_col: str) -> None:
    for org in b.orgs.values():
        if org.successor_note:
            org.reasons.append(org.successor_note)
        elif org.status_note:
            org.reasons.append(f"counted as Not Published: {org.status_note}")
        elif org.in_scope and org.export_line is None:
            org.reasons.append("not in the DSPT export: counted as Not Published")
        if org.in_scope:
            try:
                score(org.status)
            except StatusError as exc:
                raise InputError(
                    export_path, f"{org.code}: {exc}", line=org.export_line, column=status_col, value=org.status_raw
                ) from None


def curate_edition(edition: Edition, data_dir: Path, *, apply_overrides: bool = True) -> Curated:
    """Curate an edition from its raw inputs (see the module docstring).

    Kept in the build's cache (:mod:`opencyber.cache`), named by the edition's registry entry, the
    data folder and the bytes of every input file: the curation notebook, the next edition's key
    points and ``opencyber check`` curate an edition once between them."""
    from dataclasses import asdict

    data_dir = Path(data_dir)
    key = [
        json.dumps(asdict(edition), sort_keys=True, default=str),
        str(data_dir.resolve()),
        apply_overrides,
        [
            [role, [cache.file_digest(p) for p in edition.input_paths(role, data_dir)]]
            for role in sorted(edition.inputs)
        ],
    ]
    return cache.stored("curation", key, lambda: _curate(edition, data_dir, apply_overrides))


def _curate(edition: Edition, data_dir: Path, apply_overrides: bool) -> Curated:
    b = Builder(edition, data_dir)
    if edition.export_sectors:
        areas = from_export_sectors(b)
    elif "reference" in edition.inputs:
        areas = from_reference_file(b)
    else:
        areas = from_reference_lists(b)
    _apply_successor_links(b)
    export_file, export_path, status_col = _apply_export(b)
    _apply_successors(b)
    _finish_reasons(b, export_path, export_file, status_col)
    applied = _apply_overrides(b, export_file) if apply_overrides else []
    organisations = _organisations_table(b, areas)
    reconciliation = reconcile(b)
    return Curated(edition, organisations, reconciliation, areas.drop(columns="line", errors="ignore"), applied)


def _apply_overrides(b: Builder, export_file: str) -> list[str]:
    applied = []
    for o in b.ed.overrides:
        org = b.orgs.get(o.code)
        if org is None:
            raise RegistryError(f"edition {b.ed.id}: override for {o.code}, which no input of the edition names")
        if o.action == "keep_in_scope":
            if org.in_scope:
                raise RegistryError(f"edition {b.ed.id}: override keep_in_scope for {o.code}, already in scope")
            org.in_scope = True
            org.rule = "override: kept in scope"
            org.reasons.insert(0, "kept in scope by a documented override (see the edition's overrides), although:")
        elif o.action == "exclude":
            org.in_scope = False
            org.rule = "override: excluded"
            org.reasons.insert(0, "left out by a documented override (see the edition's overrides)")
        elif o.action == "set_status" and o.status is not None:  # the registry requires its status
            org.reasons.insert(0, f"status set by a documented override: {org.status} replaced by {o.status}")
            org.status = o.status
        applied.append(o.code)
    return applied


def _organisations_table(b: Builder, areas: pd.DataFrame) -> pd.DataFrame:
    area_name = dict(zip(areas["area_code"], areas["area_name"]))
    region_name = dict(zip(areas["region_code"], areas["region_name"]))
    rows = []
    for org in b.orgs.values():
        rows.append(
            {
                "code": org.code,
                "name": org.name,
                "sector": org.sector,
                "status_raw": org.status_raw,
                "status": org.status if (org.in_scope or org.status_raw) else "",
                "score": score(org.status) if org.in_scope else None,
                "area_code": org.area_code,
                "area_name": area_name.get(org.area_code, ""),
                "region_code": org.region_code,
                "region_name": region_name.get(org.region_code, ""),
                "in_scope": org.in_scope,
                "reason": " ".join(r if r.endswith(":") else r + ";" for r in org.reasons).rstrip(";"),
            }
        )
    df = pd.DataFrame(rows, columns=ORGANISATION_COLUMNS)
    df["score"] = df["score"].astype("Int64")
    return df.sort_values(["in_scope", "sector", "code"], ascending=[False, True, True]).reset_index(drop=True)


def write_curated(cur: Curated, out_dir: Path) -> None:
    """Write organisations.csv and reconciliation.csv (UTF-8, header, LF)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cur.organisations.to_csv(out_dir / "organisations.csv", index=False, lineterminator="\n")
    cur.reconciliation.to_csv(out_dir / "reconciliation.csv", index=False, lineterminator="\n")
    cur.areas.to_csv(out_dir / "areas.csv", index=False, lineterminator="\n")
