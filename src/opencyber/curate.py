"""Curation: which organisations an edition reports, with which status, and why.

Every organisation named by any input of the edition (the DSPT export, the ODS trust files, the ONS
lookup, the CSU list) becomes one row of the organisations table, in scope or not, with the rule or
override that decided it. Nothing is dropped: :func:`reconcile` counts, per input file and sector,
what came in and where it went.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import readers
from .errors import InputError, RegistryError
from .registry import Edition
from .status import ParsedStatus, StatusError, score, status_for_edition

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

SUB_AREA_SECTOR = "Sub-ICB location"


@dataclass
class Curated:
    """The curated organisations of an edition and what the inputs said about them."""

    edition: Edition
    organisations: pd.DataFrame
    reconciliation: pd.DataFrame
    areas: pd.DataFrame  # area_code, area_name, region_code, region_name
    overrides_applied: list[str] = field(default_factory=list)


@dataclass
class _Org:
    code: str
    name: str
    sector: str
    in_scope: bool
    rule: str  # short category of the scope decision, for reconciliation
    reasons: list[str]
    area_code: str = ""
    region_code: str = ""
    status_raw: str = ""
    status: str = "Not Published"
    sources: list[tuple[str, str]] = field(default_factory=list)  # (file, sector in that file)


def _fmt_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


class _Builder:
    def __init__(self, edition: Edition, data_dir: Path) -> None:
        self.ed = edition
        self.data_dir = Path(data_dir)
        self.orgs: dict[str, _Org] = {}
        self.repairs: dict[str, dict[str, int]] = {}  # file-level repairs (encoding, duplicates)
        self.code_repairs: dict[str, set[str]] = {}  # file -> codes that were upper-cased

    def rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.data_dir.resolve()).as_posix()
        except ValueError:
            return str(path)

    def add(self, org: _Org, source: str, line: int | None) -> None:
        if org.code in self.orgs:
            prev = self.orgs[org.code]
            raise InputError(
                source,
                f"code {org.code} is listed as {org.sector} here and as {prev.sector} in "
                f"{prev.sources[0][0]}",
                line=line,
                expected="each organisation in one reference list",
            )
        org.sources.append((source, org.sector))
        self.orgs[org.code] = org


def _read_areas(b: _Builder) -> tuple[pd.DataFrame, pd.DataFrame]:
    ed, cols = b.ed, b.ed.columns
    path = ed.input_path("area_lookup", b.data_dir)
    wanted = {k: cols[k] for k in ("area_code", "area_name", "region_code", "region_name")}
    if "sub_area_code" in cols:
        wanted.update(sub_area_code=cols["sub_area_code"], sub_area_name=cols["sub_area_name"])
    lookup = readers.read_lookup(path, wanted)
    areas = lookup.drop_duplicates("area_code")[["area_code", "area_name", "region_code", "region_name", "line"]]
    for key in ("area_code", "region_code"):
        name = key.replace("_code", "_name")
        clash = lookup.groupby(key)[name].nunique()
        if (clash > 1).any():
            code = clash[clash > 1].index[0]
            row = lookup[lookup[key] == code].iloc[1]
            raise InputError(
                path, f"{key.split('_')[0]} {code} has more than one name", line=int(row["line"]), column=cols[name]
            )
    return lookup, areas.reset_index(drop=True)


def curate_edition(edition: Edition, data_dir: Path, *, apply_overrides: bool = True) -> Curated:
    """Curate an edition from its raw inputs (see the module docstring)."""
    b = _Builder(edition, data_dir)
    ed = edition
    snapshot = ed.snapshot.isoformat()

    # Areas (ICBs or ICSs) and their sub-areas, from the ONS lookup.
    lookup, areas = _read_areas(b)
    lookup_file = b.rel(ed.input_path("area_lookup", data_dir))
    area_codes = set(areas["area_code"])
    region_of_area = dict(zip(areas["area_code"], areas["region_code"]))
    if ed.era == "icb":  # the ICBs are the scored commissioners; their sub-ICB locations are listed
        for a in areas.itertuples():
            b.add(
                _Org(a.area_code, a.area_name, ed.commissioner_sector, True, "in scope", [], a.area_code, a.region_code),
                lookup_file,
                a.line,
            )
        if "sub_area_code" in lookup:
            for s in lookup.itertuples():
                b.add(
                    _Org(
                        s.sub_area_code,
                        s.sub_area_name,
                        SUB_AREA_SECTOR,
                        False,
                        "sub-ICB location (its ICB is scored)",
                        [f"sub-ICB location: the {ed.label} report scores its ICB {s.area_code}"],
                        s.area_code,
                        s.region_code,
                    ),
                    lookup_file,
                    s.line,
                )
    else:  # CCG era: the CCGs of the lookup are scored; areas (ICSs) are partnerships, not DSPT organisations
        for s in lookup.itertuples():
            b.add(
                _Org(s.sub_area_code, s.sub_area_name, ed.commissioner_sector, True, "in scope", [], s.area_code, s.region_code),
                lookup_file,
                s.line,
            )

    # NHS trusts and care trusts, from the ODS files.
    for path in ed.input_paths("trusts", data_dir):
        ods = readers.read_ods(path)
        rel = b.rel(path)
        b.repairs[rel] = ods.attrs["repairs"]
        for t in ods.itertuples():
            reasons, rule, in_scope = [], "in scope", True
            if t.national_grouping.startswith("W"):
                in_scope, rule = False, "Welsh trust"
                reasons.append(f"Welsh trust (ODS National Grouping {t.national_grouping}): not in NHS England's report")
            elif t.close_date and t.close_date <= snapshot:
                in_scope, rule = False, "closed before the snapshot"
                reasons.append(
                    f"closed on {_fmt_date(t.close_date)} (ODS close date), before the snapshot "
                    f"{_fmt_date(snapshot)}"
                )
            elif t.open_date and t.open_date > snapshot:
                in_scope, rule = False, "opened after the snapshot"
                reasons.append(f"opened on {_fmt_date(t.open_date)} (ODS), after the snapshot {_fmt_date(snapshot)}")
            area = t.high_level_health_geography
            if in_scope and area not in area_codes:
                raise InputError(
                    path,
                    f"trust {t.code}: High Level Health Geography {area!r} is not an area of {lookup_file}",
                    line=t.line,
                    column="4 (High Level Health Geography)",
                    value=area,
                    expected=f"an {ed.area_label} code of the lookup",
                )
            b.add(
                _Org(t.code, t.name, ed.sectors["trust"], in_scope, rule, reasons, area, region_of_area.get(area, "")),
                rel,
                t.line,
            )

    # Trusts listed with their area in a hand-made file (e.g. the care trusts of 2021/22).
    for path in ed.input_paths("trust_areas", data_dir):
        listed = readers.read_code_area_list(path)
        rel = b.rel(path)
        b.repairs[rel] = listed.attrs["repairs"]
        for t in listed.itertuples():
            if t.area not in area_codes:
                raise InputError(path, f"trust {t.code}: area {t.area!r} is not an area of {lookup_file}",
                                 line=t.line, column=listed.attrs["area_column"], value=t.area)
            b.add(
                _Org(t.code, "", ed.sectors["trust"], True, "in scope",
                     [f"trust listed with its {ed.area_label} in {rel} (not in the ODS trust files)"],
                     t.area, region_of_area.get(t.area, "")),
                rel,
                t.line,
            )

    # Commissioning support units, from the curated list.
    csu_path = ed.input_path("csus", data_dir)
    csus = readers.read_csu_list(csu_path)
    csu_file = b.rel(csu_path)
    b.repairs[csu_file] = csus.attrs["repairs"]
    for c in csus.itertuples():
        b.add(_Org(c.code, c.name, ed.sectors["csu"], True, "in scope", []), csu_file, c.line)

    # Statuses, from the DSPT export; export rows of no reference list are out of scope.
    export_path = ed.input_path("export", data_dir)
    export = readers.read_dspt_export(export_path)
    export_file = b.rel(export_path)
    b.repairs[export_file] = export.attrs["repairs"]
    b.code_repairs[export_file] = export.attrs.get("lower_case_codes", set())
    status_col = export.attrs["columns"]["status_raw"]
    for row in export.itertuples():
        org = b.orgs.get(row.code)
        if org is None:
            org = _Org(
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
        org.status, why = status_for_edition(ParsedStatus(row.status_edition or None, row.outcome), ed.dspt_edition)
        if why:
            org.reasons.append(f"counted as Not Published: {why}")
        if org.in_scope:
            try:
                score(org.status)
            except StatusError as exc:
                raise InputError(
                    export_path, f"{org.code}: {exc}", line=row.line, column=status_col, value=row.status_raw
                ) from None
    for org in b.orgs.values():
        if org.in_scope and not any(src == export_file for src, _ in org.sources):
            org.reasons.append("not in the DSPT export: counted as Not Published")

    applied = _apply_overrides(b, export_file) if apply_overrides else []

    organisations = _organisations_table(b, areas)
    reconciliation = reconcile(b)
    return Curated(ed, organisations, reconciliation, areas.drop(columns="line"), applied)


def _apply_overrides(b: _Builder, export_file: str) -> list[str]:
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
            org.reasons.insert(0, "override keep_in_scope (see the edition's overrides) despite:")
        elif o.action == "exclude":
            org.in_scope = False
            org.rule = "override: excluded"
            org.reasons.insert(0, "override exclude (see the edition's overrides)")
        elif o.action == "set_status":
            org.reasons.insert(0, f"override set_status: {org.status} replaced by {o.status}")
            org.status = o.status
        applied.append(o.code)
    return applied


def _organisations_table(b: _Builder, areas: pd.DataFrame) -> pd.DataFrame:
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


def reconcile(b: _Builder) -> pd.DataFrame:
    """Per input file and sector: organisations in, in scope, out of scope (by rule), repairs."""
    counts: dict[tuple[str, str], Counter] = {}
    for org in b.orgs.values():
        for src, sector in org.sources:
            c = counts.setdefault((src, sector or "(blank)"), Counter())
            c["rows_in"] += 1
            if org.code in b.code_repairs.get(src, ()):
                c["repair: lower-case code upper-cased"] += 1
            c["in_scope" if org.in_scope else "out_of_scope"] += 1
            if not org.in_scope or org.rule.startswith("override"):
                c["rule: " + org.rule] += 1
    rows = []
    seen_files: set[str] = set()
    for (src, sector), c in sorted(counts.items()):
        # file-level repairs are reported once, on the file's first row; code repairs per sector
        repairs = {} if src in seen_files else {
            k: v for k, v in b.repairs.get(src, {}).items() if k != "lower-case code upper-cased"
        }
        seen_files.add(src)
        repairs.update({k[8:]: v for k, v in c.items() if k.startswith("repair: ")})
        rows.append(
            {
                "file": src,
                "sector": sector,
                "rows_in": c["rows_in"],
                "in_scope": c["in_scope"],
                "out_of_scope": c["out_of_scope"],
                "rules": "; ".join(f"{k[6:]}: {v}" for k, v in sorted(c.items()) if k.startswith("rule: ")),
                "repairs": "; ".join(f"{k}: {v}" for k, v in sorted(repairs.items()) if v),
            }
        )
    return pd.DataFrame(rows)


def write_curated(cur: Curated, out_dir: Path) -> None:
    """Write organisations.csv and reconciliation.csv (UTF-8, header, LF)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cur.organisations.to_csv(out_dir / "organisations.csv", index=False, lineterminator="\n")
    cur.reconciliation.to_csv(out_dir / "reconciliation.csv", index=False, lineterminator="\n")
    cur.areas.to_csv(out_dir / "areas.csv", index=False, lineterminator="\n")


