"""Command line: ``opencyber build``, ``check``, ``fetch``, ``pack``, ``serve``, ``golden``."""

from __future__ import annotations

import argparse
import errno
import sys
from pathlib import Path

from opencyber import __version__, logs
from opencyber.errors import (
    FolderError,
    InputError,
    InputErrors,
    NoDataError,
    NotebookDataError,
    RegistryError,
    RenderError,
)
from opencyber.settings import DATA_ENV

DESCRIPTION = (
    "Open Cyber: the NHS Data Security and Protection Toolkit statuses, curated, scored and mapped for each "
    "edition, published as a website. 'opencyber build' makes the report from the data pack; 'opencyber check' "
    "reads a new download and lists its problems; 'opencyber COMMAND --help' says more."
)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: give a number from 1 to 65535")
    return port


def _loudness(parser: argparse.ArgumentParser, default: object) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-v", "--verbose", action="store_true", default=default, help="say more (debug lines too)")
    group.add_argument("-q", "--quiet", action="store_true", default=default, help="say only warnings and errors")


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser (every subcommand and option; the tests check the docs' commands with it)."""
    parser = argparse.ArgumentParser(prog="opencyber", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"opencyber {__version__}")
    _loudness(parser, default=False)
    # -v and -q also after the command (`opencyber build -q`): the same options on every subcommand,
    # which keep the value given before the command unless given again
    common = argparse.ArgumentParser(add_help=False)
    _loudness(common, default=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True)

    b = sub.add_parser(
        "build", parents=[common], help="curate, score and map every edition whose inputs are found; render the site"
    )
    b.add_argument("--data", help=f"the data directory (default: ${DATA_ENV}, else data/ in the checkout)")
    b.add_argument("--edition", action="append", help="build only this edition id (repeatable)")
    b.add_argument("--build-dir", type=Path, help="where outputs go (default: build/)")
    b.add_argument("--site-dir", type=Path, help="where the website goes (default: _site/)")
    b.add_argument("--no-render", action="store_true", help="execute the notebooks only")
    b.add_argument("--force", action="store_true", help="execute every edition's notebooks even if nothing changed")
    b.add_argument(
        "--skip-missing",
        action="store_true",
        help="build the site without the editions whose inputs are incomplete or gone (by default that is an error, "
        "so that no edition leaves the site unnoticed)",
    )
    b.add_argument("--jobs", type=int, default=None, help="notebooks executed at once (default: one per core)")
    b.add_argument(
        "--renderer",
        choices=("auto", "quarto", "nbconvert"),
        default="auto",
        help="what turns the pages into HTML: Quarto, the built-in nbconvert renderer, or auto (Quarto when it is on PATH)",
    )

    c = sub.add_parser(
        "check",
        parents=[common],
        help="read and validate an edition's inputs (no notebooks run): say what is wrong, where",
        description="Read and validate every input file of each edition (no notebook runs) and list every "
        "problem: file, line, column, value and what was expected (the first 20 of each file).",
    )
    c.add_argument("--data", help=f"the data directory (default: ${DATA_ENV}, else data/ in the checkout)")
    c.add_argument("--edition", action="append", help="check only this edition id (repeatable)")

    f = sub.add_parser(
        "fetch",
        parents=[common],
        help="download the public input files of the editions into the data directory",
        description="Download the input files of the editions (default: all) that sources.toml lists into the data "
        "directory, check each one's sha256, and say what was downloaded, already there, or cannot be downloaded "
        "(files derived for the data pack). With --pack URL --sha256 HEX, download the whole data pack instead: "
        "one zip made by 'opencyber pack', checked against HEX and its MANIFEST.sha256 before any file is placed.",
    )
    f.add_argument(
        "--data", help=f"the data directory (default: ${DATA_ENV}, else data/ in the checkout); created if missing"
    )
    f.add_argument("--edition", action="append", help="only the files this edition reads (repeatable; default: all)")
    f.add_argument(
        "--current-ods",
        action="store_true",
        help="also download today's ODS files (etr, ect, eccg, ecsu) into ods/ (live: no pinned hash)",
    )
    f.add_argument(
        "--current-ons",
        action="store_true",
        help="also download the editions' ONS boundaries and lookups from the ONS Open Geography Portal into ons/ (live)",
    )
    f.add_argument(
        "--timeout", type=float, help="seconds to wait for a server (default: $OPEN_CYBER_FETCH_TIMEOUT, else 30)"
    )
    f.add_argument(
        "--base-url", help="send every request to this server instead, e.g. a mirror (default: $OPEN_CYBER_FETCH_BASE)"
    )
    f.add_argument("--sources", type=Path, help="the registry of files (default: the package's sources.toml)")
    f.add_argument(
        "--pack",
        metavar="URL",
        help="instead: download the whole data pack (a zip made by 'opencyber pack') from URL, check it against "
        "--sha256 and every file against its MANIFEST.sha256, then place its files into the data directory",
    )
    f.add_argument(
        "--sha256",
        metavar="HEX",
        help="with --pack, required: the pack's sha256, as 'opencyber pack' printed it and its publisher gives it "
        "beside the URL (a pack without a known hash is not fetched)",
    )
    f.add_argument(
        "--force",
        action="store_true",
        help="with --pack: replace the files of the data directory that differ from the pack's (by default "
        "fetch lists them and places nothing)",
    )

    k = sub.add_parser(
        "pack",
        parents=[common],
        help="make a data pack: the data directory as one zip with a MANIFEST.sha256, for 'fetch --pack'",
        description="Write every file of the data directory (but hidden files, sample/ and its README.md) into "
        "one zip, with MANIFEST.sha256 (sha256sum format) at its root; the same data give the same bytes. "
        "Prints the number of files, their bytes and the zip's sha256: publish that beside the zip's URL "
        "('opencyber fetch --pack URL --sha256 HEX').",
    )
    k.add_argument("--data", help=f"the data directory to pack (default: ${DATA_ENV}, else data/ in the checkout)")
    k.add_argument("--out", type=Path, required=True, metavar="FILE.zip", help="the zip to write")
    k.add_argument("--force", action="store_true", help="replace FILE.zip if it exists (by default: an error)")

    s = sub.add_parser(
        "serve",
        parents=[common],
        help="serve the built site on http://127.0.0.1:PORT (offline preview)",
        description="Serve the built site over HTTP on this machine (its own files only).",
    )
    s.add_argument(
        "--dir",
        "--site-dir",
        dest="site_dir",
        type=Path,
        default=None,
        help="the site to serve (default: _site/ in the checkout)",
    )
    s.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 for every network)",
    )
    s.add_argument("--port", type=_port, default=8000, help="the port to listen on, 1-65535 (default: 8000)")

    g = sub.add_parser(
        "golden", parents=[common], help="re-make the committed executed notebooks of the regression tests"
    )
    g.add_argument("--data", help=f"the data directory (default: ${DATA_ENV}, else data/ in the checkout)")
    g.add_argument("--edition", action="append", help="re-baseline only this edition (repeatable; default: all)")

    q = sub.add_parser(
        "quarto",
        parents=[common],
        help="the steps that _quarto.yml runs before and after Quarto renders the site (quarto render, quarto preview)",
        description="The steps of the Quarto project at the root of the checkout: `pre-render` builds the editions "
        "and writes the site's pages and navigation for Quarto; `post-render` adds the site's own scripts, titles, "
        "footer and downloads to what Quarto rendered and publishes it into _site/. `quarto render` runs them; "
        "you do not need to.",
    )
    q.add_argument("step", choices=("pre-render", "post-render"), help="which step")
    return parser


