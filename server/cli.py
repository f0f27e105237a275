"""``hcn`` command line: thin wrappers over the app factory, the store, validation and dumps."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__, formats
from .config import Settings
from .errors import HcnError
from .store import Store, open_store

EPILOG = """exit codes:
  0  success (validate: the graph conforms to the shapes)
  1  findings (validate: SHACL violations)
  2  usage or input error (bad arguments, unparsable Turtle, malformed query)

environment: HCN_ROOT, HCN_BASE_IRI, HCN_HOST, HCN_PORT override the defaults."""

FORMAT_NAMES = ["json", "xml", "csv", "tsv", "ttl", "nt", "jsonld", "rdf"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-parser per command."""
    parser = argparse.ArgumentParser(
        prog="hcn",
        description="Serve, validate, query and dump the Healthy Cities knowledge graph.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--root", type=Path, help="folder holding ontology/ data/ shapes/ (default: repo root)")
    parser.add_argument("--base-iri", help="base IRI of the graph (default: https://w3id.org/healthy-cities/)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the development web server")
    serve.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default 8000)")
    serve.set_defaults(run=cmd_serve)

    validate = commands.add_parser("validate", help="check Turtle syntax and SHACL conformance")
    validate.set_defaults(run=cmd_validate)

    query = commands.add_parser("query", help="run a SPARQL query against the embedded store")
    query.add_argument("sparql", nargs="?", help="the query text (or use --file)")
    query.add_argument("--file", type=Path, help="read the query from this .rq file")
    query.add_argument("--format", choices=FORMAT_NAMES, help="output format (default json, or ttl for graphs)")
    query.set_defaults(run=cmd_query)

    dump = commands.add_parser("dump", help="write Turtle, N-Triples (gzip) and JSON-LD dumps")
    dump.add_argument("--out", type=Path, required=True, help="output folder")
    dump.set_defaults(run=cmd_dump)
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
    """Settings given on the command line (unset options keep env/defaults)."""
    names = ("root", "base_iri", "host", "port")
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def load_store(args: argparse.Namespace) -> Store:
    """Load the embedded store with the command-line settings."""
    return open_store(Settings.load(settings_overrides(args)))


def cmd_serve(args: argparse.Namespace) -> int:
    """Run Flask's development server (threaded)."""
    from .app import create_app

    app = create_app(settings_overrides(args))
    settings: Settings = app.extensions["hcn_settings"]
    app.run(host=settings.host, port=settings.port, threaded=True)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Print syntax errors or the SHACL report; exit 0, 1 or 2."""
    from .validate import validate

    outcome = validate(Settings.load(settings_overrides(args)).root)
    print(outcome.text, file=sys.stdout if outcome.exit_code < 2 else sys.stderr)
    return outcome.exit_code


def cmd_query(args: argparse.Namespace) -> int:
    """Print the results of one query in the chosen format."""
    if (args.sparql is None) == (args.file is None):
        print("hcn query: error: give exactly one of: the query text, --file", file=sys.stderr)
        return 2
    try:
        sparql = args.file.read_text(encoding="utf-8") if args.file else args.sparql
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{args.file}: error: {exc}", file=sys.stderr)
        return 2
    result = load_store(args).query(sparql)
    kind = formats.kind_of(result)
    fmt = formats.by_name(kind, args.format) if args.format else formats.offers(kind)[0]
    text = formats.serialize(result, fmt).decode("utf-8")
    sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
    return 0


def cmd_dump(args: argparse.Namespace) -> int:
    """Write the dump files and list them."""
    from .dataset import write_dumps

    for path in write_dumps(load_store(args), args.out):
        print(path)
    return 0
