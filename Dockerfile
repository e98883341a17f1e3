# syntax=docker/dockerfile:1
# immich-job-daemon image: a build stage that compiles the single binary with
# Bun (brought by `npm ci`, exactly as on a developer's machine), and a small
# final stage that runs it as a non-root user with CA certificates for HTTPS.
#
#   docker build -t immich-job-daemon .
#   docker run -d -e IMMICH_URL=http://immich-server:2283 -e API_KEY=... immich-job-daemon

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json bunfig.toml ./
COPY scripts ./scripts
COPY src ./src
ARG BUILD_VERSION
RUN BUILD_VERSION="${BUILD_VERSION:-}" ./node_modules/.bin/bun scripts/build.ts \
 && ./dist/immich-job-daemon --version

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin immich-job-daemon \
 && mkdir -p /var/lib/immich-job-daemon \
 && chown immich-job-daemon /var/lib/immich-job-daemon
COPY --from=build /src/dist/immich-job-daemon /usr/local/bin/immich-job-daemon
USER immich-job-daemon
# Ownership survives restarts when this is a volume (see deploy/compose.yaml).
ENV STATE_DIRECTORY=/var/lib/immich-job-daemon
VOLUME ["/var/lib/immich-job-daemon"]
# Docker sends SIGTERM on stop; the daemon resumes what it paused within EXIT_TIMEOUT (8 s), inside docker stop's default 10 s.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/immich-job-daemon", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/immich-job-daemon"]
CMD ["run"]
