"""The dataset as a whole: landing page, VoID/DCAT description, dumps and sitemap.

Owns: ``home`` (the landing page ``/``), ``description`` (the VoID and DCAT graph, counts and
partitions), ``void_page`` (its HTML view for browsers), ``views`` (``/.well-known/void``,
``/dumps/...``, ``/sitemap.xml``; ``hcn dump``), ``changes`` (the change feed ``/changes`` and each
release's RDF Patch) and ``harvest_report`` (``/harvest``, and each harvested source as a
``void:subset`` of the dataset).

May import: the shared top-level modules, ``store``, ``changes`` (releases and their patches),
``linkeddata`` (page context and labels) and ``api`` (the named queries listed on the landing page).
Never ``app``, ``cli`` or ``production``.
"""
