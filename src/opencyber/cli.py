"""Command line: ``opencyber build``, ``check``, ``fetch``, ``serve``, ``golden``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import InputError, NoDataError, NotebookDataError, RegistryError, RenderError
from .registry import DATA_ENV


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="opencyber", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="curate, score and map every edition whose inputs are found; render the site")
    b.add_argument("--data", help=f"the data directory (default: ${DATA_ENV}, else ../shared/data)")
    b.add_argument("--edition", action="append", help="build only this edition id (repeatable)")
    b.add_argument("--build-dir", type=Path, help="where outputs go (default: build/)")
    b.add_argument("--site-dir", type=Path, help="where the website goes (default: _site/)")
    b.add_argument("--no-render", action="store_true", help="execute the notebooks only")
    b.add_argument("--force", action="store_true", help="execute every edition's notebooks even if nothing changed")
    b.add_argument("--jobs", type=int, default=None, help="editions executed at once (default: one per core)")
    b.add_argument(
        "--spawn-kernels",
        action="store_true",
        help="start each notebook's kernel as its own process, as papermill does (default on Linux: fork them "
        "from one process that has imported the kernel's and the library's packages, which is faster)",
    )
    b.add_argument(
        "--renderer",
        choices=("auto", "quarto", "nbconvert"),
        default="auto",
        help="what turns the pages into HTML: Quarto, the built-in nbconvert renderer, or auto (Quarto when it is on PATH)",
    )

    c = sub.add_parser("check", help="read and validate an edition's inputs (no notebooks run): say what is wrong, where")
    c.add_argument("--data", help=f"the data directory (default: ${DATA_ENV}, else ../shared/data)")
    c.add_argument("--edition", action="append", help="check only this edition id (repeatable)")

    from . import fetch as fetch_cmd

    fetch_cmd.add_parser(sub)

    s = sub.add_parser("serve", help="serve the built site on http://127.0.0.1:PORT (offline preview)")
    s.add_argument("--site-dir", type=Path, default=None)
    s.add_argument("--port", type=int, default=8000)

    g = sub.add_parser("golden", help="re-make the committed executed notebooks of the regression tests")
    g.add_argument("--data", help=f"the data directory (default: ${DATA_ENV}, else ../shared/data)")
    g.add_argument("--edition", action="append", help="re-baseline only this edition (repeatable; default: all)")

    args = parser.parse_args(argv)
    if args.command == "fetch":
        return fetch_cmd.run(args)
    try:
        if args.command == "build":
            from .build import build

            build(
                args.data, args.edition, args.build_dir, args.site_dir,
                render=not args.no_render, force=args.force, jobs=args.jobs, renderer=args.renderer,
                fork_kernels=not args.spawn_kernels,
            )
        elif args.command == "check":
            from .build import select_editions
            from .check import check_edition
            from .registry import resolve_data_dir

            data = resolve_data_dir(args.data)
            chosen, skipped = select_editions(data, args.edition)
            for ed_id, missing in skipped.items():
                print(f"[{ed_id}] not checked: {len(missing)} input file(s) missing, e.g. {missing[0]}")
            failed = 0
            for ed in chosen:  # every edition is checked, so that one run lists every edition's first problem
                try:
                    print(check_edition(ed, data).summary(), flush=True)
                except (InputError, RegistryError) as exc:
                    print(f"error: {exc}", file=sys.stderr, flush=True)
                    failed += 1
            if not chosen:
                print(f"error: no edition has all its inputs in {data}", file=sys.stderr)
                return 2
            if failed:
                return 2
        elif args.command == "serve":
            from .registry import PROJECT_ROOT
            import functools
            import http.server

            root = args.site_dir or PROJECT_ROOT / "_site"
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
            print(f"Serving {root} on http://127.0.0.1:{args.port}/ (Ctrl-C to stop)")
            http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler).serve_forever()
        elif args.command == "golden":
            from .golden import make_golden

            make_golden(args.data, args.edition)
    except (InputError, RegistryError, NoDataError, NotebookDataError, RenderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
