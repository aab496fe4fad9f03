"""The site's name and tagline, and the rest of its settings, from ``_quarto.yml`` at the root of the
checkout (``website.title``, ``website.description``): the one place a Quarto user edits them, and
what both renderers show (the header, every page's ``<title>``)."""

from __future__ import annotations

import yaml

from opencyber.errors import RenderError
from opencyber.settings import PROJECT_ROOT

#: the Quarto project at the root of the checkout
ROOT_CONFIG = PROJECT_ROOT / "_quarto.yml"


def root_config() -> dict:
    """The settings of ``_quarto.yml`` at the root of the checkout, with a message naming the file
    when it is missing or not YAML."""
    try:
        config = yaml.safe_load(ROOT_CONFIG.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RenderError(f"{ROOT_CONFIG} is missing: the site's settings (its title, its styles) are in it") from None
    except yaml.YAMLError as exc:
        raise RenderError(f"{ROOT_CONFIG} is not valid YAML: {exc}") from None
    if not isinstance(config, dict):
        raise RenderError(f"{ROOT_CONFIG} holds no settings (a YAML mapping is expected)")
    return config


def _website(key: str) -> str:
    value = (root_config().get("website") or {}).get(key)
    if not isinstance(value, str) or not value.strip():
        raise RenderError(
            f"{ROOT_CONFIG} gives no website: {key}: (the site's {'name' if key == 'title' else 'tagline'})"
        )
    return value.strip()


def site_title() -> str:
    """The site's name (``website: title:``)."""
    return _website("title")


def site_tagline() -> str:
    """What the site is, in a line, beside its name in the header (``website: description:``)."""
    return _website("description")
