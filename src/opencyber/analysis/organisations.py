"""Which organisations an edition names, and which of them are in scope, by the rules: from the NHS organisation lists (ODS, ONS lookup, CSU list), from the export's own sectors, or from a curated reference file; and how many each input file gave (the reconciliation)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from opencyber.errors import InputError
from opencyber.inputs import dspt_export, lists, ods, reference_file
from opencyber.inputs.registry import Edition

SUB_AREA_SECTOR = "Sub-ICB location"


#: the reconciliation's "sector" of a successor file's rows (links between organisations)
SUCCESSOR_LINKS = "(successor links)"


@dataclass
class Org:
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
    successors: dict[str, str] = field(default_factory=dict)  # successor code -> its status as recorded
    export_line: int | None = None  # the organisation's line in the export, if it is there
    status_note: str = ""  # why the export's status does not count
    successor_note: str = ""  # what the successor rule did


def long_date(iso: str) -> str:
    """``2023-03-31`` -> ``31 March 2023`` (the GOV.UK style, as every page writes dates)."""
    import datetime as dt

    d = dt.date.fromisoformat(iso)
    return f"{d.day} {d:%B %Y}"


class Builder:
    def __init__(self, edition: Edition, data_dir: Path) -> None:
        self.ed = edition
        self.data_dir = Path(data_dir)
        self.orgs: dict[str, Org] = {}
        self.repairs: dict[str, dict[str, int]] = {}  # file-level repairs (encoding, duplicates)
        self.code_repairs: dict[str, set[str]] = {}  # file -> codes that were upper-cased
        self.duplicate_codes: dict[str, dict[str, int]] = {}  # file -> code -> identical rows dropped
        self.successor_links: dict[str, tuple[int, int, dict]] = {}  # file -> (rows, rows used, repairs)
        self._export: pd.DataFrame | None = None

    def export(self) -> pd.DataFrame:
        """The edition's DSPT export, read once (with the edition's status vocabulary)."""
        if self._export is None:
            path = self.ed.input_path("export", self.data_dir)
            self._export = dspt_export.read_dspt_export(path, **self.ed.export_options)
        return self._export

    def record_repairs(self, source: str, table: pd.DataFrame) -> None:
        """Keep what a reader repaired in ``source`` (``table.attrs``), for :func:`reconcile`."""
        self.repairs[source] = table.attrs["repairs"]
        self.code_repairs[source] = table.attrs.get("lower_case_codes", set())
        self.duplicate_codes[source] = table.attrs.get("duplicate_codes", {})

    def rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.data_dir.resolve()).as_posix()
        except ValueError:
            return str(path)

    def add(self, org: Org, source: str, line: int | None) -> None:
        if org.code in self.orgs:
            prev = self.orgs[org.code]
            raise InputError(
                source,
                f"code {org.code} is listed as {org.sector} here and as {prev.sector} in {prev.sources[0][0]}",
                line=line,
                expected="each organisation in one reference list",
            )
        org.sources.append((source, org.sector))
        self.orgs[org.code] = org


def read_areas(b: Builder) -> tuple[pd.DataFrame, pd.DataFrame]:
    ed, cols = b.ed, b.ed.columns
    path = ed.input_path("area_lookup", b.data_dir)
    lookup = lists.read_lookup(path, ed.lookup_columns)
    areas = lookup.drop_duplicates("area_code")[["area_code", "area_name", "region_code", "region_name", "line"]]
    lists.check_one_name_per_code(path, lookup, {k: cols[k] for k in ("area_name", "region_name")})
    return lookup, areas.reset_index(drop=True)


def scope_rule(b: Builder, close_date: str, open_date: str = "") -> tuple[bool, str, list[str]]:
    """(in scope, rule, reasons) of an organisation by its ODS dates and the edition's scope date."""
    ed = b.ed
    scope = ed.in_scope_date.isoformat()
    what = "the snapshot" if ed.in_scope_date == ed.snapshot else "the edition's scope date"
    short = what.replace("the edition's ", "the ")
    if close_date and close_date < scope:
        return (
            False,
            f"closed before {short}",
            [f"closed on {long_date(close_date)} (ODS close date), before {what} {long_date(scope)}"],
        )
    if open_date and open_date > scope:
        return (
            False,
            f"opened after {short}",
            [f"opened on {long_date(open_date)} (ODS), after {what} {long_date(scope)}"],
        )
    return True, "in scope", []


