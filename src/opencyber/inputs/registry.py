"""The edition registry (``editions.toml``): what each edition reads and how it is curated.

Adding an edition is a new ``[[edition]]`` table and its data files; nothing here names an edition."""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from opencyber import settings
from opencyber.errors import RegistryError
from opencyber.status import StatusError, normalise_edition, parse_status

REQUIRED_INPUTS = ("export", "area_boundaries", "region_boundaries")


#: An edition whose organisations come from the export itself ([edition.export_sectors]) may have
#: no areas: then it needs only these inputs (the boundaries and lookups are optional).
EXPORT_ONLY_INPUTS = ("export", "csus")


GEOGRAPHY_INPUTS = ("area_lookup", "area_boundaries", "region_boundaries")


#: The organisation reference: either the ODS/ONS lists (trusts, csus, area_lookup), or one
#: curated reference file of the edition's organisations (``reference``, e.g. the 2020/21 metric file).
REFERENCE_LISTS = ("trusts", "csus", "area_lookup")


OPTIONAL_INPUTS = (
    "reference",
    "successors",
    "trust_points",
    "trust_areas",
    "population",
    "trust_weights",
    "commissioner_boundaries",
    "area_lookup",
    "area_boundaries",
    "region_boundaries",
    "trusts",
    "csus",
    "gp_practices",  # GP practices open per edition: the denominators of the all-sectors page's GP share
)


#: Columns a ``reference`` file must name in [edition.reference_columns].
REFERENCE_COLUMNS = ("code", "name", "sector", "close_date", "successor_code", "successor_status", "trust_area_code")


REFERENCE_ROLES = ("trust", "commissioner", "csu")


REQUIRED_COLUMNS = (
    "area_code",
    "area_name",
    "region_code",
    "region_name",
    "area_boundary_code",
    "region_boundary_code",
    "region_boundary_name",
)


OVERRIDE_ACTIONS = ("keep_in_scope", "exclude", "set_status")


#: The report sector of NHS trusts and care trusts, whatever the export calls them.
TRUST_SECTOR = "NHS Trust"


def input_name(path: Path, data_dir: Path) -> str:
    """An input file as messages name it: its path inside the data directory, as the registry names
    it (``22_23/etr.csv``), or its full path for a file kept elsewhere."""
    root = Path(data_dir).resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


@dataclass(frozen=True)
class Override:
    """A documented departure from the curation rules, applied by default."""

    code: str
    action: str
    reason: str
    status: str | None = None


@dataclass(frozen=True)
class SuccessorLink:
    """A documented successor of an organisation that the edition's input files name only in words
    (e.g. a change log: "RA4 ... acquired by RH5 on 01/04/2023"), with where it is stated."""

    code: str
    successor: str
    date: dt.date
    source: str


#: what a difference's ``measure`` may compute from the edition's outputs (opencyber.analysis.original)
MEASURES = ("count", "composite", "status")


@dataclass(frozen=True)
class Difference:
    """A figure where this report differs from the original publication: what the original showed,
    and either a ``measure`` of this report's outputs (``count:<sector>[:<status>]``,
    ``composite:<area code>``, ``status:<code>``) or the words ``this_report``, with the reason."""

    figure: str
    original: str
    reason: str
    measure: str | None = None
    this_report: str | None = None


