"""The stage table: the notebooks an edition runs, in order, what each writes and what its page is.

Every module that needs to know the stages reads them here: the build (what to execute and in
which order), the notebooks' helper :func:`opencyber.inputs.locations.open_edition` (which outputs a notebook
needs before it runs), the site (each stage's page and title), the regression tests and ``golden``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: the parameterised source notebooks
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

#: the source notebooks of the site's own pages (beside notebooks/), executed once the editions and
#: the outputs across editions are built, and their order in the site's navigation
SITE_PAGES_DIR = NOTEBOOKS.parent / "pages"
SITE_PAGES = ("index", "finder", "trends", "sectors", "methodology", "data", "accessibility")

#: the kernel's own log: errors only (ipykernel warns on every start that its local TCP ports are
#: unencrypted, which is noise in a build's output); the history in memory (several kernels at once
#: would otherwise share one SQLite file)
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.hist_file=:memory:"]


@dataclass(frozen=True)
class Stage:
    notebook: str  # the source notebook in notebooks/
    page_suffix: str  # the page of an edition's executed notebook: <edition id><suffix>.html ("": the edition page)
    title: str  # the page's title; {label} is the edition's label
    writes: tuple[str, ...]  # what it writes into build/<edition>/ for the stages after it

    @property
    def name(self) -> str:
        return self.notebook.removesuffix(".ipynb")


STAGES: tuple[Stage, ...] = (
    Stage(
        "01_curation.ipynb",
        "-curation",
        "{label}: how the organisations were chosen",
        ("organisations.csv", "areas.csv", "reconciliation.csv", "overrides.csv"),
    ),
    Stage(
        "02_scoring.ipynb",
        "-scoring",
        "{label}: how the scores were computed",
        ("crosstab.csv", "area_scores.csv", "trusts_followed.csv"),
    ),
    Stage("03_report.ipynb", "", "{label} edition", ()),
)

#: the last stage whose outputs the outputs across editions (finder, trends, sectors) read
ACROSS_READS = "02_scoring.ipynb"
#: the folder of the build (build/<ACROSS_DIR>/) and of the site's downloads with the outputs across editions
ACROSS_DIR = "all-editions"


def stage(name: str) -> Stage:
    """The stage of a notebook, by file name (``02_scoring.ipynb``) or stem (``02_scoring``)."""
    for s in STAGES:
        if name in (s.notebook, s.name):
            return s
    raise KeyError(f"no stage {name!r} (stages: {', '.join(s.name for s in STAGES)})")