def from_reference_lists(b: Builder) -> pd.DataFrame:
    """Organisations of the ONS lookup, the ODS trust files, a trust-area list and the CSU list."""
    ed, data_dir = b.ed, b.data_dir
    lookup, areas = read_areas(b)
    lookup_file = b.rel(ed.input_path("area_lookup", data_dir))
    area_codes = set(areas["area_code"])
    region_of_area = dict(zip(areas["area_code"], areas["region_code"]))
    if ed.era == "icb":  # the ICBs are the scored commissioners; their sub-ICB locations are listed
        for a in areas.itertuples():
            b.add(
                Org(a.area_code, a.area_name, ed.commissioner_sector, True, "in scope", [], a.area_code, a.region_code),
                lookup_file,
                a.line,
            )
        if "sub_area_code" in lookup:
            for s in lookup.itertuples():
                b.add(
                    Org(
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
                Org(
                    s.sub_area_code,
                    s.sub_area_name,
                    ed.commissioner_sector,
                    True,
                    "in scope",
                    [],
                    s.area_code,
                    s.region_code,
                ),
                lookup_file,
                s.line,
            )

    # NHS trusts and care trusts, from the ODS files.
    for path in ed.input_paths("trusts", data_dir):
        listed = ods.read_ods(path)
        rel = b.rel(path)
        b.record_repairs(rel, listed)
        for t in listed.itertuples():
            if t.national_grouping.startswith("W"):
                in_scope, rule = False, "Welsh trust"
                reasons = [f"Welsh trust (ODS National Grouping {t.national_grouping}): not in NHS England's report"]
            else:
                in_scope, rule, reasons = scope_rule(b, t.close_date, t.open_date)
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
                Org(t.code, t.name, ed.sectors["trust"], in_scope, rule, reasons, area, region_of_area.get(area, "")),
                rel,
                t.line,
            )

    # Trusts listed with their area in a hand-made file (e.g. the care trusts of 2021/22).
    for path in ed.input_paths("trust_areas", data_dir):
        listed = lists.read_code_area_list(path)
        rel = b.rel(path)
        b.record_repairs(rel, listed)
        for t in listed.itertuples():
            if t.area not in area_codes:
                raise InputError(
                    path,
                    f"trust {t.code}: area {t.area!r} is not an area of {lookup_file}",
                    line=t.line,
                    column=listed.attrs["area_column"],
                    value=t.area,
                )
            b.add(
                Org(
                    t.code,
                    "",
                    ed.sectors["trust"],
                    True,
                    "in scope",
                    [f"trust listed with its {ed.area_label} by hand in the original (not in the ODS trust files)"],
                    t.area,
                    region_of_area.get(t.area, ""),
                ),
                rel,
                t.line,
            )

    # ODS successors of the organisations listed so far (the successor rule uses them).
    for path in ed.input_paths("successors", data_dir):
        succ = ods.read_ods_successors(path)
        used = 0
        for r in succ.itertuples():
            org = b.orgs.get(r.code)
            if org is not None and r.successor_code != r.code:
                org.successors.setdefault(r.successor_code, "")
                used += 1
        b.successor_links[b.rel(path)] = (len(succ), used, succ.attrs["repairs"])

    # Commissioning support units, from the curated list.
    csu_path = ed.input_path("csus", data_dir)
    csus = lists.read_csu_list(csu_path)
    csu_file = b.rel(csu_path)
    b.record_repairs(csu_file, csus)
    for c in csus.itertuples():
        b.add(Org(c.code, c.name, ed.sectors["csu"], True, "in scope", []), csu_file, c.line)
    return areas


AREA_COLUMNS = ["area_code", "area_name", "region_code", "region_name", "line"]


