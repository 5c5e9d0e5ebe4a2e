# thememap API image: `docker compose up` runs it against Neo4j (see docker-compose.yml).
# Build stage: a wheel, so the image gets exactly what `pip install .` packages (seed data included).
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY api/ api/
COPY graph/ graph/
COPY schema/ schema/
COPY seeds/ seeds/
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=build /wheels /wheels
# The seed check fails the build if pyproject's package-data ever stops shipping the dataset files.
RUN pip install /wheels/*.whl \
    && rm -rf /wheels \
    && python -c "from importlib.resources import files; assert (files('seeds') / 'datasets' / 'perinatal_social_work' / 'study.json').is_file(), 'seed data missing from the wheel'" \
    && useradd --system --uid 10001 --user-group --create-home --home-dir /srv/thememap thememap
USER 10001
WORKDIR /srv/thememap
ENV THEMEMAP_STORE=neo4j \
    THEMEMAP_DATA_DIR=/srv/thememap/data
EXPOSE 8000
# slim has no curl: probe /healthz with the standard library.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["thememap", "serve", "--host", "0.0.0.0", "--port", "8000"]
