# ptlab in a container, for Mac and Windows users (the lab needs a Linux kernel's /proc).
FROM python:3.11-slim

# tini is PID 1: it reaps orphaned zombies and forwards SIGTERM to the server.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 ptlab
WORKDIR /home/ptlab/ptlab
COPY --chown=ptlab:ptlab pyproject.toml README.md constraints.txt ./
COPY --chown=ptlab:ptlab app ./app
COPY --chown=ptlab:ptlab static ./static
COPY --chown=ptlab:ptlab templates ./templates
RUN pip install --no-cache-dir -c constraints.txt -e .

USER ptlab
# Listen on every interface of the container; the server refuses to start
# this way unless PTLAB_TOKEN is set, so control is never open to the network.
ENV PTLAB_HOST=0.0.0.0 \
    PTLAB_PORT=8000 \
    PYTHONUNBUFFERED=1
EXPOSE 8000
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["ptlab"]