def from_export_sectors(b: Builder) -> pd.DataFrame:
    """Organisations of the export's own sectors ([edition.export_sectors]: export Primary Sector ->
    trust or commissioner), for an edition without ODS lists, and the CSUs of the curated list.

    A row of such a sector whose code does not match the role's ``export_code_patterns`` (e.g. a
    private ambulance company that calls itself an Ambulance Trust) is listed out of scope with the
    reason. Such an edition has no areas: no lookup places its organisations in one.
    """
    import re

    ed = b.ed
    export = b.export()
    patterns = {role: re.compile(p) for role, p in ed.export_code_patterns.items()}
    sector_of = {"trust": ed.sectors["trust"], "commissioner": ed.commissioner_sector}
    label = {"trust": "NHS trust", "commissioner": ed.commissioner_label}
    for row in export.itertuples():
        role = ed.export_sectors.get(row.export_sector)
        if role is None:
            continue
        pattern = patterns.get(role)
        if pattern is not None and not pattern.fullmatch(row.code):
            org = Org(
                row.code,
                row.name,
                row.export_sector,
                False,
                f"code is not an {label[role]} code",
                [
                    f"export sector {row.export_sector}, but the code is not an {label[role]} code "
                    f"(pattern {pattern.pattern} of the registry's export_code_patterns)"
                ],
            )
        else:
            org = Org(row.code, row.name, sector_of[role], True, "in scope", [])
        b.orgs[row.code] = org  # its source (the export) is added by _apply_export
    csu_path = ed.input_path("csus", b.data_dir)
    csus = lists.read_csu_list(csu_path)
    csu_file = b.rel(csu_path)
    b.record_repairs(csu_file, csus)
    for c in csus.itertuples():
        if c.code in b.orgs:
            raise InputError(
                csu_path,
                f"CSU {c.code} is also an organisation of the export sector {b.orgs[c.code].sector} (export_sectors)",
                line=c.line,
                value=c.code,
            )
        b.add(Org(c.code, c.name, ed.sectors["csu"], True, "in scope", []), csu_file, c.line)
    return pd.DataFrame(columns=AREA_COLUMNS)


def from_reference_file(b: Builder) -> pd.DataFrame:
    """Organisations of one curated reference file (code, sector, area, close date, successors)."""
    ed = b.ed
    path = ed.input_path("reference", b.data_dir)
    ref = reference_file.read_reference(path, ed.reference_columns, ed.columns, ed.reference_sectors)
    rel = b.rel(path)
    b.record_repairs(rel, ref)
    areas = ref.attrs["areas"]
    area_codes = set(areas["area_code"])
    region_of_area = dict(zip(areas["area_code"], areas["region_code"]))
    sector_of = {"trust": ed.sectors["trust"], "commissioner": ed.commissioner_sector, "csu": ed.sectors["csu"]}
    for r in ref.itertuples():
        in_scope, rule, reasons = scope_rule(b, r.close_date)
        if r.role == "trust" and r.area_code not in area_codes:
            raise InputError(
                path,
                f"trust {r.code}: area {r.area_code!r} is not an area of the reference's {ed.commissioner_label}s",
                line=r.line,
                column=ed.reference_columns["trust_area_code"],
                value=r.area_code,
            )
        org = Org(
            r.code, r.name, sector_of[r.role], in_scope, rule, reasons, r.area_code, region_of_area.get(r.area_code, "")
        )
        org.successors = dict(zip(r.successors, r.successor_statuses))
        b.add(org, rel, r.line)
    return areas


def reconcile(b: Builder) -> pd.DataFrame:
    """Per input file and sector: organisations in, in scope, out of scope (by rule), repairs."""
    counts: dict[tuple[str, str], Counter] = {}
    for org in b.orgs.values():
        for src, sector in org.sources:
            c = counts.setdefault((src, sector or "(blank)"), Counter())
            c["rows_in"] += 1
            if org.code in b.code_repairs.get(src, ()):
                c["repair: lower-case code upper-cased"] += 1
            c["repair: identical duplicate row dropped"] += b.duplicate_codes.get(src, {}).get(org.code, 0)
            c["in_scope" if org.in_scope else "out_of_scope"] += 1
            if not org.in_scope or org.rule.startswith("override"):
                c["rule: " + org.rule] += 1
    rows = []
    seen_files: set[str] = set()
    for (src, sector), c in sorted(counts.items()):
        # file-level repairs are reported once, on the file's first row; repairs of a code per sector
        per_code = ("lower-case code upper-cased", "identical duplicate row dropped")
        repairs = {} if src in seen_files else {k: v for k, v in b.repairs.get(src, {}).items() if k not in per_code}
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
    # successor files name links between organisations, not organisations: a row per file says how
    # many links apply to an organisation of the edition and how many do not
    for src, (n, used, repairs) in sorted(b.successor_links.items()):
        rows.append(
            {
                "file": src,
                "sector": SUCCESSOR_LINKS,
                "rows_in": n,
                "in_scope": used,
                "out_of_scope": n - used,
                "rules": f"predecessor named by no other input: {n - used}" if n - used else "",
                "repairs": "; ".join(f"{k}: {v}" for k, v in sorted(repairs.items()) if v),
            }
        )
    return pd.DataFrame(rows)
