"""Response header edits on the hot path, cheaper than werkzeug's parsed views of them.

``response.vary.add(...)`` parses the header into a set and writes it back on every change;
these helpers touch the header list once. They are used where every request passes.
"""

from __future__ import annotations

from collections.abc import Iterable

from werkzeug.datastructures import Headers


def vary_on(headers: Headers, *fields: str) -> None:
    """Add ``fields`` to ``Vary`` (once each, case-insensitively), as ``response.vary.update`` would."""
    current = headers.get("Vary")
    if not current:
        headers["Vary"] = ", ".join(fields)
        return
    present = {part.strip().lower() for part in current.split(",")}
    missing = [field for field in fields if field.lower() not in present]
    if missing:
        headers["Vary"] = ", ".join([current, *missing])


def set_all(headers: Headers, values: Iterable[tuple[str, str]]) -> None:
    """Set each header of ``values`` (replacing one already there), in one pass over the list."""
    values = dict(values)
    lowered = {name.lower() for name in values}
    if any(name.lower() in lowered for name, _ in headers.items()):
        for name in values:
            headers.remove(name)
    headers.extend(values)