def override_effects(cur: Curated, data_dir: Path) -> pd.DataFrame:
    """Each override of the edition with its reason and its effect on the published figures.

    The effect is found by curating again without that override and comparing the crosstab and the
    composite scores.
    """
    from dataclasses import replace

    from . import score

    rows = []
    with_ct = score.crosstab(cur.organisations).set_index(["sector", "status"])["n"]
    weights = score.load_weights(cur.edition, data_dir)
    with_sc = score.area_scores(cur.organisations, cur.areas, cur.edition.commissioner_sector, weights).set_index("area_code")
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
        sc = score.area_scores(without.organisations, without.areas, cur.edition.commissioner_sector, weights).set_index("area_code")
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


def describe_inputs(edition: Edition, data_dir: Path) -> str:
    """Markdown: the edition, its snapshot date and the input file of each role."""
    lines = [
        f"**Edition {edition.label}**, DSPT statuses as downloaded on **{edition.snapshot:%d %B %Y}**.",
        "",
        "| input | file |",
        "|---|---|",
    ]
    for role, value in edition.inputs.items():
        for name in value if isinstance(value, list) else [value]:
            lines.append(f"| {role.replace('_', ' ')} | `{name}` |")
    return "\n".join(lines)


def describe_scope(cur: Curated) -> str:
    """Markdown: how many organisations the inputs name and how many are in scope, by sector."""
    orgs = cur.organisations
    scoped = orgs[orgs["in_scope"]].groupby("sector").size()
    parts = [f"{n} {sector}" for sector, n in scoped.items()]
    return (
        f"The inputs name **{len(orgs):,}** organisations; **{int(orgs['in_scope'].sum())}** are in scope: "
        + ", ".join(parts)
        + "."
    )