def fetch_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the options of ``opencyber fetch`` together (None: nothing)."""
    if args.pack is None:
        given = [flag for flag, value in (("--sha256", args.sha256), ("--force", args.force)) if value]
        return f"{' and '.join(given)} can only be given with --pack URL" if given else None
    if not args.sha256:
        return "--pack needs --sha256 HEX, the pack's sha256 published beside its URL: a pack without a known hash is not fetched"
    other = [
        flag
        for flag, value in (
            ("--edition", args.edition),
            ("--current-ods", args.current_ods),
            ("--current-ons", args.current_ons),
            ("--base-url", args.base_url),
            ("--sources", args.sources),
        )
        if value
    ]
    return f"--pack fetches the whole pack: {', '.join(other)} cannot go with it" if other else None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logs.console(1 if args.verbose else -1 if args.quiet else 0)
    if args.command == "fetch":
        problem = fetch_problem(args)
        if problem:
            parser.exit(2, f"opencyber fetch: error: {problem}\n")
        return run_fetch(args) if args.pack is None else run_fetch_pack(args)
    if args.command == "pack":
        return run_pack(args)
    try:
        if args.command == "build":
            from opencyber.pipeline.build import build
            from opencyber.settings import PROJECT_ROOT

            try:
                build(
                    args.data,
                    args.edition,
                    args.build_dir,
                    args.site_dir,
                    render=not args.no_render,
                    force=args.force,
                    jobs=args.jobs,
                    renderer=args.renderer,
                    skip_missing=args.skip_missing,
                )
            except OSError as exc:
                if not exc.filename:  # a write that failed names no file: name the folders written to
                    exc.filename = (
                        f"writing into {args.build_dir or PROJECT_ROOT / 'build'} or "
                        f"{args.site_dir or PROJECT_ROOT / '_site'}"
                    )
                raise
        elif args.command == "check":
            from opencyber.inputs.locations import resolve_data_dir
            from opencyber.pipeline.check import check_edition
            from opencyber.pipeline.plan import select_editions

            data = resolve_data_dir(args.data)
            chosen, skipped = select_editions(data, args.edition)
            for ed_id, missing in skipped.items():
                print(f"[{ed_id}] not checked: {len(missing)} input file(s) missing, e.g. {missing[0]}")
            failed = 0
            said: set[str] = set()  # a file several editions read is listed once
            for ed in chosen:  # every edition, every file: one run lists every problem (up to a limit per file)
                try:
                    print(check_edition(ed, data).summary(), flush=True)
                except InputErrors as exc:
                    lines = exc.lines()
                    for line in lines:
                        if line not in said:
                            print(f"error: {line}", file=sys.stderr, flush=True)
                    said.update(lines)
                    n = sum(1 + e.more for e in exc.errors)
                    print(
                        f"[{ed.id}] {n} problem(s) in {len(exc.errors)} input file(s): "
                        + ", ".join(Path(e.path).name for e in exc.errors),
                        flush=True,
                    )
                    failed += 1
                except (InputError, RegistryError) as exc:
                    print(f"error: {exc}", file=sys.stderr, flush=True)
                    failed += 1
            if not chosen:
                print(f"error: no edition has all its inputs in {data}", file=sys.stderr)
                return 2
            if failed:
                return 2
        elif args.command == "serve":
            from opencyber.settings import PROJECT_ROOT
            from opencyber.site.serve import make_server

            root = args.site_dir or PROJECT_ROOT / "_site"
            with make_server(root, args.host, args.port) as server:
                print(f"Serving {root} on http://{args.host}:{server.server_address[1]}/ (Ctrl-C to stop)", flush=True)
                server.serve_forever()
        elif args.command == "quarto":
            from opencyber.pipeline import quarto_project

            (quarto_project.pre_render if args.step == "pre-render" else quarto_project.post_render)()
        elif args.command == "golden":
            from opencyber.pipeline.golden import make_golden

            make_golden(args.data, args.edition)
    except NotebookDataError as exc:  # one line per edition that failed
        for line in exc.lines:
            print(f"error: {line}", file=sys.stderr)
        return 2
    except (InputError, RegistryError, NoDataError, RenderError, FolderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a full disk, a folder that cannot be written, a port in use
        print(f"error: {describe_os_error(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    """``opencyber fetch``: 0 when every file is in place or not downloadable, 1 when a file failed,
    2 for a usage or registry error, 3 when a server cannot be reached at all."""
    from opencyber.inputs import fetch

    try:
        report = fetch.fetch(
            args.edition or None,
            args.data or None,
            sources=args.sources,
            base_url=args.base_url,
            current_ods=args.current_ods,
            current_ons=args.current_ons,
            timeout=args.timeout,
            log=print,
        )
    except fetch.FetchNetworkError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return fetch.EXIT_NETWORK
    except fetch.FetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return fetch.EXIT_USAGE
    if not report.ok:
        print(
            f"error: {len(report.failed)} file(s) failed: {', '.join(r.name for r in report.failed)}", file=sys.stderr
        )
        return fetch.EXIT_FAILED
    return fetch.EXIT_OK


def run_fetch_pack(args: argparse.Namespace) -> int:
    """``opencyber fetch --pack URL --sha256 HEX``: 0 when the pack's files are in the data directory,
    1 when the pack is wrong (its hash, its manifest) or files differ without --force, 2 for a usage
    error or a folder that cannot be written, 3 when the server cannot be reached."""
    from opencyber.inputs import fetch, pack, pack_fetch

    try:
        pack_fetch.fetch_pack(
            args.pack, args.sha256, args.data or None, force=args.force, timeout=args.timeout, log=print
        )
    except fetch.FetchNetworkError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return fetch.EXIT_NETWORK
    except pack.PackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return fetch.EXIT_FAILED
    except fetch.FetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return fetch.EXIT_USAGE
    except OSError as exc:
        print(f"error: {_file_error(exc)}", file=sys.stderr)
        return fetch.EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    return fetch.EXIT_OK


def run_pack(args: argparse.Namespace) -> int:
    """``opencyber pack --data DIR --out FILE.zip``: 0 when the pack is written, 2 when not."""
    from opencyber.inputs import pack

    try:
        result = pack.make_pack(args.data or None, args.out, force=args.force, log=print)
    except pack.PackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {_file_error(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    if result.left_out:
        print(f"note: left out {', '.join(result.left_out)}")
    print(result.line())
    return 0


#: what to do about the operating system's errors a build meets
_OS_ADVICE = {
    errno.ENOSPC: "the disk is full: free some space, then run the command again",
    errno.EFBIG: "the file is larger than this system allows (or the disk is full): free some space or raise the limit",
    errno.EROFS: "the folder is on a read-only disk: choose a writable folder (--build-dir, --site-dir)",
    errno.EACCES: "no permission to write there: choose a folder you can write to (--build-dir, --site-dir)",
    errno.EPERM: "no permission to write there: choose a folder you can write to (--build-dir, --site-dir)",
    errno.EADDRINUSE: "another program uses that port: choose another with --port",
    errno.EADDRNOTAVAIL: "that address is not on this machine: choose another with --host",
}


def _file_error(exc: OSError) -> str:
    """One line for a file that cannot be read or written by ``pack`` and ``fetch --pack``: the file,
    the system's words, and advice only for a full disk (the build's advice names its own options)."""
    where = f"{exc.filename}: " if exc.filename else ""
    advice = _OS_ADVICE.get(exc.errno) if exc.errno in (errno.ENOSPC, errno.EFBIG) else None
    return f"{where}{exc.strerror or exc}" + (f"; {advice}" if advice else "")


def describe_os_error(exc: OSError) -> str:
    """One line: the file, the system's words, and what to do."""
    where = f"{exc.filename}: " if exc.filename else ""
    advice = _OS_ADVICE.get(exc.errno) if exc.errno is not None else None
    return f"{where}{exc.strerror or exc}" + (f"; {advice}" if advice else "")


if __name__ == "__main__":
    sys.exit(main())
