"""The Quarto renderer: prepared pages -> HTML with ``quarto render``.

The site's settings are those of ``_quarto.yml`` at the root of the checkout (:func:`root_config`),
the Quarto project that ``quarto render`` and ``quarto preview`` there render
(:mod:`opencyber.pipeline.quarto_project` runs the build around them). For ``opencyber build
--renderer quarto``, this module writes the prepared pages (:class:`opencyber.site.pages.PreparedPage`)
as notebooks into a project of the build's own (``build/site-src/``: a ``_quarto.yml`` with the
root's settings, the page list and the navigation from the registry, the site's assets and
downloads), runs ``quarto render`` there into a temporary folder and hands the HTML back to the site
assembly (:mod:`opencyber.site.assemble`), which does the rest exactly as for the nbconvert renderer.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import nbformat
import yaml

from opencyber.errors import RenderError
from opencyber.site.identity import root_config

log = logging.getLogger(__name__)

NAME = "quarto"
SOURCE_DIR = "site-src"


def version() -> str:
    quarto = shutil.which("quarto")
    if quarto is None:
        return "absent"
    proc = subprocess.run([quarto, "--version"], capture_output=True, text=True)
    return proc.stdout.strip() or "unknown"


def _yaml(value) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON scalars and lists are YAML


#: the root project's settings that only its own render uses (its scripts and folders); the site's
#: settings are the rest
ROOT_ONLY = ("pre-render", "post-render", "output-dir", "render")
#: the mark of a page notebook written by the build (so that it is never confused with an analyst's)
PAGE_MARK = "opencyber-page"


def quarto_navbar(nav: list[dict]) -> list[dict]:
    """The site's navigation (:func:`opencyber.site.pages.navigation`) as Quarto navbar entries: an
    edition is a menu of its three pages."""

    def src(href: str) -> str:
        return href.removesuffix(".html") + ".ipynb"

    left: list[dict] = []
    for item in nav:
        if item["children"]:
            menu = [{"text": item["menu_text"], "href": src(item["href"])}]
            menu += [{"text": c["text"], "href": src(c["href"])} for c in item["children"]]
            left.append({"text": item["text"], "menu": menu})
        else:
            left.append({"text": item["text"], "href": src(item["href"])})
    return left


def pages_config(pages: list) -> dict:
    """What the build adds to the settings of ``_quarto.yml``: the page list and the navigation."""
    nav = [dict(i, current=False) for i in (pages[0].nav if pages else [])]
    return {
        "project": {"render": [f"{p.name}.ipynb" for p in pages]},
        "website": {"navbar": {"left": quarto_navbar(nav)}},
    }


def site_config(pages: list) -> dict:
    """The settings of the project that ``opencyber build --renderer quarto`` renders: those of the
    root's ``_quarto.yml`` (but for :data:`ROOT_ONLY` and its ``metadata-files``), the page list and
    the navigation (:func:`pages_config`), and the site's assets and downloads as resources."""
    config = copy.deepcopy(root_config())
    config.pop("metadata-files", None)
    project = {k: v for k, v in (config.get("project") or {}).items() if k not in ROOT_ONLY}
    added = pages_config(pages)
    project |= {"output-dir": "_site", "render": added["project"]["render"], "resources": ["assets/**", "downloads/**"]}
    config["project"] = project
    website = config.setdefault("website", {}) or {}
    website["navbar"] = (website.get("navbar") or {}) | added["website"]["navbar"]
    config["website"] = website
    return config


def dump_yaml(config: dict, header: str) -> str:
    return header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=100)


def quarto_config(pages: list) -> str:
    """The build's own project's ``_quarto.yml``: a website of exactly these pages."""
    return dump_yaml(
        site_config(pages),
        "# Written by `opencyber build --renderer quarto` from _quarto.yml at the root of the checkout and\n"
        "# editions.toml: do not edit (edit those).\n",
    )


def page_notebook(page) -> nbformat.NotebookNode:
    """A prepared page as the notebook Quarto renders: front matter (the page's title, plotly.js
    when it has a chart), the site's fragments as raw HTML, then the page's cells."""
    from opencyber.site.assets import lazy_scripts_html

    nb = copy.deepcopy(page.nb)
    front = ["---", f"pagetitle: {_yaml(page.title)}"]  # the site assembly sets the final <title>
    if page.has_chart:
        front += ["include-in-header:", "  - text: |", "      " + lazy_scripts_html("charts", ["assets/plotly.min.js"])]
    front.append("---")
    cells = [nbformat.v4.new_raw_cell("\n".join(front))]
    fragments = "".join(page.fragments.values()).strip()
    if fragments:
        cells.append(nbformat.v4.new_markdown_cell("```{=html}\n" + fragments + "\n```"))
    for i, cell in enumerate(cells):
        cell["id"] = f"oc-site-{i}"
    nb.cells = cells + nb.cells
    nb.metadata[PAGE_MARK] = {
        "page": page.name,
        "note": "A page of the site, written by the build from its executed notebooks: edit notebooks/, pages/ or the site's code instead",
    }
    return nb


