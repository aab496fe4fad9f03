"""Widgets made outside a kernel, for a narrative page: numbered the same on every build, and closed
once embedded, so that a second page made in the same process never meets two widgets with one id."""

import gc

import ipywidgets
import pytest

from opencyber.report import maps


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_a_pages_widgets_are_numbered_from_its_start_and_closed_when_made_twice():
    ids = []
    for _ in range(2):
        with maps.numbered_widgets(0x6F63_0000):
            box = ipywidgets.VBox([ipywidgets.IntSlider(), ipywidgets.Label("x")])
            ids.append([box.model_id, *(child.model_id for child in box.children)])
        assert box.comm is None and all(child.comm is None for child in box.children)
        del box
        gc.collect()
    assert ids[0] == ids[1]
    # numbered from the start (layouts and styles are widgets too, so the count runs past three)
    assert all(0 <= int(model_id, 16) - 0x6F63_0000 < 20 for model_id in ids[0])