@dataclass(frozen=True)
class Edition:
    id: str
    label: str
    dspt_edition: str
    snapshot: dt.date
    era: str
    area_label: str
    area_sector: str
    commissioner_sector: str
    commissioner_label: str
    inputs: dict[str, str | list[str]]
    columns: dict[str, str]
    previous: str | None = None
    overrides: tuple[Override, ...] = ()
    #: organisations closed before this date are out of scope (default: the snapshot date)
    scope_date: dt.date | None = None
    #: documented differences from the original's published figures, shown on the page
    caveats: tuple[str, ...] = ()
    #: documented successors that no input file gives as data ([[edition.successor_links]])
    successor_links: tuple[SuccessorLink, ...] = ()
    #: figures that differ from the original publication ([[edition.differences]]), with the reason
    differences: tuple[Difference, ...] = ()
    reference_columns: dict[str, str] = field(default_factory=dict)
    #: a notice shown at the top of every page of the edition (e.g. that its data are fictional)
    banner: str | None = None
    #: value of the reference file's sector column -> "trust", "commissioner" or "csu"
    reference_sectors: dict[str, str] = field(default_factory=dict)
    #: organisations taken from the export itself: export Primary Sector -> trust / commissioner
    #: (for an edition without ODS lists); the CSUs still come from the ``csus`` list
    export_sectors: dict[str, str] = field(default_factory=dict)
    #: role -> regular expression an organisation's code must match to be of that role (e.g. NHS
    #: trust codes ``^[RT][A-Z0-9]{2}$``); rows of an export sector whose code does not match are
    #: listed out of scope with the reason
    export_code_patterns: dict[str, str] = field(default_factory=dict)
    #: the export's sector names -> those of the later exports (an older sector vocabulary), for the
    #: all-sectors page's alignment table
    export_sector_aliases: dict[str, str] = field(default_factory=dict)
    #: the edition of outcomes the export writes without an edition prefix (the 2019 export)
    unprefixed_statuses: str | None = None
    #: an older export's status words -> the current vocabulary, a documented assumption
    status_aliases: dict[str, str] = field(default_factory=dict)
    #: what an empty status means in this edition's export, where its format leaves the status of an
    #: unpublished organisation empty (the 2019 export): only "Not Published"; elsewhere an error
    empty_status: str | None = None
    sectors: dict[str, str] = field(
        default_factory=lambda: {
            "trust": TRUST_SECTOR,
            "csu": "Commissioning Support Unit (CSU)",
        }
    )

    def input_paths(self, role: str, data_dir: Path) -> list[Path]:
        """The files of an input role. A relative name is a file inside ``data_dir``, and one that
        leads out of it (``../``) is an error (a typo must not read some other file). A file that lives
        elsewhere (a new download the analyst has not moved into the data directory) is named by its
        full path (``/home/me/Downloads/export.csv`` or ``~/Downloads/export.csv``), on purpose: it is
        read from there, and ``opencyber pack`` says it is not in the pack. The check is on the names,
        not on where a link placed in the data directory by its owner points (a data directory may be
        assembled from links)."""
        value = self.inputs.get(role)
        if value is None:
            return []
        names = value if isinstance(value, list) else [value]
        root = Path(data_dir).resolve()
        paths = []
        for name in names:
            given = Path(name).expanduser()
            if given.is_absolute():
                paths.append(Path(os.path.normpath(given)))
                continue
            path = Path(os.path.normpath(root / name))
            if not path.is_relative_to(root):
                raise RegistryError(
                    f"edition {self.id}: input {role} = {name!r} points outside the data directory {root} "
                    "(a file kept elsewhere is named by its full path)"
                )
            paths.append(path)
        return paths

    def input_path(self, role: str, data_dir: Path) -> Path:
        paths = self.input_paths(role, data_dir)
        if len(paths) != 1:
            raise RegistryError(f"edition {self.id}: input {role} must name exactly one file")
        return paths[0]

    @property
    def has_areas(self) -> bool:
        """Whether the edition's inputs place its organisations in areas (a lookup or a reference file)."""
        return "area_lookup" in self.inputs or "reference" in self.inputs

    @property
    def lookup_columns(self) -> dict[str, str]:
        """The columns of the ONS lookup the edition reads (role -> the file's column)."""
        keys: tuple[str, ...] = ("area_code", "area_name", "region_code", "region_name")
        keys += ("sub_area_code", "sub_area_name") if "sub_area_code" in self.columns else ()
        return {k: self.columns[k] for k in keys}

    @property
    def has_maps(self) -> bool:
        """Whether the pack holds the edition's boundaries, so that its maps can be drawn."""
        return self.has_areas and "area_boundaries" in self.inputs and "region_boundaries" in self.inputs

    @property
    def status_options(self) -> dict:
        """How the edition's export writes statuses (keyword arguments of ``status.parse_status``)."""
        aliases = {k.lower(): v for k, v in self.status_aliases.items()}
        return {"aliases": aliases or None, "unprefixed": self.unprefixed_statuses}

    @property
    def export_options(self) -> dict:
        """How to read the edition's export (keyword arguments of ``dspt_export.read_dspt_export``)."""
        return {**self.status_options, "empty_status": self.empty_status}

    def required_roles(self) -> tuple[str, ...]:
        if self.export_sectors:
            return EXPORT_ONLY_INPUTS + tuple(r for r in GEOGRAPHY_INPUTS if r in self.inputs)
        return REQUIRED_INPUTS + (() if "reference" in self.inputs else REFERENCE_LISTS)

    def missing_inputs(self, data_dir: Path) -> list[Path]:
        """Required input files that are not in ``data_dir`` (a folder in a file's place among them)."""
        missing = []
        roles = self.required_roles()
        for role in roles:
            missing += [p for p in self.input_paths(role, data_dir) if not p.is_file()]
        return missing

    def present_inputs(self, data_dir: Path) -> list[Path]:
        """Every input file of the edition (required or optional) that is in ``data_dir``."""
        return [p for role in self.inputs for p in self.input_paths(role, data_dir) if p.is_file()]

    @property
    def in_scope_date(self) -> dt.date:
        return self.scope_date or self.snapshot


