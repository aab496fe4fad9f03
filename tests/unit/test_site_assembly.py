"""The one site assembly that both renderers feed: the CDN rewrite, the title, the renderer switch,
and the atomic contract when a renderer fails (Quarto simulated by a fake ``quarto`` on PATH)."""

from __future__ import annotations

import hashlib
import os
import stat

import pytest

from opencyber.errors import RenderError
from opencyber.site import assemble as render
from opencyber.site import css as site_css
from opencyber.site import geometry as site_geometry
from opencyber.site import html as site_html
from opencyber.site.assets import Assets
from opencyber.site.html import localise_scripts, set_title
from opencyber.stages import SITE_PAGES

ASSETS = Assets(
    "assets/require.js",
    "assets/html-manager/embed-amd.js",
    "assets/plotly.min.js",
    {"jupyter-leaflet": "assets/jupyter-leaflet/index"},
    True,
)

QUARTO_LIKE = """<!DOCTYPE html>
<html lang="en-GB"><head>
<title>Sample edition – Open Cyber</title>
<script src="site_libs/quarto-nav/quarto-nav.js"></script>
<script src="https://cdn.jsdelivr.net/npm/jquery@3.5.1/dist/jquery.min.js" integrity="sha384-ZvpUoO/+PpLXR1lu4jmpXWu80pZlYUAfxl5NsBMWOEPSjUn/6Z/hRTt8+pR6L4N2" crossorigin="anonymous"></script>
<script src="assets/opencyber.js"></script>
<script src="https://cdn.jsdelivr.net/npm/requirejs@2.3.6/require.min.js" integrity="sha384-c9c+LnTbwQ3aujuU7ULEPVvgLs+Fn6fJUvIGTsuu1ZcCf11fiEubah0ttpca4ntM" crossorigin="anonymous"></script>
<script type="application/javascript">define('jquery', [],function() {return window.jQuery;})</script>
<script src="https://cdn.jsdelivr.net/npm/@jupyter-widgets/html-manager@*/dist/embed-amd.js" crossorigin="anonymous"></script>
</head><body><main>map</main>
<script type="application/vnd.jupyter.widget-state+json">{"state": {}}</script>
</body></html>
"""


def test_cdn_scripts_become_the_sites_own_copies_in_the_nbconvert_order():
    html = localise_scripts(QUARTO_LIKE, ASSETS)
    assert "cdn.jsdelivr.net" not in html and "jquery" not in html.lower()
    scripts = [line for line in html.splitlines() if line.startswith("<script")]
    assert scripts[:5] == [
        '<script src="site_libs/quarto-nav/quarto-nav.js"></script>',
        '<script src="assets/require.js"></script>',
        '<script>require.config({paths: {"jupyter-leaflet": "assets/jupyter-leaflet/index"}});</script>',
        '<script src="assets/opencyber.js"></script>',  # after require.js (it hooks into it), once
        '<script src="assets/html-manager/embed-amd.js"></script>',
    ]
    assert html.count("assets/opencyber.js") == 1


def test_a_page_without_cdn_scripts_is_left_byte_for_byte():
    page = (
        '<html><head><script src="assets/require.js"></script><script src="assets/opencyber.js"></script></head></html>'
    )
    assert localise_scripts(page, ASSETS) == page


def test_an_unknown_cdn_script_is_an_error():
    page = '<head><script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script></head>'
    with pytest.raises(site_html.CdnScriptError, match="mathjax"):
        localise_scripts(page, ASSETS)


def test_every_page_gets_the_one_site_title():
    assert (
        set_title(QUARTO_LIKE, "Sample (fictional) edition").count(
            "<title>Sample (fictional) edition | Open Cyber</title>"
        )
        == 1
    )
    assert "<title>A &amp; B | Open Cyber</title>" in set_title("<title>x</title>", "A & B")


def test_quarto_asked_for_but_absent_is_a_one_line_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match="quarto is not on PATH"):
        render.choose_renderer("quarto")
    assert render.choose_renderer("auto") == "nbconvert"


def _fake_quarto(folder, script: str):
    folder.mkdir(exist_ok=True)
    exe = folder / "quarto"
    exe.write_text("#!/bin/sh\n" + script)
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return folder


def _sample_site(tmp_path):
    from opencyber.pipeline.build import build
    from opencyber.settings import SAMPLE_DATA

    dirs = dict(build_dir=tmp_path / "build", site_dir=tmp_path / "site")
    build(SAMPLE_DATA, renderer="nbconvert", **dirs)
    return SAMPLE_DATA, dirs


