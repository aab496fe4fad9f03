"""The publisher, contact and dates on the pages (opencyber.report.publication, render.add_publication)."""

import datetime as dt

import pytest

from opencyber.errors import RegistryError
from opencyber.report import publication
from opencyber.site.html import add_publication


def _site(tmp_path, body: str):
    path = tmp_path / "site.toml"
    path.write_text(body, encoding="utf-8")
    publication.load_publisher.cache_clear()
    return path


BASE = 'name = "the Open Cyber project"\nstatement_prepared = 2026-11-22\nstatement_reviewed = 2026-12-01\n'


def test_long_dates_are_written_the_gov_uk_way():
    assert publication.long_date(dt.date(2023, 11, 16)) == "16 November 2023"
    assert publication.long_date("2022-09-09") == "9 September 2022"


def test_a_publisher_without_contact_is_said_to_have_none(tmp_path):
    pub = publication.load_publisher(_site(tmp_path, "[publisher]\n" + BASE))
    assert publication.missing_contact(pub) == ["repository", "contact"]
    assert publication.contact_sentence(pub) == "This copy of the report has no contact address yet."


def test_contact_and_repository_become_links(tmp_path):
    pub = publication.load_publisher(
        _site(
            tmp_path, "[publisher]\n" + BASE + 'repository = "https://github.com/o/r"\ncontact = "cyber@example.org"\n'
        )
    )
    sentence = publication.contact_sentence(pub)
    assert 'href="mailto:cyber@example.org"' in sentence and 'href="https://github.com/o/r/issues"' in sentence
    footer = publication.footer_html(pub)
    assert "not official statistics" in footer and 'href="https://github.com/o/r"' in footer


def test_a_bad_site_file_names_the_key(tmp_path):
    with pytest.raises(RegistryError, match="statement_reviewed"):
        publication.load_publisher(_site(tmp_path, '[publisher]\nname = "x"\nstatement_prepared = 2026-11-22\n'))
    with pytest.raises(RegistryError, match="is not a date"):
        publication.load_publisher(
            _site(tmp_path, '[publisher]\nname = "x"\nstatement_prepared = "soon"\nstatement_reviewed = 2026-12-01\n')
        )


def test_the_project_site_file_loads():
    publication.load_publisher.cache_clear()
    pub = publication.load_publisher()
    assert pub.name and pub.statement_prepared <= pub.statement_reviewed


def test_footer_replaces_the_templates_and_dates_go_under_the_title():
    page = '<body><main><h1>Title</h1><p>x</p></main><footer class="oc-footer"><p>old</p></footer></body>'
    out = add_publication(page, "<p>new</p>", '<ul class="oc-dates"></ul>')
    assert '<h1>Title</h1><ul class="oc-dates"></ul><p>x</p>' in out
    assert '<footer class="oc-footer"><p>new</p></footer>' in out and "old" not in out
    quarto_like = "<body><main><p>x</p></main></body>"
    assert (
        add_publication(quarto_like, "<p>new</p>").count('<footer class="oc-footer"><p>new</p></footer>\n</body>') == 1
    )


def test_edition_dates_come_from_the_registry_and_git():
    from opencyber.inputs.registry import load_registry

    ed = load_registry()["2022-23"]
    dates = dict(publication.edition_dates(ed))
    assert dates["Data snapshot"] == "16 November 2023"
    if publication.site_version() is not None:  # a git clone, as in CI
        assert dates["First published"] == "22 November 2026"
        assert dates["Last updated"].startswith(publication.long_date(publication.site_version().date))


def test_the_footer_names_the_package_version_and_the_release_tag(tmp_path, monkeypatch):
    """Every page's footer says which version of the report it is: the package's version, and the
    release tag when the site is built from one (the release workflow builds from the tag)."""
    from opencyber import __version__

    pub = publication.load_publisher(_site(tmp_path, "[publisher]\n" + BASE))
    monkeypatch.setattr(publication, "release_tag", lambda: None)
    assert f"Version {__version__}." in publication.footer_html(pub)
    monkeypatch.setattr(publication, "release_tag", lambda: f"v{__version__}")
    assert f"Version {__version__} (release v{__version__})." in publication.footer_html(pub)
