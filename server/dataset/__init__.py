"""The dataset as a whole: landing page, VoID/DCAT description, dumps and sitemap.

Owns: ``home`` (the landing page ``/``), ``description`` (the VoID and DCAT graph, counts and
partitions), ``void_page`` (its HTML view for browsers) and ``views`` (``/.well-known/void``, ``/dumps/...``,
``/sitemap.xml``; ``hcn dump``).

May import: the shared top-level modules, ``store``, ``linkeddata`` (page context and labels) and
``api`` (the named queries listed on the landing page). Never ``app``, ``cli`` or ``production``.
"""
