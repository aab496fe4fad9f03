"""The pre-render and post-render steps of ``_quarto.yml`` (``quarto render`` and ``quarto preview``
run them, with the Python that Quarto finds: ``$QUARTO_PYTHON``, else ``python3`` on PATH).

``python scripts/quarto_project.py pre-render|post-render`` is ``opencyber quarto pre-render|post-render``
run with this checkout's code. When the Python that Quarto found cannot import the packages the
build needs (Debian's ``python3`` outside the virtual environment), it runs again with the
checkout's ``.venv`` (the README's first command makes it), so that ``quarto preview`` works without
activating anything.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
VENV = ROOT / ".venv"


def main() -> int:
    # this checkout's code, in this process and in the notebooks' kernels the build starts
    sys.path.insert(0, str(SRC))
    os.environ["PYTHONPATH"] = os.pathsep.join([str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])])
    try:
        import nbformat  # noqa: F401  (what the build needs, which a bare python3 has not)
        import pandas  # noqa: F401
        import papermill  # noqa: F401

        from opencyber.cli import main as opencyber
    except ImportError as exc:
        venv_python = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        if venv_python.is_file() and Path(sys.prefix).resolve() != VENV.resolve():
            os.execv(venv_python, [str(venv_python), __file__, *sys.argv[1:]])
        print(
            f"error: {sys.executable} cannot run the build ({exc}). Run the README's first command (it makes "
            f"{VENV} with the packages the build needs), or set QUARTO_PYTHON to the Python of the environment "
            "where they are installed.",
            file=sys.stderr,
        )
        return 2
    return opencyber(["quarto", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
