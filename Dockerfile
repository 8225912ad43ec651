# Mend in a container. The image expects DATABASE_URL (see docker-compose.yml): the embedded
# PostgreSQL cluster is for running Mend straight from a checkout, not for containers.

FROM rust:1-bookworm AS builder
WORKDIR /src
COPY . .
# Queries are checked against the committed .sqlx/ data: no database is needed to build.
ENV SQLX_OFFLINE=true
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /home/mend --shell /usr/sbin/nologin mend
COPY --from=builder /src/target/release/mend /usr/local/bin/mend
COPY static /app/static
ENV MEND_STATIC_DIR=/app/static \
    MEND_ADDR=0.0.0.0:3000
WORKDIR /home/mend
EXPOSE 3000
# No HEALTHCHECK: the slim image has no curl. Probe GET /healthz (up) or /readyz (database
# answers) from the orchestrator instead.
USER mend
ENTRYPOINT ["mend"]
CMD ["serve"]