def is_page_notebook(path: Path) -> bool:
    """Whether ``path`` is a page notebook that the build wrote (:func:`page_notebook`)."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(nb, dict) and PAGE_MARK in (nb.get("metadata") or {})


def write_pages(pages: list, folder: Path) -> None:
    """Write the prepared pages as the notebooks Quarto renders into ``folder``; a page whose
    notebook is already there as it would be written is left untouched (``quarto preview`` watches
    the files: a rewrite would render it again)."""
    for page in pages:
        path = folder / f"{page.name}.ipynb"
        text = nbformat.writes(page_notebook(page)) + "\n"
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


def write_source(editions, build_dir: Path, banner: str = "", pages: list | None = None) -> Path:
    """Write the Quarto project of the site into ``build_dir/site-src`` (the prepared pages, the
    generated ``_quarto.yml``, the assets and downloads) and return its folder."""
    from opencyber.site.assets import copy_assets
    from opencyber.site.pages import prepare_pages

    build_dir = Path(build_dir)
    pages = pages if pages is not None else prepare_pages(editions, build_dir, banner)
    src = build_dir / SOURCE_DIR
    for old in list(src.glob("*.ipynb")) + [src / "_site", src / "downloads"]:
        if old.is_dir():
            shutil.rmtree(old)
        elif old.exists():
            old.unlink()
    src.mkdir(parents=True, exist_ok=True)
    write_pages(pages, src)
    (src / "_quarto.yml").write_text(quarto_config(pages), encoding="utf-8")
    copy_assets(src)
    for ed in editions:
        dl = src / "downloads" / ed.id
        dl.mkdir(parents=True, exist_ok=True)
        for csv in sorted((build_dir / ed.id).glob("*.csv")):
            shutil.copy2(csv, dl / csv.name)
    return src


_PAGE_LINE = re.compile(r"\[\s*\d+/\d+\]\s+(\S+)")


def _failure(stdout: str, stderr: str) -> str:
    """One line: the page Quarto stopped on and its message."""
    text = (stdout + "\n" + stderr).splitlines()
    pages = [m.group(1) for line in text for m in [_PAGE_LINE.search(line)] if m]
    messages = [ln.strip() for ln in stderr.splitlines() if ln.strip() and not _PAGE_LINE.search(ln)]
    errors = [m for m in messages if m.upper().startswith("ERROR")] or messages
    message = errors[0] if errors else "no message"
    where = f"page {Path(pages[-1]).stem}: " if pages else ""
    return f"{where}{message}"


def render(pages: list, out_dir: Path, assets, *, build_dir: Path, editions, **_) -> None:
    """Render the prepared pages with ``quarto render`` and copy the result into ``out_dir``."""
    quarto = shutil.which("quarto")
    if quarto is None:
        raise RenderError("quarto is not on PATH (install Quarto, or use --renderer nbconvert)")
    src = write_source(editions, build_dir, pages=pages)
    with tempfile.TemporaryDirectory(prefix="oc-quarto-") as tmp:
        rendered = Path(tmp) / "_site"
        proc = subprocess.run(
            [quarto, "render", "--output-dir", str(rendered), "--no-execute"],
            cwd=src,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise RenderError(f"quarto render failed: {_failure(proc.stdout, proc.stderr)}; the previous site is kept")
        copy_rendered(rendered, out_dir, pages)


def copy_rendered(rendered: Path, out_dir: Path, pages: list) -> None:
    """Copy what Quarto rendered into ``out_dir`` (a release the site assembly is writing), but for
    the assets and downloads, which the assembly copies itself."""
    if not rendered.is_dir():
        return
    for item in rendered.iterdir():
        if item.name in ("assets", "downloads"):
            continue
        target = out_dir / item.name
        if item.is_dir():
            shutil.copytree(item, target, dirs_exist_ok=True)
        else:
            shutil.copy2(item, target)
    for page in pages:
        out = out_dir / f"{page.name}.html"
        if out.is_file():
            log.info(f"  page {out.name}: {out.stat().st_size:,} bytes")
