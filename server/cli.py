"""``hcn`` command line: thin wrappers over the app factory, the store, validation, harvest and dumps."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import __version__
from .config import Settings
from .errors import ConfigError, HcnError
from .project import find_root
from .store import Store, open_store

EPILOG = """exit codes:
  0  success (validate: the graph conforms to the shapes)
  1  findings (validate: findings at or above --fail-on)
  2  usage or input error (bad arguments, unparsable Turtle, malformed query)
  3  internal error or unsupported SHACL feature (validate)

environment: HCN_ROOT, HCN_BASE_IRI, HCN_HOST, HCN_PORT override the defaults; HCN_SPARQL_ENDPOINT
serves a remote SPARQL store instead of the embedded one; HCN_STORE_PATH caches the embedded store on disk."""

FORMAT_NAMES = ["json", "records", "xml", "csv", "tsv", "ttl", "nt", "jsonld", "rdf"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-parser per command."""
    parser = argparse.ArgumentParser(
        prog="hcn",
        description="Serve, validate, query and dump the Healthy Cities knowledge graph.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_common_options(parser, argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     parser_class=_subcommand_parser)

    serve = commands.add_parser("serve", help="run the web server (development server unless --production)")
    serve.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default 8000)")
    serve.add_argument("--production", action="store_true", help="serve with gunicorn (preloaded app, uvicorn workers)")
    serve.add_argument("--workers", type=int, metavar="N", help="gunicorn worker processes (default: cores, at least 2)")
    serve.add_argument("--threads", type=int, metavar="N", help="threads per worker for the Flask app (default 8)")
    serve.add_argument("--store-path", metavar="DIR", help="cache the embedded store on disk in DIR (HCN_STORE_PATH)")
    serve.add_argument("--endpoint", metavar="URL", help="serve a remote SPARQL store (HCN_SPARQL_ENDPOINT)")
    serve.add_argument("--max-in-flight", type=int, metavar="N", dest="client_max_in_flight",
                       help="queries one client may have running or waiting (default 2; 0 = no limit)")
    serve.add_argument("--query-budget", type=float, metavar="SECONDS", dest="client_budget_s",
                       help="query-worker seconds per client per minute (default: the query deadline; 0 = no budget)")
    serve.add_argument("--query-memory", type=int, metavar="MIB", dest="query_memory_mb",
                       help="memory one query may allocate in its worker (default: a quarter of the machine's "
                       "memory over all query workers; 0 = no budget)")
    serve.add_argument("--trusted-proxy", action="append", metavar="ADDR", dest="trusted_proxies",
                       help="a reverse proxy (address or network) whose X-Forwarded-For names the client (repeatable)")
    serve.set_defaults(run=cmd_serve)

    add_load_parser(commands)

    add_validate_parser(commands)

    add_diff_parser(commands)
    add_harvest_parser(commands)

    query = commands.add_parser("query", help="run a named query, a query file or query text")
    query.add_argument("sparql", nargs="?", metavar="NAME|SPARQL",
                       help="a named query from queries/ (e.g. six-ps) or the query text (or use --file)")
    query.add_argument("--file", type=Path, help="read the query from this .rq file")
    query.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                       help="a parameter declared in the query's #+ param- header (repeatable)")
    query.add_argument("--endpoint", metavar="URL", help="ask this SPARQL endpoint instead of the embedded store")
    query.add_argument("--format", choices=FORMAT_NAMES, help="output format (default json, or ttl for graphs)")
    query.set_defaults(run=cmd_query)

    dump = commands.add_parser("dump", help="write Turtle, N-Triples (gzip) and JSON-LD dumps")
    dump.add_argument("--out", type=Path, required=True, help="output folder")
    dump.set_defaults(run=cmd_dump)
    return parser


def add_common_options(parser: argparse.ArgumentParser, default: Any = None) -> None:
    """``--root`` and ``--base-iri``, accepted before or after the subcommand."""
    parser.add_argument("--root", type=Path, default=default,
                        help="folder holding ontology/ data/ shapes/ or hcn.toml (default: found from the "
                        "working directory upward, like git; HCN_ROOT)")
    parser.add_argument("--base-iri", default=default,
                        help="base IRI of the graph (default: https://w3id.org/healthy-cities/)")


