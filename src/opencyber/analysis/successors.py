"""Which organisation took over which, across the editions: from the registry's documented links, the
ODS successor files, the reference files' successor columns and the sub-ICB lookups."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from opencyber.inputs.registry import Edition


def successor_links(editions: list[Edition], data_dir: Path | None) -> dict[str, dict[str, set]]:
    """Predecessor/successor links from the editions' inputs: the registry's documented
    ``successor_links``, a ``successors`` file (ODS ``succ``), a ``reference`` file's successor
    column, and the sub-ICB lookup (a CCG / sub-ICB location -> its
    ICB). ``{"successors": {code: {(code, source)}}, "predecessors": {...}}``."""
    from opencyber.inputs import ods, reference_file

    succ: dict[str, set] = {}
    pred: dict[str, set] = {}

    def link(a: str, b: str, source: str) -> None:
        if a and b and a != b:
            succ.setdefault(a, set()).add((b, source))
            pred.setdefault(b, set()).add((a, source))

    for ed in editions:  # documented in the registry (a change log's words): no file to read
        for x in ed.successor_links:
            link(x.code, x.successor, x.source)
    if data_dir is None:
        return {"successors": succ, "predecessors": pred}
    for ed in editions:
        for path in ed.input_paths("successors", data_dir):
            if path.is_file():
                for r in ods.read_ods_successors(path).itertuples():
                    link(r.code, r.successor_code, f"ODS successor file ({ed.label})")
        if "reference" in ed.inputs and ed.reference_columns:
            path = ed.input_path("reference", data_dir)
            if path.is_file():
                ref = reference_file.read_reference(path, ed.reference_columns, ed.columns, ed.reference_sectors)
                for r in ref.itertuples():
                    for s in r.successors:
                        link(r.code, s, f"ODS successor ({ed.label} reference file)")
        sub = ed.columns.get("sub_area_code")
        if ed.era == "icb" and sub and "area_lookup" in ed.inputs:
            path = ed.input_path("area_lookup", data_dir)
            if path.is_file():
                lk = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
                for a, b in zip(lk[sub].str.upper(), lk[ed.columns["area_code"]].str.upper()):
                    link(
                        a,
                        b,
                        f"ONS sub-ICB location to ICB lookup ({ed.label}): the CCG became a sub-ICB location of this ICB",
                    )
    return {"successors": succ, "predecessors": pred}
