"""Healthy Cities knowledge graph: linked-data publisher, store backends and steward CLI."""

__version__ = "0.1.0"
