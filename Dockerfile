# ptlab in a container, for Mac and Windows users (the lab needs a Linux kernel's /proc).
# tests/test_package.py follows these steps without a container engine, with the same wheel.

# Stage 1: the wheel, exactly as `pipx install` or `uv tool install` would get it.
FROM python:3.11-slim AS wheel
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
COPY static ./static
COPY templates ./templates
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /dist .

# Stage 2: the wheel installed with the tested pins, run by an ordinary user.
FROM python:3.11-slim
# tini is PID 1: it reaps orphaned zombies and forwards SIGTERM to the server.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 ptlab
COPY constraints.txt /tmp/constraints.txt
COPY --from=wheel /dist /tmp/dist
RUN pip install --no-cache-dir -c /tmp/constraints.txt /tmp/dist/ptlab-*.whl \
    && rm -rf /tmp/dist /tmp/constraints.txt

USER ptlab
WORKDIR /home/ptlab
# Listen on every interface of the container; the server refuses to start
# this way unless PTLAB_TOKEN is set, so control is never open to the network.
ENV PTLAB_HOST=0.0.0.0 \
    PTLAB_PORT=8000 \
    PYTHONUNBUFFERED=1
EXPOSE 8000
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["ptlab"]
