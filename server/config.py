"""Frozen settings: defaults < environment (``HCN_*``) < explicit dict."""

from __future__ import annotations

import dataclasses
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

#: Extra environment names accepted for a setting (the canonical ``HCN_<FIELD>`` also works).
ENV_ALIASES = {"query_timeout_s": "HCN_QUERY_TIMEOUT"}
#: The value of a setting worked out from others or from the machine (``auto`` in the environment).
AUTO = -1
AUTO_SETTINGS = ("client_budget_s", "query_memory_mb")
#: Share of the machine's memory all query workers together may allocate by default.
MEMORY_SHARE = 0.25
#: The smallest default memory budget per query worker, in MiB.
MIN_MEMORY_MB = 128


@dataclass(frozen=True)
class Settings:
    """Everything the publisher needs to know; built once per app.

    >>> Settings().graph_iri("data")
    'https://w3id.org/healthy-cities/graph/data'
    """

    base_iri: str = "https://w3id.org/healthy-cities/"
    #: The folder holding ontology/ data/ shapes/; the working directory unless given (the CLI finds it
    #: upward like git, see ``server.project``); never the package's own install folder.
    root: Path = field(default_factory=Path.cwd)
    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout_s: float = 10.0
    max_rows: int = 10000
    pool_size: int = 2
    max_query_bytes: int = 256 * 1024
    page_size: int = 200
    #: Per web worker, MiB of finished /sparql answers kept for repeated requests (0 = off); embedded store only.
    result_cache_mb: int = 64
    #: Remote SPARQL 1.1 backend (empty = the embedded store); see ``server/store/remote.py``.
    sparql_endpoint: str = ""
    sparql_update_endpoint: str = ""
    sparql_store_endpoint: str = ""
    sparql_user: str = ""
    sparql_password: str = field(default="", repr=False)
    sparql_auth: str = "basic"
    #: Folder of an on-disk embedded store, reused while the source files are unchanged (empty = in memory).
    store_path: str = ""
    #: Per client (address): queries admitted at once, waiting or running (0 = no limit).
    client_max_in_flight: int = 2
    #: Per client: query-worker seconds per minute (-1 = one deadline, ``query_timeout_s``; 0 = no budget).
    client_budget_s: float = AUTO
    #: Peers whose ``X-Forwarded-For`` names the client: addresses or networks, comma-separated.
    trusted_proxies: str = ""
    #: MiB one query worker may allocate beyond its start (-1 = sized from the machine; 0 = no budget).
    query_memory_mb: int = AUTO

    def __post_init__(self) -> None:
        if not self.base_iri.startswith(("http://", "https://")) or not self.base_iri.endswith(("/", "#")):
            raise ConfigError(f"base IRI must be an http(s) IRI ending in '/' or '#': {self.base_iri!r}")
        object.__setattr__(self, "root", Path(self.root).expanduser().resolve())
        if self.query_timeout_s <= 0 or self.max_query_bytes <= 0 or min(self.pool_size, self.max_rows,
                                                                       self.result_cache_mb) < 0:
            raise ConfigError("query_timeout_s and max_query_bytes must be > 0; pool_size, max_rows and "
                              "result_cache_mb >= 0")
        if self.client_max_in_flight < 0 or self.client_budget_s < AUTO or self.query_memory_mb < AUTO:
            raise ConfigError("client_max_in_flight must be >= 0; client_budget_s and query_memory_mb >= 0, "
                              "or -1 (auto)")
        if self.client_budget_s < 0:
            object.__setattr__(self, "client_budget_s", self.query_timeout_s)
        self.proxy_networks()  # ConfigError now rather than at the first request
        if self.sparql_auth.lower() not in ("basic", "digest"):
            raise ConfigError(f"sparql_auth must be basic or digest: {self.sparql_auth!r}")
        for name in ("sparql_endpoint", "sparql_update_endpoint", "sparql_store_endpoint"):
            url = getattr(self, name)
            if url and not url.startswith(("http://", "https://")):
                raise ConfigError(f"{name} must be an http(s) URL: {url!r}")

    def proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """``trusted_proxies`` parsed: each entry an address or a network (``10.0.0.0/8``, ``::1``).

        >>> Settings(trusted_proxies="127.0.0.1, 10.0.0.0/8").proxy_networks()
        (IPv4Network('127.0.0.1/32'), IPv4Network('10.0.0.0/8'))
        """
        networks = []
        for entry in filter(None, (part.strip() for part in self.trusted_proxies.split(","))):
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                raise ConfigError(f"trusted_proxies: {entry!r} is not an IP address or network") from None
        return tuple(networks)

    def memory_budget_mb(self, web_processes: int = 1) -> int:
        """MiB each query worker may allocate (0 = unbounded): ``query_memory_mb``, or when that is -1,
        ``MEMORY_SHARE`` of the machine's memory (or of the cgroup's limit, if lower) divided by every
        query worker the server runs (``web_processes`` × ``pool_size``), at least ``MIN_MEMORY_MB``."""
        if self.query_memory_mb != AUTO:
            return self.query_memory_mb
        workers = max(1, web_processes) * max(1, self.pool_size)
        return max(MIN_MEMORY_MB, int(machine_memory_mb() * MEMORY_SHARE / workers))

    def graph_iri(self, name: str) -> str:
        """IRI of the named graph ``name`` (``ontology``, ``data`` or ``shapes``)."""
        return f"{self.base_iri}graph/{name}"

    @classmethod
    def load(cls, explicit: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from defaults, then ``HCN_<FIELD>`` variables, then ``explicit``."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(f"HCN_{f.name.upper()}", environ.get(ENV_ALIASES.get(f.name, "")))
            if raw is not None:
                values[f.name] = _coerce(f.name, f.type, raw)
        for key, value in (explicit or {}).items():
            if key not in {f.name for f in dataclasses.fields(cls)}:
                raise ConfigError(f"unknown setting {key!r}")
            values[key] = value
        return cls(**values)


def machine_memory_mb() -> int:
    """Memory this server may use, in MiB: physical memory, or a lower cgroup v2/v1 limit (containers)."""
    total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            limit = Path(path).read_text(encoding="ascii").strip()
        except OSError:
            continue
        if limit.isdigit():
            total = min(total, int(limit))
    return total // (1024 * 1024)


def _coerce(name: str, type_name: Any, raw: str) -> Any:
    """Convert an environment string to the field's type (annotations are strings here)."""
    converters = {"int": int, "float": float, "Path": Path, "str": str}
    if name in AUTO_SETTINGS and raw.strip().lower() == "auto":
        return AUTO
    try:
        return converters[str(type_name)](raw)
    except ValueError:
        raise ConfigError(f"HCN_{name.upper()}={raw!r} is not a valid {type_name}") from None
