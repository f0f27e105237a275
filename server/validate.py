"""Steward validation (no Flask here): the public entry point; the logic lives in ``server.validation``."""

from __future__ import annotations

from .validation import Finding, Options, Report, UnsupportedFeature, validate

__all__ = ["Finding", "Options", "Report", "UnsupportedFeature", "validate"]
