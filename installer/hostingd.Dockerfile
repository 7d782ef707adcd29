# syntax=docker/dockerfile:1
# hostingd's container image: the service, as a non-root user, its data in a volume.
# Build it from the repository's root (the workspace's manifests are all needed):
#
#   docker build -f installer/hostingd.Dockerfile -t hostingd .
#   docker run -d --name hostingd --stop-timeout 45 -p 8443:8443 -v hostingd-data:/var/lib/hostingd \
#       -e HOSTINGD_SERVER_NAMES=hosting.example.org -e HOSTINGD_PUBLIC_ZONE=hosting.example.org hostingd
#
# installer/hostingd.Dockerfile.dockerignore keeps target/ and .git out of the build context.
# Settings: the HOSTINGD_* variables of `hostingd serve --help`; secrets as files mounted
# read-only (HOSTINGD_DATABASE_URL_FILE=/run/secrets/database-url, …). A planned stop is SIGTERM:
# requests finish for up to --shutdown-grace-seconds (20 s), so give the runtime more than that
# before it kills (docker --stop-timeout 45, compose stop_grace_period: 45s, Kubernetes
# terminationGracePeriodSeconds: 45; Docker's default is 10 s). Probes: liveness
# GET https://…:8443/v1/health, readiness GET https://…:8443/v1/ready (see installer/README.md).

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/src/target,sharing=locked \
    cargo build --release --locked -p hostingd --bin hostingd \
    && objcopy --strip-all target/release/hostingd /usr/local/bin/hostingd

FROM debian:bookworm-slim
# ca-certificates: the system's roots for S3, SMTP, the SMS gateway and the schools' CAS
# servers; curl: the HEALTHCHECK. Not pinned: the image takes Debian's security updates.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
# A fixed, non-root uid (runAsNonRoot can check a number): a host directory mounted as the
# volume must belong to 10001.
RUN groupadd --system --gid 10001 hostingd \
    && useradd --system --uid 10001 --gid hostingd --home-dir /var/lib/hostingd \
        --shell /usr/sbin/nologin hostingd \
    && install -d -o hostingd -g hostingd -m 0700 /var/lib/hostingd
COPY --from=build /usr/local/bin/hostingd /usr/local/bin/hostingd

# NO_COLOR: plain log lines for the runtime's log driver, not terminal colours.
ENV HOSTINGD_DATA_DIR=/var/lib/hostingd \
    HOSTINGD_LISTEN=0.0.0.0:8443 \
    NO_COLOR=1
VOLUME ["/var/lib/hostingd"]
WORKDIR /var/lib/hostingd
USER 10001:10001
# The API; the schedules' endpoints take ports of --port-range (20000-29999 by default);
# --metrics-listen (e.g. 0.0.0.0:9464) when it is set.
EXPOSE 8443 20000-29999
STOPSIGNAL SIGTERM
# Liveness: the process answers on its API port (the port of HOSTINGD_LISTEN). The shell form
# on purpose: it reads that variable.
# hadolint ignore=DL3025
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsSk -o /dev/null "https://127.0.0.1:${HOSTINGD_LISTEN##*:}/v1/health" || exit 1
ENTRYPOINT ["/usr/local/bin/hostingd"]
CMD ["serve"]
