# Test services, started by scripts/test on 127.0.0.1 or private sockets and stopped on exit.
# shellcheck shell=bash

# Packages only the tests need.
TEST_PACKAGES=(docker.io busybox-static)

SERVICES_DIR="${NSKIT_SERVICES_DIR:-${TMPDIR:-/tmp}/nskit-test-services-$$}"
SERVICE_PIDFILES=()

ensure_test_packages() { ensure_packages "${TEST_PACKAGES[@]}"; }

# A private dockerd on its own socket (no bridge, no iptables: test containers run without
# network), exported as DOCKER_HOST.
start_docker() {
  local d="$SERVICES_DIR/docker"
  mkdir -p "$d"
  say "starting a private Docker engine ($d/docker.sock)"
  as_root dockerd --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/pid" \
    -H "unix://$d/docker.sock" --bridge=none --iptables=false --ip-masq=false \
    --storage-driver overlay2 >"$d/log" 2>&1 &
  SERVICE_PIDFILES+=("$d/pid")
  export DOCKER_HOST="unix://$d/docker.sock"
  for _ in $(seq 1 100); do
    docker info >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "dockerd did not start; its log:" >&2
  tail -20 "$d/log" >&2
  return 1
}

# Stops every service by the pid it wrote, waits for it, and removes its files.
stop_services() {
  local f pid
  for f in "${SERVICE_PIDFILES[@]}"; do
    pid="$(cat "$f" 2>/dev/null)" || continue
    as_root kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do as_root kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  as_root rm -rf "$SERVICES_DIR" 2>/dev/null || true
}
