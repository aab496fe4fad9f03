from opencyber.charts import STATUS_COLOURS, contrast_ratio
from opencyber.status import STATUSES


def test_status_colours_cover_every_status_in_order():
    assert list(STATUS_COLOURS) == list(STATUSES)


def test_adjacent_status_colours_contrast_at_least_3_to_1():
    colours = [STATUS_COLOURS[s] for s in STATUSES]
    ratios = [contrast_ratio(a, b) for a, b in zip(colours, colours[1:])]
    assert min(ratios) >= 3.0, ratios


def test_contrast_ratio_reference_values():
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert contrast_ratio("#777777", "#777777") == 1.0
