# The Flask tier of the Healthy Cities publisher, served by gunicorn (`hcn serve --production`).
# Alone it serves the embedded store; with HCN_SPARQL_ENDPOINT set it serves a remote SPARQL store
# (see compose.yaml and docs/production.md, "Scale-out"). Build: docker build -t hcn .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HCN_ROOT=/app \
    HCN_HOST=0.0.0.0 \
    HCN_PORT=8000

WORKDIR /app
COPY pyproject.toml README.md ./
COPY server ./server
RUN pip install --no-cache-dir .
# The graph and the named queries: served (embedded) or pushed by `hcn load` (remote), and hashed for ETags.
COPY ontology ./ontology
COPY data ./data
COPY shapes ./shapes
COPY queries ./queries

RUN useradd --system --no-create-home hcn
USER hcn
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/ready', timeout=3)"]
CMD ["hcn", "serve", "--production"]
