"""Named queries: ``queries/*.rq`` files with a ``#+ key: value`` header (title, description, tags,
``param-NAME`` lines; see ``params``). One parser serves the query UI, the REST API and ``hcn query``.

Read at request time, so queries added while the server runs show up in the query UI and the API.

>>> parse_example("six-ps", "#+ title: The six Ps\\n#+ tags: a, b\\n\\nSELECT * {}")
Example(name='six-ps', title='The six Ps', description='', tags=('a', 'b'), query='SELECT * {}', params=())
>>> parse_example("q", "#+ param-n: integer | default: 3\\nSELECT ?n {}").params[0].default
'3'
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from .params import Param, parse_param

log = logging.getLogger(__name__)

_HEADER = re.compile(r"#\+\s*([\w-]+)\s*:\s*(.*)")
_FORM = re.compile(r"^\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE | re.MULTILINE)
_COMMENT = re.compile(r"^\s*#.*$", re.MULTILINE)


@dataclass(frozen=True)
class Example:
    """One named query; ``query`` is the text without its header lines."""

    name: str
    title: str
    description: str
    tags: tuple[str, ...]
    query: str
    params: tuple[Param, ...] = ()

    @property
    def form(self) -> str:
        """The query form (``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``), upper-case; ``""`` if none is found."""
        match = _FORM.search(_COMMENT.sub("", self.query))
        return match.group(1).upper() if match else ""


def parse_example(name: str, text: str) -> Example:
    """Split the ``#+`` header lines at the top of ``text`` from the query; ``ValueError`` for a bad ``param-``."""
    header: dict[str, str] = {}
    params: list[Param] = []
    lines = text.splitlines()
    body_start = 0
    for index, line in enumerate(lines):
        match = _HEADER.fullmatch(line.strip())
        if match and match.group(1).lower().startswith("param-"):
            params.append(parse_param(match.group(1).lower()[len("param-") :], match.group(2).strip()))
        elif match:
            header[match.group(1).lower()] = match.group(2).strip()
        elif line.strip():
            break
        body_start = index + 1
    tags = tuple(t.strip() for t in header.get("tags", "").split(",") if t.strip())
    return Example(
        name=name,
        title=header.get("title") or name.replace("-", " "),
        description=header.get("description", ""),
        tags=tags,
        query="\n".join(lines[body_start:]).strip(),
        params=tuple(params),
    )


def read_examples(root: Path) -> list[Example]:
    """Every readable ``queries/*.rq`` under ``root``, sorted by title; unreadable files are skipped."""
    examples = []
    folder = root / "queries"
    for path in sorted(folder.glob("*.rq")) if folder.is_dir() else []:
        try:
            examples.append(parse_example(path.stem, path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError):
            continue
        except ValueError as exc:  # a malformed param- line: leave the query out rather than misbind it
            log.warning("%s: %s", path, exc)
            continue
    return sorted(examples, key=lambda e: e.title.lower())
