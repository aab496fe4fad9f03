"""The bundled sample edition as a newcomer gets it: ``opencyber build`` with no data at all builds
it, says so and says how to get the real data; every page carries the "fictional" banner; the page
carries each map geometry once."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from opencyber.cli import main
from opencyber.inputs import locations


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory):
    """The site built by ``opencyber build`` on a machine with no data directory."""
    tmp = tmp_path_factory.mktemp("sample")
    import io
    from contextlib import redirect_stdout

    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:  # undone even if the build raises
        mp.delenv("OPEN_CYBER_DATA", raising=False)
        mp.delenv("OPEN_CYBER_REGISTRY", raising=False)
        (tmp / "data").mkdir()  # the checkout's data/ as a fresh clone has it: no export
        mp.setattr(locations, "default_data_dir", lambda: tmp / "data")
        with redirect_stdout(out):
            rc = main(
                ["build", "--renderer", "nbconvert", "--build-dir", str(tmp / "build"), "--site-dir", str(tmp / "site")]
            )
    return rc, out.getvalue(), tmp / "site"


def test_build_without_data_builds_the_sample_and_says_how_to_get_real_data(sample_site):
    rc, out, site = sample_site
    assert rc == 0
    assert "building the bundled FICTIONAL sample edition from data/sample" in out
    assert "unpack the DSPT data pack into data/ (or give --data DIR)" in out
    assert "data/README.md" in out and "python -m opencyber fetch --data data" in out
    assert sorted(p.name for p in site.glob("*.html")) == [
        "accessibility.html",
        "data.html",
        "finder.html",
        "index.html",
        "methodology.html",
        "sample-curation.html",
        "sample-scoring.html",
        "sample.html",
        "sectors.html",
        "trends.html",
    ]


def test_every_sample_page_says_the_data_are_fictional(sample_site):
    _, _, site = sample_site
    for page in sorted(site.glob("*.html")):
        html = page.read_text(encoding="utf-8")
        assert re.search(
            r'<p class="oc-banner" role="note">Sample data: every organisation, code, area and status '
            r"on this page is fictional\.",
            html,
        ), page.name


def test_no_page_has_an_image_without_alt_text(sample_site):
    """The site's nbconvert renderer skips nbconvert's last pass, which gave such images a
    placeholder: the pages must have none (a chart or map is never an image)."""
    _, _, site = sample_site
    for page in sorted(site.glob("*.html")):
        html = page.read_text(encoding="utf-8")
        assert not [tag for tag in re.findall(r"<img\b[^>]*>", html) if not re.search(r"\balt=", tag)], page.name


def test_the_sample_data_page_does_not_call_its_figures_public_data(sample_site):
    _, _, site = sample_site
    text = (site / "data.html").read_text(encoding="utf-8")
    assert "fictional sample data" in text and "Open Government Licence v3.0;" not in text


def _map_state(site, name: str) -> tuple[dict, dict]:
    """The widget state and the shared geometries of a page's maps, which the site keeps apart from
    the page (assets/maps/<page>.js, loaded with the maps: render.externalise_map_state)."""
    html = (site / f"{name}.html").read_text(encoding="utf-8")
    assert re.search(
        r'<script type="application/vnd.jupyter.widget-state\+json"></script>', html
    )  # filled when the maps load
    assert 'id="oc-geometries"' not in html and f'"assets/maps/{name}.js"' in html
    text = (site / "assets" / "maps" / f"{name}.js").read_text(encoding="utf-8")
    m = re.fullmatch(r"window\.OpenCyber\.mapState\((.*)\);\n", text, re.S)
    decoder = json.JSONDecoder()
    state, end = decoder.raw_decode(m.group(1))
    store, _ = decoder.raw_decode(m.group(1)[end + 1 :])
    return state, store


def test_the_page_keeps_its_text_and_its_maps_apart(sample_site):
    """The page's text comes without its maps' data, which is most of its bytes."""
    _, _, site = sample_site
    html = (site / "sample.html").read_text(encoding="utf-8")
    state, _ = _map_state(site, "sample")
    assert len(json.dumps(state)) > len(html) / 4


def test_each_map_geometry_is_carried_once_in_the_page(sample_site):
    _, _, site = sample_site
    state, store = _map_state(site, "sample")
    geometries = [
        f["geometry"]
        for m in state["state"].values()
        if m["model_name"] == "LeafletGeoJSONModel"
        for f in m["state"]["data"]["features"]
    ]
    refs = Counter(g["ref"] for g in geometries if g["type"] == "OcGeometryRef")
    # the 5 ICB polygons are drawn by both maps: stored once, referenced twice each
    assert len(store) == 5 and set(refs) == set(store) and set(refs.values()) == {2}
    inline = [json.dumps(g, sort_keys=True) for g in geometries if g["type"] != "OcGeometryRef"]
    stored = [json.dumps(g, sort_keys=True) for g in store.values()]
    assert len(set(inline + stored)) == len(inline + stored)  # no geometry written twice


def _site_package_phrases() -> dict[str, str]:
    """Every phrase of four words or more in a string literal of the site package
    (src/opencyber/site/*.py; docstrings aside), HTML tags removed, with where it is."""
    import html
    from pathlib import Path

    import opencyber.site
    from tests.literals import string_literals

    phrases = {}
    for path in sorted(Path(opencyber.site.__file__).parent.glob("*.py")):
        for line, value in string_literals(path):
            for part in re.split(r"<[^>]*>|[\n{}]", html.unescape(value)):
                text = " ".join(part.split())
                if len(re.findall(r"[A-Za-z]{2,}", text)) >= 4:
                    phrases[text] = f"{path.name}:{line}"
    return phrases


def _reader_text(page: str) -> str:
    """What a reader of a page sees or hears: its text (not scripts or styles) and the labels,
    placeholders, titles and alternative texts of its elements."""
    import html

    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    attributes = re.findall(r'\b(?:aria-label|placeholder|title|alt)="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html.unescape(" ".join([text, *attributes])).split())


def test_no_reader_sentence_is_a_string_literal_of_the_site_package(sample_site):
    """The words on the pages come from the notebooks (notebooks/, pages/), the report's modules,
    the registry, the documents, site.toml and _quarto.yml, and the templates: none is a string
    literal of the site package (src/opencyber/site/), which only assembles the pages."""
    _, _, site = sample_site
    phrases = _site_package_phrases()
    assert len(phrases) > 20, "the site package has hardly any text: this test checks nothing"
    pages = {p.name: _reader_text(p.read_text(encoding="utf-8")) for p in sorted(site.glob("*.html"))}
    assert len(pages) == 10
    found = [
        f"{where}: {text!r} on {name}" for text, where in phrases.items() for name, t in pages.items() if text in t
    ]
    assert found == [], "\n".join(found)
