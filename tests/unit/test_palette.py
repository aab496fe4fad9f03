"""The status palette: lightness follows the status order, every pair stays apart under simulated
colour-vision deficiencies, text on each colour is legible, and each status has its own pattern."""

import itertools

import numpy as np
import pytest
from colorspacious import cspace_convert, deltaE

from opencyber.report.charts import (
    STATUS_COLOURS,
    STATUS_PATTERNS,
    contrast_ratio,
    status_slug,
    text_colour,
)
from opencyber.status import STATUSES

CVD = ("deuteranomaly", "protanomaly", "tritanomaly")


def rgb(colour: str) -> np.ndarray:
    return np.array([int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)])


def lightness(colour: str) -> float:
    return float(cspace_convert(rgb(colour), "sRGB1", "CIELab")[0])


def simulate(colour: str, kind: str) -> np.ndarray:
    space = {"name": "sRGB1+CVD", "cvd_type": kind, "severity": 100}
    return np.clip(cspace_convert(rgb(colour), space, "sRGB1"), 0, 1)


def test_status_colours_cover_every_status_in_order():
    assert list(STATUS_COLOURS) == list(STATUSES)
    assert list(STATUS_PATTERNS) == list(STATUSES)


def test_lightness_follows_the_status_order_in_clear_steps():
    values = [lightness(STATUS_COLOURS[s]) for s in STATUSES]
    steps = [b - a for a, b in itertools.pairwise(values)]
    assert min(steps) >= 9, (values, steps)  # best status darkest, Not Published lightest


@pytest.mark.parametrize("kind", CVD)
def test_every_pair_stays_apart_under_colour_vision_deficiency(kind):
    worst = min(
        (deltaE(simulate(STATUS_COLOURS[a], kind), simulate(STATUS_COLOURS[b], kind), input_space="sRGB1"), a, b)
        for a, b in itertools.combinations(STATUSES, 2)
    )
    assert worst[0] >= 15, worst  # the old palette had Approaching / Not Published at 6.4 (deuteranomaly)


def test_the_simulation_tells_a_bad_pair_from_a_good_one():
    # red and green of equal lightness are close for a deuteranope, far apart otherwise
    red, green = "#cc4c4c", "#6b8f3a"
    assert deltaE(simulate(red, "deuteranomaly"), simulate(green, "deuteranomaly"), input_space="sRGB1") < 15
    assert deltaE(rgb(red), rgb(green), input_space="sRGB1") > 25


def test_text_on_each_status_colour_is_legible():
    for s in STATUSES:
        fill = STATUS_COLOURS[s]
        assert contrast_ratio(fill, text_colour(fill)) >= 4.5, s


def test_every_status_has_its_own_pattern_and_class():
    assert len(set(STATUS_PATTERNS.values())) == len(STATUSES)
    assert [status_slug(s) for s in STATUSES] == ["exceeded", "met", "approaching", "not-met", "not-published"]


def test_site_draws_the_pattern_of_every_patterned_status():
    from opencyber.site.assets import STATIC

    css = (STATIC / "site.css").read_text(encoding="utf-8")
    js = (STATIC / "opencyber.js").read_text(encoding="utf-8")
    for s in STATUSES:
        if not STATUS_PATTERNS[s]:
            continue
        slug = status_slug(s)
        assert f"path.oc-st-{slug} {{ fill: url(#oc-pat-{slug}); }}" in css, slug
        assert f".oc-swatch.oc-st-{slug} {{" in css, slug
        assert f'fill: "{STATUS_COLOURS[s]}"' in js, slug  # the map pattern's ground is the status colour


def test_contrast_ratio_reference_values():
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert contrast_ratio("#777777", "#777777") == 1.0
