"""The steps that ``_quarto.yml`` at the root of the checkout runs around Quarto's own render, so
that ``quarto render`` and ``quarto preview`` there give the site that ``opencyber build`` gives.

- :func:`pre_render` builds the editions (:func:`opencyber.pipeline.build.build`, without its
  render), prepares every page once, writes each as a notebook in the checkout's root (the page
  names are the site's URLs, and Quarto names a page after its source's path), and the page list
  and navigation into ``build/quarto/pages.yml``, which ``_quarto.yml`` reads as a metadata file
  (Quarto 1.5+ reads the project's settings again after its pre-render scripts);
- Quarto renders them, execution off, into ``build/quarto/_site``;
- :func:`post_render` hands Quarto's output to the site assembly
  (:func:`opencyber.site.assemble.publish_rendered`): the offline scripts, titles, footer and
  downloads, the site published into ``_site/``, and the same files copied back over Quarto's output
  for ``quarto preview`` to serve.

The page notebooks in the root carry a mark (:data:`opencyber.site.quarto.PAGE_MARK`): a notebook
of the same name without it (someone's own) is never overwritten, and only marked pages that the
site no longer has are removed.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

from opencyber.errors import FolderError, RenderError
from opencyber.inputs.registry import load_registry
from opencyber.pipeline.build import build
from opencyber.settings import DEFAULT_BUILD, PROJECT_ROOT, data_dir
from opencyber.site import publish, quarto
from opencyber.site.assemble import publish_rendered
from opencyber.site.pages import prepare_pages

log = logging.getLogger(__name__)

#: what the root project's steps write in the build folder: the page list and navigation (a Quarto
#: metadata file), what the post-render step needs to know, and Quarto's output
QUARTO_DIR = "quarto"
PAGES_YML = "pages.yml"
STATE = "pages.json"
SITE_NAME = "_site"


def _quarto_dir(build_dir: Path) -> Path:
    return build_dir / QUARTO_DIR


def place_pages(pages: list, root: Path, before: list[str]) -> None:
    """Write the page notebooks into ``root``; first check that none would overwrite a notebook the
    build did not write, then remove the pages of ``before`` (the last render's) that the site no
    longer has, if they are still the build's."""
    names = {p.name for p in pages}
    theirs = [
        f"{p.name}.ipynb"
        for p in pages
        if (root / f"{p.name}.ipynb").exists() and not quarto.is_page_notebook(root / f"{p.name}.ipynb")
    ]
    if theirs:
        raise FolderError(
            f"{root}: {', '.join(theirs)} would be overwritten by a page of the site, and the build did not write "
            f"{'it' if len(theirs) == 1 else 'them'}: move {'it' if len(theirs) == 1 else 'them'} elsewhere "
            "(edition notebooks belong in notebooks/)"
        )
    for name in before:
        old = root / f"{name}.ipynb"
        if name not in names and quarto.is_page_notebook(old):
            old.unlink()
            log.info(f"  removed {old.name} (no longer a page of the site)")
    quarto.write_pages(pages, root)


def pre_render(root: Path = PROJECT_ROOT, build_dir: Path = DEFAULT_BUILD, data: Path | None = None) -> None:
    """Quarto's pre-render step: build the editions (from ``data``, else ``$OPEN_CYBER_DATA``, else
    ``data/``, else the sample, as ``opencyber build``), then write the pages and ``pages.yml``."""
    result = build(data or data_dir(), build_dir=build_dir, site_dir=root / SITE_NAME, render=False)
    folder = _quarto_dir(build_dir)
    with publish.exclusive(folder, "the Quarto pages"):
        state_file = folder / STATE
        before = json.loads(state_file.read_text(encoding="utf-8"))["pages"] if state_file.is_file() else []
        pages = prepare_pages(result.editions, build_dir)
        place_pages(pages, root, before)
        (folder / PAGES_YML).write_text(
            quarto.dump_yaml(
                quarto.pages_config(pages),
                "# Written by Quarto's pre-render step (scripts/quarto_project.py): the site's pages and navigation.\n",
            ),
            encoding="utf-8",
        )
        state = {
            "data": str(result.data),
            "editions": [e.id for e in result.editions],
            "pages": [p.name for p in pages],
        }
        state_file.write_text(json.dumps(state, indent=1) + "\n", encoding="utf-8")
    log.info(f"Quarto pre-render: {len(pages)} page(s) written into {root}")


def rendered_files(root: Path) -> list[Path]:
    """The files Quarto says it wrote in this render (``$QUARTO_PROJECT_OUTPUT_FILES``, or the file
    that ``$QUARTO_USE_FILE_FOR_PROJECT_OUTPUT_FILES`` names), relative to ``root``."""
    listed = os.environ.get("QUARTO_PROJECT_OUTPUT_FILES", "")
    named = os.environ.get("QUARTO_USE_FILE_FOR_PROJECT_OUTPUT_FILES")
    if named and Path(named).is_file():
        listed = Path(named).read_text(encoding="utf-8")
    return [root / line.strip() for line in listed.splitlines() if line.strip()]


def post_render(root: Path = PROJECT_ROOT, build_dir: Path = DEFAULT_BUILD) -> None:
    """Quarto's post-render step: keep each page as Quarto wrote it (``build/quarto/rendered/``: a
    later render of some pages only, such as ``quarto preview`` after an edit, writes just those),
    assemble the site from those pages, publish it into ``_site/`` and put it where Quarto's output
    is, which ``quarto preview`` serves."""
    folder = _quarto_dir(build_dir)
    output = Path(os.environ.get("QUARTO_PROJECT_OUTPUT_DIR") or folder / "_site")
    output = output if output.is_absolute() else root / output
    state_file = folder / STATE
    if not state_file.is_file():
        raise RenderError(f"{state_file} is missing: the pre-render step of _quarto.yml did not run")
    state = json.loads(state_file.read_text(encoding="utf-8"))
    registry = load_registry(data_dir=Path(state["data"]))
    missing = [e for e in state["editions"] if e not in registry]
    if missing:
        raise RenderError(f"edition(s) {', '.join(missing)} rendered by Quarto are no longer in the registry")
    editions = [registry[e] for e in state["editions"]]
    pristine = folder / "rendered"
    if os.environ.get("QUARTO_PROJECT_RENDER_ALL") and pristine.is_dir():
        shutil.rmtree(pristine)
    pristine.mkdir(parents=True, exist_ok=True)
    for page in rendered_files(root):
        if page.suffix == ".html" and page.parent == output and page.is_file():
            shutil.copy2(page, pristine / page.name)
    with tempfile.TemporaryDirectory(prefix="oc-quarto-", dir=folder) as tmp:
        view = Path(tmp) / "_site"  # Quarto's output with each page as Quarto wrote it
        shutil.copytree(
            output, view, ignore=lambda d, names: [n for n in names if Path(d) == output and n.endswith(".html")]
        )
        for page in pristine.glob("*.html"):
            shutil.copy2(page, view / page.name)
        publish_rendered(editions, build_dir, root / SITE_NAME, view, served=output)