def _snapshot(site):
    return {
        p.relative_to(site): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(site.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize(
    "script, message",
    [
        # fails, naming the page it was on
        (
            'if [ "$1" = "--version" ]; then echo 9.9.9; exit 0; fi\n'
            'echo "[1/7] index.ipynb" >&2; echo "[2/7] sample.ipynb" >&2; echo "ERROR: YAMLError: bad indentation" >&2; exit 1\n',
            "quarto render failed: page sample: ERROR: YAMLError: bad indentation",
        ),
        # succeeds but writes nothing
        (
            'if [ "$1" = "--version" ]; then echo 9.9.9; fi\nexit 0\n',
            "quarto wrote no index.html (10 of 10 page(s) missing)",
        ),
    ],
)
def test_a_failing_or_empty_quarto_render_leaves_the_previous_site_byte_for_byte(
    tmp_path, monkeypatch, capsys, script, message
):
    from opencyber.cli import main

    data, dirs = _sample_site(tmp_path)
    before = _snapshot(dirs["site_dir"])
    fake = _fake_quarto(tmp_path / "bin", script)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    capsys.readouterr()
    rc = main(
        [
            "build",
            "--data",
            str(data),
            "--renderer",
            "quarto",
            "--build-dir",
            str(dirs["build_dir"]),
            "--site-dir",
            str(dirs["site_dir"]),
        ]
    )
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith("error: ") and message in err and err.count("\n") == 1 and "Traceback" not in err
    assert _snapshot(dirs["site_dir"]) == before
    assert not (tmp_path / "site.partial").exists() and not (tmp_path / "site.old").exists()


#: the sample site's pages, in the site's order: its own pages (pages/), then the edition's three
SAMPLE_PAGES = [f"{name}.ipynb" for name in SITE_PAGES] + [
    "sample.ipynb",
    "sample-curation.ipynb",
    "sample-scoring.ipynb",
]


def test_quarto_pre_render_writes_the_pages_and_the_navigation_from_the_registry(tmp_path):
    """What `quarto render` in the root renders (the pre-render step of _quarto.yml), and the project
    that `opencyber build --renderer quarto` renders, with the root's settings."""
    import yaml

    from opencyber.pipeline.quarto_project import pre_render
    from opencyber.settings import SAMPLE_DATA
    from opencyber.site.identity import root_config
    from opencyber.site.pages import prepare_pages
    from opencyber.site.quarto import is_page_notebook, write_source

    root = tmp_path / "root"
    root.mkdir()
    (root / "my-analysis.ipynb").write_text("{}")  # someone's own notebook: left alone
    pre_render(root, tmp_path / "build", data=SAMPLE_DATA)
    written = sorted(p.name for p in root.glob("*.ipynb") if is_page_notebook(p))
    assert written == sorted(SAMPLE_PAGES) and (root / "my-analysis.ipynb").read_text() == "{}"
    pages_yml = yaml.safe_load((tmp_path / "build" / "quarto" / "pages.yml").read_text())
    assert pages_yml["project"]["render"] == SAMPLE_PAGES
    menus = {e["text"]: e.get("menu") for e in pages_yml["website"]["navbar"]["left"]}
    assert [m["href"] for m in menus["Sample (fictional)"]] == [
        "sample.ipynb",
        "sample-curation.ipynb",
        "sample-scoring.ipynb",
    ]
    assert not (root / "_site").exists()  # published by the post-render step only

    from opencyber.inputs.registry import load_registry

    editions = [load_registry(data_dir=SAMPLE_DATA)["sample"]]
    src = write_source(editions, tmp_path / "build", pages=prepare_pages(editions, tmp_path / "build"))
    config = yaml.safe_load((src / "_quarto.yml").read_text())
    root_settings = root_config()
    for key in ("execute", "lang", "format"):
        assert config[key] == root_settings[key], key
    assert config["website"]["title"] == root_settings["website"]["title"]
    assert config["website"]["navbar"] == root_settings["website"]["navbar"] | pages_yml["website"]["navbar"]
    assert config["project"] == {
        "type": "website",
        "output-dir": "_site",
        "render": SAMPLE_PAGES,
        "resources": ["assets/**", "downloads/**"],
    }
    assert "metadata-files" not in config
    assert sorted(p.name for p in src.glob("*.ipynb")) == sorted(SAMPLE_PAGES)
    assert (src / "assets" / "opencyber.js").is_file() and list((src / "downloads" / "sample").glob("*.csv"))


def _page(name: str):
    import nbformat

    from opencyber.site.pages import PreparedPage

    return PreparedPage(name, name.title(), nbformat.v4.new_notebook(), [], False, False, {}, "")


def test_the_pages_in_the_root_never_overwrite_or_remove_a_notebook_the_build_did_not_write(tmp_path):
    from opencyber.errors import FolderError
    from opencyber.pipeline.quarto_project import place_pages
    from opencyber.site.quarto import is_page_notebook

    (tmp_path / "index.ipynb").write_text('{"mine": true}')
    with pytest.raises(FolderError, match=r"index\.ipynb would be overwritten .* did not write it"):
        place_pages([_page("index"), _page("old")], tmp_path, [])
    assert (tmp_path / "index.ipynb").read_text() == '{"mine": true}' and not (tmp_path / "old.ipynb").exists()
    (tmp_path / "index.ipynb").unlink()
    place_pages([_page("index"), _page("old")], tmp_path, [])
    assert is_page_notebook(tmp_path / "old.ipynb")
    stamp = (tmp_path / "old.ipynb").stat().st_mtime_ns
    place_pages([_page("index"), _page("old")], tmp_path, ["index", "old"])
    assert (tmp_path / "old.ipynb").stat().st_mtime_ns == stamp  # unchanged: not rewritten (preview watches)
    (tmp_path / "gone.ipynb").write_text("{}")  # named by the last render, but not the build's now
    place_pages([_page("index")], tmp_path, ["index", "old", "gone"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gone.ipynb", "index.ipynb"]


def test_the_root_quarto_project_runs_the_build_around_quartos_render():
    """_quarto.yml at the root names the steps, the metadata file and the output folder the
    library writes (a rename in one place would break `quarto render` only where Quarto is)."""
    from opencyber.pipeline import quarto_project
    from opencyber.settings import PROJECT_ROOT
    from opencyber.site.identity import root_config

    project = root_config()["project"]
    for step in ("pre-render", "post-render"):
        script, arg = project[step].split()
        assert (PROJECT_ROOT / script).is_file() and arg == step
    assert root_config()["metadata-files"] == [f"build/{quarto_project.QUARTO_DIR}/{quarto_project.PAGES_YML}"]
    assert project["output-dir"].startswith(f"build/{quarto_project.QUARTO_DIR}/")
    assert "render" not in project  # the page list is the pre-render step's (pages.yml)


def test_the_quarto_steps_say_how_to_get_a_python_that_can_build(tmp_path):
    """Quarto runs the steps with the python3 it finds; a bare one is told what to do (no traceback)."""
    import subprocess
    import sys

    from opencyber.settings import PROJECT_ROOT

    script = tmp_path / "scripts" / "quarto_project.py"
    script.parent.mkdir()
    script.write_bytes((PROJECT_ROOT / "scripts" / "quarto_project.py").read_bytes())  # a checkout without .venv
    proc = subprocess.run([sys.executable, "-I", "-S", str(script), "pre-render"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "cannot run the build" in proc.stderr and "QUARTO_PYTHON" in proc.stderr and "Traceback" not in proc.stderr


def test_every_download_says_what_it_holds_in_words():
    from opencyber.report.pages import DOWNLOADS, download_description

    names = list(DOWNLOADS) + ["table-nhs-trusts-and-their-dspt-status.csv"]
    names += [
        "finder_organisations.csv",
        "trends_trusts.csv",
        "trends_areas.csv",
        "trends_status_share.csv",
        "sectors_status.csv",
        "sectors_totals.csv",
        "sectors_gp_areas.csv",
    ]
    described = {n: download_description(n) for n in names}
    assert all(d and d != "See the data dictionary below" for d in described.values()), described
    assert download_description("no-such-file.csv") == "See the data dictionary below"


BUNDLE = Assets("", "assets/widgets.js", "assets/plotly.min.js", {}, True, ("assets/widgets.css", "assets/widgets.js"))


def test_with_the_widget_bundle_the_cdn_scripts_become_the_list_opencyber_js_loads_after_the_text():
    html = localise_scripts(QUARTO_LIKE, BUNDLE)
    assert "cdn.jsdelivr.net" not in html and "jquery" not in html.lower() and "require" not in html
    scripts = [line for line in html.splitlines() if line.startswith("<script")]
    assert scripts[:3] == [
        '<script src="site_libs/quarto-nav/quarto-nav.js"></script>',
        '<script src="assets/opencyber.js"></script>',
        '<script type="application/json" class="oc-lazy">{"maps": ["assets/widgets.css", "assets/widgets.js"]}</script>',
    ]


def test_css_subset_keeps_every_rule_that_can_match_and_the_custom_properties_they_use():
    css = """/* a comment { } */
:root { --used: 1px; --via: var(--used); --data: url(data:image/svg+xml;base64,AA==); --unused: 2px; }
.a .b, .c { margin: var(--via); }
.a:not(.absent) { padding: 0; }
.d { color: red; }
@media print { .a { display: none } .d { display: block } }
@keyframes spin { from { opacity: 0 } }
p { color: blue; }"""
    out = site_css.css_subset(css, {"a", "b"})
    assert ".a .b{margin: var(--via)}" in out and ".c" not in out and ".d" not in out
    assert ".a:not(.absent){padding: 0}" in out  # a class under :not() need not be on the page
    assert "@media print{.a{display: none}}" in out and "@keyframes spin" in out and "p{color: blue}" in out
    assert ":root{--used: 1px;--via: var(--used)}" in out  # --data and --unused are used by no kept rule
    assert "comment" not in out


@pytest.mark.parametrize(
    "geometry",
    [
        {
            "type": "Polygon",
            "coordinates": [[[0.249, 51.5287], [0.2637, 51.5179], [-2.6569, 55.1361], [0.249, 51.5287]]],
        },
        {
            "type": "MultiPolygon",
            "coordinates": [[[[1, 2], [1.5, 2.25], [1, 2]]], [[[-3.1, 50.0001], [-3.2, 50.0], [-3.1, 50.0001]]]],
        },
        {"type": "LineString", "coordinates": [[0.1, 0.2], [0.30000000000000004, 0.2]]},
    ],
)
def test_delta_geometries_decode_to_the_same_numbers(geometry):
    d = site_geometry.delta_geometry(geometry)
    if d is geometry:  # no exact scale up to 10^-7: left as it is
        assert geometry["type"] == "LineString"
        return
    assert d["type"] == "OcDelta" and all(isinstance(v, int) for v in _flat(d["d"]))

    def decode(part, level):  # as assets/opencyber.js does
        if level:
            return [decode(p, level - 1) for p in part]
        ring, x, y = [], 0, 0
        for i in range(0, len(part), 2):
            x += part[i]
            y += part[i + 1]
            ring.append([x / d["scale"], y / d["scale"]])
        return ring

    assert {"type": d["of"], "coordinates": decode(d["d"], site_geometry._RING_DEPTH[d["of"]])} == geometry


def _flat(x):
    return [v for p in x for v in _flat(p)] if isinstance(x, list) else [x]


def test_a_point_or_an_odd_geometry_is_not_delta_written():
    point = {"type": "Point", "coordinates": [-2.227711, 53.462436]}
    ref = {"type": "OcGeometryRef", "ref": "abc"}
    assert site_geometry.delta_geometry(point) is point and site_geometry.delta_geometry(ref) is ref


QUARTO_PAGE = """<body class="nav-fixed">
<header id="quarto-header" class="headroom fixed-top">
<nav class="navbar"><div class="navbar-brand-container mx-auto"><a class="navbar-brand" href="./index.html"><span class="navbar-title">Open Cyber</span></a></div>
<div class="quarto-navbar-tools">
</div></nav>
</header>
<main class="content" id="quarto-document-content">
<form class="oc-search" action="finder.html" method="get" role="search"><input type="search" id="oc-q" name="q"><button type="submit">Search</button></form>
<p class="oc-banner" role="note">Sample data.</p>
<h1>Title</h1>
</main>
</body>"""


def test_on_a_quarto_page_the_search_box_banner_and_tagline_go_where_the_built_in_renderer_has_them(
    tmp_path, monkeypatch
):
    from opencyber.site import identity
    from opencyber.site.html import html_title, quarto_header

    config = tmp_path / "_quarto.yml"
    config.write_text('website:\n  title: "Test Cyber"\n  description: "A <test> tagline"\n')
    monkeypatch.setattr(identity, "ROOT_CONFIG", config)
    html = quarto_header(QUARTO_PAGE)
    header = html[html.index("<header") : html.index("</header>")]
    # right after the site's name, before the navigation: the keyboard's third stop
    assert '</a> <span class="oc-tagline">A &lt;test&gt; tagline</span></div>\n<form class="oc-search"' in header
    assert header.index("oc-search") < header.index("quarto-navbar-tools")
    assert '</a> <span class="oc-tagline">A &lt;test&gt; tagline</span>' in header
    assert html.index("</header>") < html.index('class="oc-banner"') < html.index("<main")
    assert html.count("oc-search") == html.count("oc-banner") == html.count("oc-tagline") == 1
    assert html.startswith(
        '<body class="nav-fixed">\n<a class="oc-skip" href="#quarto-document-content">Skip to main content</a>'
    )
    assert quarto_header(html) == html  # once is enough
    ours = '<header class="oc-header"><form class="oc-search"></form></header><main><p class="oc-banner" role="note">B</p></main>'
    assert quarto_header(ours) == ours  # the built-in renderer's pages have them in place
    assert html_title("Methodology") == "Methodology | Test Cyber"
    config.write_text('website:\n  title: "Test Cyber"\n')
    with pytest.raises(RenderError, match="no website: description:"):
        identity.site_tagline()
