"""A curated reference file of an edition's organisations (the 2020/21 metric file, R write.csv): code, name, sector, close date, successors, area."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from opencyber import cache
from opencyber.errors import InputError
from opencyber.inputs import schemas as v
from opencyber.inputs.dspt_export import STATUS_OR_EMPTY
from opencyber.inputs.lists import check_one_name_per_code
from opencyber.inputs.records import normalise_codes, pick_column, read_table


def reference_schema(sectors: dict[str, str]):
    return v.schema(
        {
            "code": v.code_column(),
            "sector": v.text(v.one_of(sectors, "unknown sector")),
            "close_date": v.text(v.DATE_ISO),
            "successor_code": v.text(v.CODE),
            "successor_status": v.text(STATUS_OR_EMPTY),
        },
        "organisation reference",
    )


@cache.of_file("inputs")
def read_reference(
    path: Path, columns: dict[str, str], area_columns: dict[str, str], sectors: dict[str, str]
) -> pd.DataFrame:
    """Read a curated organisation reference file (e.g. the 2020/21 ``dspt_metric`` file, R ``write.csv``).

    ``columns`` names the file's columns for code, name, sector, close_date, successor_code,
    successor_status and trust_area_code; ``area_columns`` those of the commissioners' area and region
    (area_code, area_name, region_code, region_name); ``sectors`` maps the sector column's values to
    the roles trust, commissioner, csu. R's ``NA`` is read as empty. An organisation listed on several
    rows (one per successor, like RW6) becomes one row with several successors; rows of one code that
    differ otherwise are an error. ``attrs["areas"]`` holds the areas and regions of the commissioners.
    """
    path = Path(path)
    df, _ = read_table(path)
    df = df.replace("NA", "")
    col = {
        role: pick_column(
            path,
            df,
            role.replace("_", " "),
            (name,),
            key=f"[edition.{'reference_columns' if role in columns else 'columns'}] {role}",
        )
        for role, name in {**columns, **area_columns}.items()
        if role in (*columns, "area_code", "area_name", "region_code", "region_name")
    }
    out = pd.DataFrame({role: df[c] for role, c in col.items()})
    out["line"] = df["line"]
    if out.empty:
        raise InputError(path, "the reference file has a header but no organisations")
    repairs = normalise_codes(path, out, "code", col["code"])
    out["successor_code"] = out["successor_code"].str.upper()
    v.validate(out, reference_schema(sectors), path, col)
    out["role"] = out["sector"].map(sectors)
    out["successor_code"] = out["successor_code"].str.upper()
    # the commissioners' areas; trusts carry their own area code (e.g. STPCDH)
    is_comm = out["role"] == "commissioner"
    out["trust_area_code"] = out["trust_area_code"].str.upper()
    out["area_code"] = out["area_code"].str.upper().where(is_comm, out["trust_area_code"])
    areas = out[is_comm][["area_code", "area_name", "region_code", "region_name", "line"]]
    check_one_name_per_code(path, areas, {k: col[k] for k in ("area_name", "region_name")})
    areas = areas.drop_duplicates("area_code").sort_values("area_code").reset_index(drop=True)
    # one row per organisation, its successors gathered
    keep = ["code", "name", "sector", "role", "close_date", "area_code"]
    rows = []
    for code, g in out.groupby("code", sort=False):
        if len(g[keep].drop_duplicates()) > 1:
            raise InputError(
                path,
                f"code {code} appears on lines {', '.join(map(str, g['line']))} with different values",
                line=int(g["line"].iloc[1]),
                column=col["code"],
                value=code,
            )
        first = g.iloc[0]
        succ = g[g["successor_code"] != ""]
        rows.append(
            {
                **{k: first[k] for k in keep},
                "line": int(first["line"]),
                "successors": list(succ["successor_code"]),
                "successor_statuses": list(succ["successor_status"]),
                "rows": len(g),
            }
        )
    result = pd.DataFrame(rows)
    merged = int((result["rows"] > 1).sum())
    if merged:
        repairs["rows of one organisation with several successors merged"] = merged
    result.attrs["repairs"] = dict(repairs)
    result.attrs["areas"] = areas
    return result
