"""The website: executed notebooks and narrative pages -> ``_site/``, one site assembly for both renderers.

:func:`prepare_pages` prepares every page once (map checks dropped, repeated geometries shared, the
banner, previous/next links and geometry store as HTML fragments, the title, the navigation from the
registry). A renderer only turns those prepared pages into HTML files in a staging folder:
:mod:`opencyber.site.nbconvert` (nbconvert and the ``opencyber`` template, always available) or
:mod:`opencyber.site.quarto` (``quarto render`` of a project generated at build time). Then
:func:`render_site` does the rest the same way for both: the site's assets, the downloads, every
page's title, the CDN script tags replaced by the site's own copies (only basemap tiles come from
outside), the check that every page was written, and the swap into ``site_dir``: the site is
assembled aside and moved into place only when complete, so a failed build never leaves a
half-written site."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path

from opencyber.errors import RenderError
from opencyber.inputs.registry import Edition
from opencyber.report import publication
from opencyber.settings import PROJECT_ROOT
from opencyber.site import downloads, identity, publish
from opencyber.site.assets import STATIC, TEMPLATES, WIDGETS_SRC, copy_assets
from opencyber.site.css import write_text_css
from opencyber.site.html import (
    CdnScriptError,
    add_publication,
    externalise_map_state,
    localise_scripts,
    quarto_header,
    set_title,
    wrap_plain_tables,
)
from opencyber.site.pages import edition_pages, prepare_pages
from opencyber.stages import ACROSS_DIR as ACROSS
from opencyber.stages import SITE_PAGES

log = logging.getLogger(__name__)


def site_digest(editions: list[Edition], build_dir: Path, banner: str, renderer: str) -> str:
    """A digest of everything the site is made from: each page's source, the editions' outputs, the
    registry entries, the library's code (the whole package, as the cache has it: the site's pages
    are written by modules of every floor), the templates and scripts, the installed packages (the
    renderers among them) and the renderer used."""
    from dataclasses import asdict

    from opencyber import cache

    h = hashlib.sha256(json.dumps([asdict(e) for e in editions], sort_keys=True, default=str).encode())
    h.update(banner.encode() + b"\0" + renderer.encode() + b"\0" + publication.digest_text().encode())
    files = [build_dir / "pages" / f"{p.name}.ipynb" for ed in editions for p in edition_pages(ed, build_dir / "pages")]
    files += [build_dir / "pages" / f"{name}.ipynb" for name in SITE_PAGES]  # the site's own pages (pages/)
    files += sorted(f for ed in editions for f in (build_dir / ed.id).glob("*.csv"))
    files += sorted((build_dir / ACROSS).glob("*"))  # the outputs across editions (finder, trends, sectors)
    h.update(cache.environment_digest().encode())
    files += sorted(TEMPLATES.rglob("*")) + sorted(STATIC.rglob("*")) + sorted(WIDGETS_SRC.rglob("*"))
    # the documents the pages include are in the site's own executed pages above (pipeline.site_pages)
    files.append(PROJECT_ROOT / "package-lock.json")
    files.append(identity.ROOT_CONFIG)  # the site's name and tagline (both renderers), Quarto's settings
    for f in files:
        if f.is_file():
            h.update(str(f.name).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


RENDERERS = ("nbconvert", "quarto")


def choose_renderer(renderer: str = "auto") -> str:
    """``auto`` is Quarto when ``quarto`` is on PATH, else the built-in nbconvert renderer."""
    if renderer == "auto":
        return "quarto" if shutil.which("quarto") else "nbconvert"
    if renderer not in RENDERERS:
        raise RenderError(f"unknown renderer {renderer!r}: choose auto, quarto or nbconvert")
    if renderer == "quarto" and not shutil.which("quarto"):
        raise RenderError("--renderer quarto: quarto is not on PATH (install Quarto, or use --renderer nbconvert)")
    return renderer


def _renderer_module(renderer: str):
    from opencyber.site import nbconvert, quarto

    return quarto if renderer == "quarto" else nbconvert


def copy_across(build_dir: Path, site: Path) -> None:
    """The outputs across editions (build/all-editions): the finder's JSON under assets/data (each
    also as a script, ``window.OC_<NAME>``, for a site opened from files, where fetch() cannot read),
    the CSVs under downloads/all-editions, and the finder's script and styles."""
    across = build_dir / ACROSS
    for name in ("finder.js", "finder.css"):
        shutil.copy2(STATIC / name, site / "assets" / name)
    if not across.is_dir():
        return
    data = site / "assets" / "data"
    data.mkdir(parents=True, exist_ok=True)
    dl = site / "downloads" / ACROSS
    dl.mkdir(parents=True, exist_ok=True)
    for f in sorted(across.glob("*.json")):
        shutil.copy2(f, data / f.name)
        var = "OC_" + f.stem.upper()
        (data / f"{f.stem}.js").write_text(
            f"window.{var}=" + f.read_text(encoding="utf-8").strip() + ";\n", encoding="utf-8"
        )
    for f in sorted(across.glob("*.csv")):
        downloads.copy_csv(f, dl / f.name)


