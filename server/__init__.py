"""Healthy Cities knowledge graph: linked-data publisher, store backends and steward CLI.

Shared modules at the top (any subpackage may import them; they import only each other):
``config``, ``errors``, ``formats``, ``negotiation``, ``addressing``, ``httpheaders``, ``graphs``,
``querytext``, ``queryerrors``, ``caching``, ``literals``, ``protocol``, ``display``. Below them ``store``, ``validation`` and ``changes``;
``harvest`` over ``validation``; then ``operations``, ``linkeddata``, ``search``, ``api``, ``endpoint`` and
``dataset``; ``app`` builds the Flask app from them, ``production``
serves it, and ``cli`` is the ``hcn`` command over all of it. Each subpackage's docstring says what
it owns and what it may import; ``tests/test_layout.py`` holds the code to it.
"""

__version__ = "0.1.0"
