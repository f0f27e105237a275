"""Production serving: gunicorn with uvicorn workers, and the ASGI front in each worker.

Owns: ``gunicorn`` (``hcn serve --production``: options, preloaded app, per-worker query pools)
and ``asgi`` (the front that answers kept ``/sparql`` answers on the event loop and hands every
other request to the Flask app).

May import: anything, including ``app``; nothing imports it but ``cli``.
"""
