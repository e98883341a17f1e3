# Sourced by .ci/run: what the image and release-binary tests need on a fresh
# Debian machine, installed only when missing (apt-get update first), and a
# Docker engine started only when none answers, stopped again at the end.
#   docker.io          dockerd + docker CLI (test/image)
#   docker-compose     deploy/compose.yaml read and run (test/deploy, test/image/compose)
#   qemu-user-static   runs the arm64 binaries (test/release)
#   libc6-arm64-cross  Debian's arm64 glibc for them (/usr/aarch64-linux-gnu)
#   musl               Debian's musl loader for the x64 musl binary
# Where nothing can be installed or started, the tests skip and say why.

ci_started_dockerd=""

ci_install_engines() {
  local need=()
  command -v dockerd >/dev/null || need+=(docker.io)
  command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || need+=(docker-compose)
  command -v qemu-aarch64-static >/dev/null || need+=(qemu-user-static)
  [ -e /usr/aarch64-linux-gnu/lib/libc.so.6 ] || need+=(libc6-arm64-cross)
  [ -e /lib/ld-musl-x86_64.so.1 ] || [ "$(uname -m)" != x86_64 ] || need+=(musl)
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "ci: not root, cannot install ${need[*]}; the tests that need them will skip" >&2
    return 0
  fi
  echo "ci: installing ${need[*]}"
  apt-get update -qq >/dev/null &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
    echo "ci: could not install ${need[*]}; the tests that need them will skip" >&2
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
