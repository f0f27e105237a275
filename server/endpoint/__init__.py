"""The SPARQL 1.1 endpoint at ``/sparql``: protocol, service description, query UI, result cache.

Owns: ``sparql`` (the protocol view: request -> query job -> negotiated bytes), ``service_description``
(the endpoint's own RDF description), ``query_ui`` (the browser page) and ``result_cache`` (kept
answers for repeated requests).

May import: the shared top-level modules, ``store``, ``operations`` (metrics, request log) and
``api`` (the named queries offered as examples). Never ``app``, ``cli`` or ``production``.
"""
