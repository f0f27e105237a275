"""Search over labels and definitions: ``index`` (built once from the store when the app loads, queried
in memory: accent- and case-folded, ranked, grouped by kind) and ``views`` (``/search``, HTML and JSON).

May import: the shared top-level modules, ``store`` (the label query at load) and ``linkeddata`` (the
page languages).
"""
