"""The linked-data publisher: every IRI dereferences to a negotiated document.

Owns: ``resources`` (``/id`` -> 303 -> ``/doc``, listings, the ontology and shapes routes),
``documents`` (what a document about one subject holds), ``publishing`` (negotiated responses,
ETags, links shared by every page), ``pages`` (view models for the HTML templates) and
``ontology_page`` (the ontology and shapes pages).

May import: the shared top-level modules and ``store``. Never ``app``, ``cli`` or another view package.
"""
