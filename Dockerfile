# syntax=docker/dockerfile:1
# immich-job-daemon image: the single binary in an otherwise empty image.
#
#   docker build -t immich-job-daemon .                # this machine's architecture
#   docker buildx build --platform linux/amd64,linux/arm64 -t you/immich-job-daemon .
#   docker run -d -e IMMICH_URL=http://immich-server:2283 -e API_KEY=... immich-job-daemon
#
# Build arguments: BUILD_VERSION (baked into the binary and the version label;
# a release sets it from its tag, scripts/release.ts; unset, the binary says
# <package.json's version>-dev, +REVISION's first 7 characters if given),
# SOURCE_URL and REVISION (the source and revision labels: where and from
# which commit it is published).
#
# Stages:
#   libs   the target architecture's Debian bookworm, which only lends the C
#          library's files. Nothing runs in it, so a cross-architecture build
#          needs no emulator.
#   build  on the build machine's own architecture: `npm ci` brings Bun, which
#          cross-compiles the binary for TARGETARCH (amd64 or arm64), and
#          scripts/image-rootfs.sh lays out the final file system in /rootfs.
#   final  FROM scratch: the binary, libc/libm/libdl/libpthread and the loader
#          (all it loads: DESIGN.md §6), /etc/passwd and /etc/group naming the
#          user 65532, /tmp, and the state directory owned by 65532. No shell,
#          no package manager, no CA bundle and no zoneinfo: Bun carries its own
#          root certificates (tls.rootCertificates) and time-zone data.
# BuildKit (the default builder since Docker 23, or `docker buildx build`)
# sets BUILDPLATFORM and TARGETARCH; the classic builder needs them given
# (--build-arg BUILDPLATFORM=linux/amd64 --build-arg TARGETARCH=amd64) and
# cannot label a FROM scratch image for another architecture.
#
# Where no image can be pulled (this project's CI), the image test
# (test/image, `npm run test:image`) builds the final stage alone, instruction
# for instruction, from a context it assembles with the same
# scripts/image-rootfs.sh: the binary from `npm run build` and the host's own
# Debian bookworm C library (the files debian:bookworm-slim holds). Only its
# `COPY --from=build /x` lines read `x` from that context instead.

# Declared so the classic builder can be given it (BuildKit sets it itself).
ARG BUILDPLATFORM
ARG BUILD_VERSION=
ARG SOURCE_URL=
ARG REVISION=
ARG BUILD_IMAGE=node:20-bookworm-slim
ARG LIBS_IMAGE=debian:bookworm-slim

FROM ${LIBS_IMAGE} AS libs

FROM --platform=$BUILDPLATFORM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json bunfig.toml ./
COPY scripts ./scripts
COPY src ./src
# The target's C library files, flat (one architecture per build, so each
# wildcard matches one file).
COPY --from=libs /usr/lib/*-linux-gnu/libc.so.6 /usr/lib/*-linux-gnu/libm.so.6 /usr/lib/*-linux-gnu/libdl.so.2 \
     /usr/lib/*-linux-gnu/libpthread.so.0 /usr/lib/*-linux-gnu/ld-linux-*.so.* /target-libs/
ARG TARGETARCH
ARG BUILD_VERSION
ARG REVISION
RUN set -eu; \
    case "$TARGETARCH" in amd64) bun_target=bun-linux-x64 ;; arm64) bun_target=bun-linux-arm64 ;; \
      *) echo "no image for '$TARGETARCH': Bun builds amd64 and arm64" >&2; exit 1 ;; esac; \
    BUILD_VERSION="$BUILD_VERSION" BUILD_REVISION="$REVISION" ./node_modules/.bin/bun scripts/build.ts --target "$bun_target" --outfile dist/immich-job-daemon; \
    sh scripts/image-rootfs.sh "$TARGETARCH" dist/immich-job-daemon /target-libs /rootfs; \
    mkdir /state

FROM scratch
ARG BUILD_VERSION
ARG SOURCE_URL
ARG REVISION
LABEL org.opencontainers.image.title="immich-job-daemon" \
      org.opencontainers.image.description="Caps how many Immich job queues run at once, in priority order, without interrupting work in progress." \
      org.opencontainers.image.version="${BUILD_VERSION}" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="MIT"
COPY --from=build /rootfs/ /
# Its own COPY with --chown: COPY makes every file root's otherwise.
COPY --from=build --chown=65532:65532 /state/ /var/lib/immich-job-daemon/
USER 65532:65532
# The original image's defaults (the shell script's names and values), and
# where state and heartbeat go. HEALTH_FILE: /dev/shm is a tmpfs in every
# container, writable even with --read-only and no --tmpfs, so the heartbeat
# (one small write per poll) never touches a disk.
ENV IMMICH_URL=http://127.0.0.1:2283 \
    MAX_CONCURRENT_JOBS=1 \
    POLL_INTERVAL=10 \
    STATE_DIRECTORY=/var/lib/immich-job-daemon \
    HEALTH_FILE=/dev/shm/immich-job-daemon.health.json
# A volume stays writable under --read-only and outlives the container.
VOLUME ["/var/lib/immich-job-daemon"]
# Docker sends SIGTERM on stop (SIGKILL 10 s later unless --stop-timeout or
# compose's stop_grace_period say otherwise); the daemon resumes what it
# paused within EXIT_TIMEOUT (8 s by default, inside those 10 s) and exits 0.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/immich-job-daemon", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/immich-job-daemon"]
CMD ["run"]