def _edition_from_table(t: dict, where: str) -> Edition:
    def need(key: str, table: dict = t, ctx: str = ""):
        if key not in table:
            raise RegistryError(f"{where}: missing key {ctx}{key}")
        return table[key]

    ed_id = need("id")
    where = f"{where} (edition {ed_id})"
    snapshot = need("snapshot")
    if not isinstance(snapshot, dt.date):
        raise RegistryError(f"{where}: snapshot must be a TOML date like 2023-11-16, not {snapshot!r}")
    era = need("era")
    if era not in ("icb", "ccg"):
        raise RegistryError(f"{where}: era must be 'icb' or 'ccg', not {era!r}")
    area_sector = need("area_sector")
    try:
        dspt_edition = normalise_edition(str(need("dspt_edition")))
    except StatusError as exc:
        raise RegistryError(f"{where}: {exc}") from None
    inputs = dict(need("inputs"))
    export_sectors = {str(k): str(v) for k, v in dict(t.get("export_sectors", {})).items()}
    bad = {k: v for k, v in export_sectors.items() if v not in ("trust", "commissioner")}
    if bad:
        raise RegistryError(f"{where}: export_sectors values must be 'trust' or 'commissioner', not {bad}")
    if export_sectors:
        for role in EXPORT_ONLY_INPUTS:
            need(role, inputs, "inputs.")
        geo = [r for r in GEOGRAPHY_INPUTS if r in inputs]
        if geo:
            raise RegistryError(
                f"{where}: inputs {geo}: an edition whose organisations come from export_sectors "
                "has no areas (its geography would come from a reference file or lookup)"
            )
    else:
        for role in REQUIRED_INPUTS + (() if "reference" in inputs else REFERENCE_LISTS):
            need(role, inputs, "inputs.")
    patterns = {str(k): str(v) for k, v in dict(t.get("export_code_patterns", {})).items()}
    for role, pattern in patterns.items():
        if role not in ("trust", "commissioner"):
            raise RegistryError(f"{where}: export_code_patterns keys must be 'trust' or 'commissioner', not {role!r}")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise RegistryError(
                f"{where}: export_code_patterns.{role} = {pattern!r} is not a regular expression: {exc}"
            ) from None
    unprefixed = t.get("unprefixed_statuses")
    if unprefixed is not None:
        try:
            unprefixed = normalise_edition(str(unprefixed))
        except StatusError as exc:
            raise RegistryError(f"{where}: unprefixed_statuses: {exc}") from None
    aliases = {}
    for old, new in dict(t.get("status_aliases", {})).items():
        try:
            parse_status(str(new), unprefixed=unprefixed)
        except StatusError as exc:
            raise RegistryError(f"{where}: status_aliases.{old!r}: {exc}") from None
        aliases[" ".join(str(old).split())] = str(new)
    empty_status = t.get("empty_status")
    if empty_status is not None and empty_status != "Not Published":
        raise RegistryError(
            f"{where}: empty_status can only be 'Not Published' (what an export that leaves the "
            f"status of unpublished organisations empty means by it), not {empty_status!r}"
        )
    reference_columns, reference_sectors = {}, {}
    if "reference" in inputs:
        reference_columns = dict(need("reference_columns"))
        for key in REFERENCE_COLUMNS:
            need(key, reference_columns, "reference_columns.")
        reference_sectors = dict(need("reference_sectors"))
        bad = {k: v for k, v in reference_sectors.items() if v not in REFERENCE_ROLES}
        if bad:
            raise RegistryError(f"{where}: reference_sectors values must be one of {REFERENCE_ROLES}, not {bad}")
    scope_date = t.get("scope_date")
    if scope_date is not None and not isinstance(scope_date, dt.date):
        raise RegistryError(f"{where}: scope_date must be a TOML date, not {scope_date!r}")
    unknown = set(inputs) - set(REQUIRED_INPUTS) - set(REFERENCE_LISTS) - set(OPTIONAL_INPUTS)
    if unknown:
        raise RegistryError(f"{where}: unknown inputs {sorted(unknown)}")
    columns = dict(t.get("columns", {})) if export_sectors else dict(need("columns"))
    for key in REQUIRED_COLUMNS if not export_sectors else ():
        need(key, columns, "columns.")
    if era == "ccg" and "reference" not in inputs and not export_sectors:
        for key in ("sub_area_code", "sub_area_name"):
            need(key, columns, "columns.")  # the CCGs of the lookup are the scored commissioners
    overrides = []
    for i, o in enumerate(t.get("overrides", [])):
        ctx = f"overrides[{i}]."
        action = need("action", o, ctx)
        if action not in OVERRIDE_ACTIONS:
            raise RegistryError(f"{where}: {ctx}action must be one of {OVERRIDE_ACTIONS}, not {action!r}")
        if action == "set_status" and "status" not in o:
            raise RegistryError(f"{where}: {ctx}status is required for set_status")
        reason = " ".join(str(need("reason", o, ctx)).split())
        overrides.append(Override(str(need("code", o, ctx)).upper(), action, reason, o.get("status")))
    links = []
    for i, o in enumerate(t.get("successor_links", [])):
        ctx = f"successor_links[{i}]."
        date = need("date", o, ctx)
        if not isinstance(date, dt.date):
            raise RegistryError(f"{where}: {ctx}date must be a TOML date like 2023-04-01, not {date!r}")
        links.append(
            SuccessorLink(
                str(need("code", o, ctx)).upper(),
                str(need("successor", o, ctx)).upper(),
                date,
                " ".join(str(need("source", o, ctx)).split()),
            )
        )
    differences = []
    for i, o in enumerate(t.get("differences", [])):
        ctx = f"differences[{i}]."
        measure, words = o.get("measure"), o.get("this_report")
        if (measure is None) == (words is None):
            raise RegistryError(f"{where}: {ctx}give either measure or this_report")
        if measure is not None and str(measure).split(":")[0] not in MEASURES:
            raise RegistryError(f"{where}: {ctx}measure {measure!r} must start with one of {MEASURES}")
        differences.append(
            Difference(
                " ".join(str(need("figure", o, ctx)).split()),
                str(need("original", o, ctx)),
                " ".join(str(need("reason", o, ctx)).split()),
                measure,
                words,
            )
        )
    return Edition(
        id=ed_id,
        label=need("label"),
        dspt_edition=dspt_edition,
        snapshot=snapshot,
        era=era,
        area_label=t.get("area_label", "ICB" if era == "icb" else "ICS"),
        area_sector=area_sector,
        commissioner_sector=t.get("commissioner_sector", area_sector),
        commissioner_label=t.get("commissioner_label", t.get("area_label", "ICB")),
        inputs=inputs,
        columns=columns,
        previous=t.get("previous"),
        overrides=tuple(overrides),
        scope_date=scope_date,
        caveats=tuple(" ".join(str(c).split()) for c in t.get("caveats", [])),
        successor_links=tuple(links),
        differences=tuple(differences),
        reference_columns=reference_columns,
        reference_sectors=reference_sectors,
        banner=" ".join(str(t["banner"]).split()) if t.get("banner") else None,
        export_sectors=export_sectors,
        export_sector_aliases={str(k): str(v) for k, v in dict(t.get("export_sector_aliases", {})).items()},
        export_code_patterns=patterns,
        unprefixed_statuses=unprefixed,
        status_aliases=aliases,
        empty_status=empty_status,
    )