def _subcommand_parser(**kwargs: Any) -> argparse.ArgumentParser:
    """Every subcommand takes the common options too; a value given after it wins."""
    parser = argparse.ArgumentParser(**kwargs)
    add_common_options(parser, argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``hcn`` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except HcnError as exc:
        print(f"hcn: error: {exc}", file=sys.stderr)
        return 2


def settings_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Settings given on the command line (unset options keep env/defaults); the root found if not given."""
    names = ("root", "base_iri", "host", "port", "store_path")
    values = {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}
    if "root" not in values and not os.environ.get("HCN_ROOT"):
        values["root"] = discovered_root()
    if args.command == "serve" and args.endpoint:
        values["sparql_endpoint"] = args.endpoint
    if args.command == "serve":
        for name in ("client_max_in_flight", "client_budget_s", "query_memory_mb"):
            if getattr(args, name) is not None:
                values[name] = getattr(args, name)
        if args.trusted_proxies:
            values["trusted_proxies"] = ",".join(args.trusted_proxies)
    return values


def discovered_root() -> Path:
    """The root found from the working directory upward; ``ConfigError`` naming where it looked."""
    root = find_root(Path.cwd())
    if root is None:
        raise ConfigError(f"no ontology/, data/ or shapes/ folder (nor hcn.toml) in {Path.cwd()} or a parent "
                          "folder of its repository; run inside the data repository or give --root")
    return root


def load_store(args: argparse.Namespace) -> Store:
    """Load the embedded store with the command-line settings."""
    return open_store(Settings.load(settings_overrides(args)))


def cmd_serve(args: argparse.Namespace) -> int:
    """Run gunicorn (``--production``) or Flask's development server (threaded)."""
    from .app import create_app

    if args.production:
        from .production.gunicorn import serve

        return serve(settings_overrides(args), workers=args.workers, threads=args.threads)

    app = create_app(settings_overrides(args))
    settings: Settings = app.extensions["hcn_settings"]
    app.run(host=settings.host, port=settings.port, threaded=True)
    return 0


def add_load_parser(commands: Any) -> None:
    """The ``load`` sub-command."""
    load = commands.add_parser(
        "load", help="push ontology/, data/ and shapes/ into a remote SPARQL store (Graph Store Protocol)",
        description="Replace the three named graphs on a SPARQL server with the Turtle under --root. "
        "With --update-endpoint the swap is one SPARQL Update request (atomic on Oxigraph).")
    load.add_argument("--endpoint", metavar="URL",
                      help="Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store (HCN_SPARQL_STORE_ENDPOINT)")
    load.add_argument("--update-endpoint", metavar="URL",
                      help="SPARQL Update URL for the atomic swap, e.g. http://127.0.0.1:7878/update "
                      "(HCN_SPARQL_UPDATE_ENDPOINT)")
    load.set_defaults(run=cmd_load)


def cmd_load(args: argparse.Namespace) -> int:
    """Load the release and print one line per graph."""
    from .store.loader import load_release
    from .store.transport import public_url

    overrides = settings_overrides(args)
    if args.endpoint:
        overrides["sparql_store_endpoint"] = args.endpoint
    if args.update_endpoint:
        overrides["sparql_update_endpoint"] = args.update_endpoint
    settings = Settings.load(overrides)
    for iri, count in load_release(settings, settings.root):
        print(f"{iri}\t{count} triples")
    mode = "atomic swap" if settings.sparql_update_endpoint else "graph by graph"
    print(f"loaded into {public_url(settings.sparql_store_endpoint)} ({mode})")
    return 0


def add_harvest_parser(commands: Any) -> None:
    """The ``harvest`` sub-command."""
    harvest = commands.add_parser(
        "harvest", help="collect publishers' dumps into ROOT/harvest/, checked, one named graph each",
        description="Read each publisher's /.well-known/void (or a VoID/DCAT document, or CONSTRUCT a plain "
        "SPARQL endpoint), download the best dump if it changed, verify byte size and sha256, validate it, and "
        "swap it into its own graph under ROOT/harvest/ (a failing source keeps its last good graph). "
        "Serve the result with `hcn serve --root ROOT`. Exit 0 when every source is loaded or unchanged, "
        "1 when one failed.")
    harvest.add_argument("sources", nargs="+", metavar="SOURCES.toml|URL",
                         help="a SOURCES.toml (see docs/harvest.md) or publishers' base URLs")
    harvest.set_defaults(run=cmd_harvest)


def cmd_harvest(args: argparse.Namespace) -> int:
    """Harvest every source; print one line per source and its findings; exit 1 if any failed."""
    from .harvest import harvest, read_sources

    sources = read_sources(args.sources)
    root = Path(args.root).resolve() if getattr(args, "root", None) else Path(os.environ.get("HCN_ROOT") or ".").resolve()
    settings = Settings.load({"root": root, **({"base_iri": args.base_iri} if getattr(args, "base_iri", None) else {})})
    outcomes = harvest(sources, settings.root, settings.base_iri)
    for outcome in outcomes:
        print(f"{outcome.name}\t{outcome.outcome}\t{outcome.triples} triples"
              + ("\tdownloaded" if outcome.downloaded else ""))
        for finding in outcome.findings:
            print(f"  {finding}")
    return 1 if any(o.outcome == "failed" for o in outcomes) else 0


VALIDATE_EPILOG = """exit codes:
  0  conforms: no findings at or above --fail-on
  1  findings at or above --fail-on (violation by default; warning; info)
  2  usage, input or syntax error (bad arguments, missing/binary/non-UTF-8 file, unparsable RDF),
     or an error finding (an unknown term of a closed vocabulary, see --unknown-terms)
  3  internal error or unsupported SHACL feature

With no PATH, validates the graph of the root: the nearest folder at or above the working directory
that holds ontology/, data/ or shapes/ (or an hcn.toml naming its folders), like git finds a
repository. With PATHs inside a root, the rest of the root's data is read as context (not reported).
Shapes and ontology: --shapes/--ontology, else the root's, else the Healthy Cities contract shipped
with hcn (force it with --shapes builtin / --ontology builtin)."""


def add_validate_parser(commands: Any) -> None:
    """The ``validate`` sub-command and its options."""
    from .validation.formats import NAMES
    from .validation.lint import UNKNOWN_TERM_SEVERITIES

    validate = commands.add_parser(
        "validate", help="check RDF syntax, SHACL conformance and ontology terms",
        description="Validate Turtle (.ttl), N-Triples (.nt), JSON-LD (.jsonld) and TriG (.trig) files "
        "against SHACL shapes; report findings like a compiler.",
        epilog=VALIDATE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    validate.add_argument("paths", nargs="*", metavar="PATH", help="files, folders or globs (default: the repo graph)")
    validate.add_argument("--shapes", action="append", default=[], metavar="PATH",
                          help="SHACL shapes (repeatable; default: ROOT/shapes, else 'builtin')")
    validate.add_argument("--ontology", action="append", default=[], metavar="PATH",
                          help="ontology mixed into the data graph (repeatable; default: ROOT/ontology, else 'builtin')")
    validate.add_argument("--format", choices=NAMES, default="text", help="report on stdout (default: text)")
    validate.add_argument("--output", action="append", default=[], metavar="FORMAT=PATH",
                          help="also write a report to PATH (repeatable), e.g. sarif=hcn.sarif")
    validate.add_argument("--fail-on", choices=["violation", "warning", "info"], default="violation",
                          help="lowest severity that makes the exit code 1 (default: violation)")
    validate.add_argument("--baseline", type=Path, metavar="FILE",
                          help="a previous --format json report: its findings are hidden and do not fail")
    validate.add_argument("--no-lint", action="store_true", help="SHACL and syntax only, no lint checks")
    validate.add_argument("--unknown-terms", choices=UNKNOWN_TERM_SEVERITIES, default="error",
                          help="severity of a term missing from a closed vocabulary (hc:, ORG, DCTERMS, SKOS, "
                          "OWL-Time, PROV, ...; default: error); schema.org and other open vocabularies are at "
                          "most a warning")
    validate.add_argument("--no-timing", action="store_true", help="leave the elapsed time out of the summary")
    validate.add_argument("--lang", default="en", metavar="TAG",
                          help="language of the shapes' messages, e.g. nb or en (default: en; English where the "
                          "shapes give no message in that language)")
    validate.add_argument("--debug", action="store_true", help="show a traceback on internal errors")
    validate.set_defaults(run=cmd_validate)


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate, print the report, write the --output files; exit 0, 1, 2 or 3."""
    from .validation import BaselineError, Options, UnsupportedFeature, validate
    from .validation.formats import NAMES, render

    outputs = []
    for spec in args.output:
        name, _, target = spec.partition("=")
        if name not in NAMES or not target:
            print(f"hcn validate: error: --output wants FORMAT=PATH with FORMAT one of {', '.join(NAMES)}: {spec!r}",
                  file=sys.stderr)
            return 2
        outputs.append((name, Path(target)))
    root = _validation_root(args)
    options = Options(paths=args.paths, root=root, shapes=args.shapes,
                      ontology=args.ontology, fail_on=args.fail_on, baseline=args.baseline, lint=not args.no_lint, unknown_terms=args.unknown_terms, lang=args.lang)
    try:
        report = validate(options)
        for name, target in outputs:
            target.write_text(render(report, name, timing=not args.no_timing), encoding="utf-8")
        sys.stdout.write(render(report, args.format, timing=not args.no_timing))
        if args.format != "text":
            print(report.summary(timing=not args.no_timing), file=sys.stderr)
        return report.exit_code
    except (BaselineError, HcnError, OSError) as exc:
        print(f"hcn validate: error: {exc}", file=sys.stderr)
        return 2
    except UnsupportedFeature as exc:
        print(f"hcn validate: unsupported SHACL feature: {exc}", file=sys.stderr)
        return 3
    except Exception as exc:  # the one top-level guard: unexpected errors exit 3 without a traceback
        if args.debug:
            raise
        print(f"hcn validate: internal error: {exc.__class__.__name__}: {exc} (rerun with --debug)", file=sys.stderr)
        return 3


def _validation_root(args: argparse.Namespace) -> Path | None:
    """--root, else HCN_ROOT, else the root found from the working directory (None: there is none)."""
    if getattr(args, "root", None) is not None:
        return Path(args.root).resolve()
    if os.environ.get("HCN_ROOT"):
        return Path(os.environ["HCN_ROOT"]).resolve()
    return find_root(Path.cwd())


DIFF_EPILOG = """exit codes:
  0  no change: the same facts on both sides (blank nodes compared canonically, RDFC-1.0)
  1  facts were added or removed (like git diff --exit-code)
  2  bad input: unknown revision, missing file, unparsable RDF (file:line:column)

OLD and NEW are each a file, a folder, or a git revision of the root's repository (the root is
found as hcn validate finds it). A revision, or a folder that is a root, stands for the Turtle under
its ontology and data folders. Without NEW, compares OLD with the working tree of the root."""


def add_diff_parser(commands: Any) -> None:
    """The ``diff`` sub-command."""
    from .changes.render import FORMATS

    diff = commands.add_parser(
        "diff", help="the facts added and removed between two revisions, folders or files",
        description="Compare the facts of two versions of the graph, not their text: re-serialising or "
        "reordering a file is no change. Changes are grouped by subject, with labels.",
        epilog=DIFF_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    diff.add_argument("old", metavar="OLD", help="git revision (e.g. main), folder or file")
    diff.add_argument("new", metavar="NEW", nargs="?", help="git revision, folder or file (default: the working tree)")
    diff.add_argument("--format", choices=FORMATS, default="text",
                      help="text (default), markdown (PR comment or $GITHUB_STEP_SUMMARY) or rdf-patch")
    diff.set_defaults(run=cmd_diff)


def cmd_diff(args: argparse.Namespace) -> int:
    """Print the delta; exit 0 when nothing changed, 1 when something did, 2 on bad input."""
    from .changes import compare, read_side
    from .changes.render import render, summary

    root = _validation_root(args)
    try:
        old = read_side(args.old, root)
        if args.new is None:
            new = replace(read_side(str(root or discovered_root()), root), name="working tree")
        else:
            new = read_side(args.new, root)
        delta = compare(old, new)
    except HcnError as exc:
        print(f"hcn diff: error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(render(delta, args.format))
    if args.format != "text":
        print(f"hcn diff: {summary(delta)}", file=sys.stderr)
    return 1 if delta.changed else 0


def cmd_query(args: argparse.Namespace) -> int:
    """Print the answer to a named query, a query file or query text, with ``--param`` values bound."""
    from .api import named_queries

    if (args.sparql is None) == (args.file is None):
        print("hcn query: error: give exactly one of: a query name, the query text, --file", file=sys.stderr)
        return 2
    root = Settings.load(settings_overrides(args)).root
    if args.file is None and named_queries.looks_like_name(args.sparql):
        query = named_queries.load(root, name=args.sparql)
    else:
        query = named_queries.load(root, file=args.file, text=args.sparql)
    bound = named_queries.bind(query, args.param)
    if args.endpoint:
        data = named_queries.run_remote(args.endpoint, query, bound, args.format)
    else:
        data = named_queries.run_local(load_store(args), query, bound, args.format)
    text = data.decode("utf-8")
    sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
    return 0


def cmd_dump(args: argparse.Namespace) -> int:
    """Write the dump files and list them."""
    from .dataset.views import write_dumps

    settings = Settings.load(settings_overrides(args))
    for path in write_dumps(open_store(settings), args.out, settings.base_iri):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
