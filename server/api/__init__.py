"""The named-query API at ``/api/``: each ``queries/*.rq`` file is one operation.

Owns: ``examples`` (reading the query files and their ``#+`` headers), ``params`` (typed
parameters bound as RDF terms), ``named_queries`` (running one, for the API and ``hcn query``),
``openapi`` (the OpenAPI 3.1 document) and ``views`` (the HTTP routes).

May import: the shared top-level modules, ``store``, ``operations`` (admission of each query) and
``search`` (its operation in the OpenAPI document). Never ``app``, ``cli`` or another view package.
"""