def render_site(
    editions: list[Edition], build_dir: Path, site_dir: Path, *, banner: str = "", renderer: str = "nbconvert"
) -> list[Path]:
    """Render the site for ``editions`` (newest first) into ``site_dir``, atomically, with
    ``renderer`` (``nbconvert``, ``quarto`` or ``auto``).

    Both renderers are fed the same prepared pages and their output goes through the same assembly:
    the site's assets and downloads, the local copies of the scripts, the check that every page
    was written, the swap into ``site_dir``. Nothing is rendered when the site in ``site_dir`` was
    made from the same sources."""
    build_dir, site_dir = Path(build_dir), Path(site_dir)
    renderer = choose_renderer(renderer)
    module = _renderer_module(renderer)
    digest = site_digest(editions, build_dir, banner, f"{renderer} {module.version()}")
    with publish.exclusive(publish.releases_dir(site_dir), "the site"):
        publish.claim_site_dir(site_dir)
        if publish.manifest(site_dir).get("digest") == digest:
            log.info(f"Website unchanged: {site_dir / 'index.html'} (nothing to render)")
            return sorted(site_dir.glob("*.html"))
        return _render_site(editions, build_dir, site_dir, banner, renderer, module.render, digest)


def publish_rendered(
    editions: list[Edition], build_dir: Path, site_dir: Path, rendered: Path, served: Path | None = None
) -> list[Path]:
    """Assemble the site from the pages Quarto rendered into ``rendered`` (the root project's
    ``quarto render``: :mod:`opencyber.pipeline.quarto_project`) exactly as :func:`render_site` does
    with its own Quarto render, publish it into ``site_dir``, then copy it over ``served`` (what
    ``quarto preview`` serves), so that the preview makes no CDN request either."""
    from opencyber.site import quarto

    build_dir, site_dir, rendered = Path(build_dir), Path(site_dir), Path(rendered)
    digest = site_digest(editions, build_dir, "", f"quarto {quarto.version()}")

    def render(pages, out_dir, assets, **_):  # Quarto has rendered: its pages are taken as they are
        quarto.copy_rendered(rendered, out_dir, pages)

    with publish.exclusive(publish.releases_dir(site_dir), "the site"):
        publish.claim_site_dir(site_dir)
        pages = _render_site(editions, build_dir, site_dir, "", "quarto", render, digest)
        if served is not None:
            shutil.copytree(site_dir, served, dirs_exist_ok=True, ignore=shutil.ignore_patterns(publish.MANIFEST))
    return pages


def _render_site(
    editions, build_dir: Path, site_dir: Path, banner: str, renderer: str, render, digest: str
) -> list[Path]:
    log.info(f"Rendering the website into {site_dir} ({renderer}) ...")
    publisher = publication.load_publisher()
    if publication.missing_contact(publisher):
        log.warning(
            f"WARNING: {publication.SITE_FILE.name} sets no {' and no '.join(publication.missing_contact(publisher))}: "
            "the pages say that this copy of the report has no contact address yet (set them before publishing)"
        )
    footer = publication.footer_html(publisher)
    edition_of = {p.name: ed for ed in editions for p in edition_pages(ed, build_dir / "pages")}
    prepared = prepare_pages(editions, build_dir, banner)
    tmp = publish.new_release(site_dir)
    try:
        assets = copy_assets(tmp)
        render(prepared, tmp, assets, build_dir=build_dir, editions=editions)
        missing = [p.name for p in prepared if not (tmp / f"{p.name}.html").is_file()]
        if missing:
            raise RenderError(
                f"{renderer} wrote no {missing[0]}.html ({len(missing)} of {len(prepared)} page(s) missing); the previous site is kept"
            )
        htmls = {p.name: (tmp / f"{p.name}.html").read_text(encoding="utf-8") for p in prepared}
        write_text_css(
            tmp / "assets",
            list(htmls.values()) if assets.widgets else [htmls[p.name] for p in prepared if not p.has_widgets],
            [htmls[p.name] for p in prepared if p.has_widgets],
        )
        for page in prepared:
            out = tmp / f"{page.name}.html"
            text = out.read_text(encoding="utf-8")
            try:
                local = quarto_header(wrap_plain_tables(set_title(localise_scripts(text, assets), page.title)))
                local = externalise_map_state(local, page.name, tmp / "assets")
                ed = edition_of.get(page.name)
                local = add_publication(local, footer, publication.dates_html(ed) if ed else "")
            except CdnScriptError as exc:
                raise RenderError(f"page {out.name}: {exc}; the previous site is kept") from None
            if local != text:
                out.write_text(local, encoding="utf-8")
        for ed in editions:
            dl = tmp / "downloads" / ed.id
            dl.mkdir(parents=True, exist_ok=True)
            for csv in sorted((build_dir / ed.id).glob("*.csv")):
                downloads.copy_csv(csv, dl / csv.name)
        copy_across(build_dir, tmp)
    except BaseException:  # a failed or interrupted render leaves no partial site behind
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    publish.switch(site_dir, tmp, {"digest": digest, "editions": [ed.id for ed in editions]})
    log.info(f"Website ready: {site_dir / 'index.html'}")
    return [site_dir / f"{p.name}.html" for p in prepared]
