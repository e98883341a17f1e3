# Sourced by .ci/run: what the image and release-binary tests need on a fresh
# Debian machine, installed only when missing (apt-get update first), and a
# Docker engine started only when none answers, stopped again at the end.
#   docker.io          dockerd + docker CLI (test/image)
#   docker-compose     deploy/compose.yaml read and run (test/deploy, test/image/compose)
#   qemu-user-static   runs the arm64 binaries (test/release)
#   libc6-arm64-cross  Debian's arm64 glibc for them (/usr/aarch64-linux-gnu)
#   musl               Debian's musl loader for the x64 musl binary
#   musl:arm64, libstdc++6-arm64-cross, libgcc-s1-arm64-cross, gcc-aarch64-linux-gnu
#                      the arm64 musl binary under qemu (dpkg learns arm64 for musl:arm64)
# Where nothing can be installed or started, the tests skip and say why.

ci_started_dockerd=""

ci_install_engines() {
  local base=() arm=()
  command -v dockerd >/dev/null || base+=(docker.io)
  command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || base+=(docker-compose)
  command -v qemu-aarch64-static >/dev/null || base+=(qemu-user-static)
  [ -e /usr/aarch64-linux-gnu/lib/libc.so.6 ] || base+=(libc6-arm64-cross)
  [ -e /lib/ld-musl-x86_64.so.1 ] || [ "$(uname -m)" != x86_64 ] || base+=(musl)
  [ -e /usr/aarch64-linux-gnu/lib/libstdc++.so.6 ] || arm+=(libstdc++6-arm64-cross)
  [ -e /usr/aarch64-linux-gnu/lib/libgcc_s.so.1 ] || arm+=(libgcc-s1-arm64-cross)
  command -v aarch64-linux-gnu-gcc >/dev/null || arm+=(gcc-aarch64-linux-gnu)
  [ -e /lib/ld-musl-aarch64.so.1 ] || arm+=(musl:arm64)
  [ ${#base[@]} -eq 0 ] && [ ${#arm[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "ci: not root, cannot install ${base[*]} ${arm[*]}; the tests that need them will skip" >&2
    return 0
  fi
  # musl:arm64 is a foreign package here: dpkg must know the architecture first.
  if [ ${#arm[@]} -gt 0 ] && [ "$(dpkg --print-architecture)" != arm64 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64
  fi
  apt-get update -qq >/dev/null || echo "ci: apt-get update failed" >&2
  # Two groups, so that the arm64 musl tools failing never costs the Docker engine.
  local group
  for group in "${base[*]}" "${arm[*]}"; do
    [ -n "$group" ] || continue
    echo "ci: installing $group"
    # shellcheck disable=SC2086 # one word per package
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $group >/dev/null ||
      echo "ci: could not install $group; the tests that need them will skip" >&2
  done
}

ci_start_dockerd() {
  command -v dockerd >/dev/null || return 0
  docker info >/dev/null 2>&1 && return 0
  [ "$(id -u)" -eq 0 ] || { echo "ci: no Docker engine and not root to start one; the image test will skip" >&2; return 0; }
  # No bridge and no iptables rules: containers use --network host or none, nothing leaves loopback.
  dockerd --bridge=none --iptables=false >"${TMPDIR:-/tmp}/ci-dockerd.log" 2>&1 &
  ci_started_dockerd=$!
  local i
  for i in $(seq 1 60); do
    docker info >/dev/null 2>&1 && { echo "ci: started dockerd (pid $ci_started_dockerd)"; return 0; }
    kill -0 "$ci_started_dockerd" 2>/dev/null || break
    sleep 1
  done
  echo "ci: dockerd did not come up; the image test will skip. Its log:" >&2
  tail -n 5 "${TMPDIR:-/tmp}/ci-dockerd.log" >&2 || true
}

ci_stop_dockerd() {
  [ -n "$ci_started_dockerd" ] || return 0
  kill "$ci_started_dockerd" 2>/dev/null || true
  wait "$ci_started_dockerd" 2>/dev/null || true
}