def registry_path(data_dir: str | Path | None = None) -> Path:
    """The registry to read: ``$OPEN_CYBER_REGISTRY``, else an ``editions.toml`` that the data
    directory carries itself (as the bundled sample does), else the project's ``editions.toml``."""
    env = settings.registry_file()
    if env is not None:
        return env
    if data_dir and (Path(data_dir) / "editions.toml").is_file():
        return (Path(data_dir) / "editions.toml").resolve()
    return settings.DEFAULT_REGISTRY


def load_registry(path: Path | None = None, data_dir: str | Path | None = None) -> dict[str, Edition]:
    """All editions of the registry (see :func:`registry_path`), newest snapshot first."""
    path = Path(path) if path else registry_path(data_dir)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path}: not valid TOML: {exc}") from None
    editions = [_edition_from_table(t, f"{path}: [[edition]] {i + 1}") for i, t in enumerate(raw.get("edition", []))]
    ids = [e.id for e in editions]
    if len(set(ids)) != len(ids):
        raise RegistryError(f"{path}: edition ids repeat: {ids}")
    editions.sort(key=lambda e: e.snapshot, reverse=True)
    return {e.id: e for e in editions}


def get_edition(edition_id: str, registry: Path | None = None, data_dir: str | Path | None = None) -> Edition:
    editions = load_registry(registry, data_dir)
    if edition_id not in editions:
        raise RegistryError(f"no edition {edition_id!r} in the registry (known: {', '.join(editions)})")
    return editions[edition_id]
