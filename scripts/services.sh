# Test services, started by scripts/test on 127.0.0.1 or private sockets and stopped on exit.
# shellcheck shell=bash

# Packages only the tests need.
TEST_PACKAGES=(docker.io busybox-static docker-registry apache2-utils openssl podman dbus gnome-keyring python3-venv)

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

# Registries (Distribution) on 127.0.0.1: anonymous, basic auth (htpasswd, bcrypt cost 4 so
# a request does not cost 250 ms), and bearer tokens. The token registry trusts a key made
# here; the tests serve the token endpoint themselves (NSKIT_TEST_TOKEN_REALM) and sign
# with NSKIT_TEST_TOKEN_KEY.
REGISTRY_PORT_BASE="${NSKIT_TEST_REGISTRY_PORT_BASE:-5000}"
start_registries() {
  local d="$SERVICES_DIR/registry" p="$REGISTRY_PORT_BASE"
  mkdir -p "$d"
  export NSKIT_TEST_REGISTRY="127.0.0.1:$p"
  export NSKIT_TEST_REGISTRY_BASIC="127.0.0.1:$((p + 1))"
  export NSKIT_TEST_REGISTRY_TOKEN="127.0.0.1:$((p + 2))"
  export NSKIT_TEST_TOKEN_REALM="127.0.0.1:$((p + 3))"
  # Free for a test that starts (and stops) a registry of its own.
  export NSKIT_TEST_REGISTRY_SPARE="127.0.0.1:$((p + 4))"
  export NSKIT_TEST_REGISTRY_USER=nskit
  NSKIT_TEST_REGISTRY_PASSWORD="$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  export NSKIT_TEST_REGISTRY_PASSWORD
  htpasswd -Bbn -C 4 "$NSKIT_TEST_REGISTRY_USER" "$NSKIT_TEST_REGISTRY_PASSWORD" >"$d/htpasswd"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$d/token.key" -out "$d/token.crt" -days 2 -subj /CN=nskit-test-token 2>/dev/null
  export NSKIT_TEST_TOKEN_KEY="$d/token.key"
  export NSKIT_TEST_TOKEN_CERT="$d/token.crt"
  local name auth
  for name in plain basic token; do
    case "$name" in
      plain) auth="" ; addr="$NSKIT_TEST_REGISTRY" ;;
      basic) auth="auth: {htpasswd: {realm: nskit-test, path: $d/htpasswd}}"; addr="$NSKIT_TEST_REGISTRY_BASIC" ;;
      token) auth="auth: {token: {realm: http://$NSKIT_TEST_TOKEN_REALM/token, service: nskit-test-registry, issuer: nskit-test-token-server, rootcertbundle: $d/token.crt}}"; addr="$NSKIT_TEST_REGISTRY_TOKEN" ;;
    esac
    cat >"$d/$name.yml" <<YAML
version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: $d/$name-data}, delete: {enabled: true}}
http: {addr: $addr}
$auth
YAML
    say "starting the $name registry on $addr"
    docker-registry serve "$d/$name.yml" >"$d/$name.log" 2>&1 &
    echo $! >"$d/$name.pid"
    SERVICE_PIDFILES+=("$d/$name.pid")
  done
  for addr in "$NSKIT_TEST_REGISTRY" "$NSKIT_TEST_REGISTRY_BASIC" "$NSKIT_TEST_REGISTRY_TOKEN"; do
    local ok=""
    for _ in $(seq 1 100); do
      if (exec 3<>"/dev/tcp/${addr%:*}/${addr#*:}") 2>/dev/null; then ok=1; break; fi
      sleep 0.1
    done
    if [ -z "$ok" ]; then
      echo "the registry on $addr did not start; its logs:" >&2
      tail -5 "$d"/*.log >&2
      return 1
    fi
  done
}

# Podman's Docker-compatible API on a private socket, with private storage: the second
# engine the Docker tests run against. This machine lacks CAP_SYS_RESOURCE, so the default
# ulimits are lowered; there is no systemd, so cgroups are managed directly; the test
# registries are plain HTTP. Sets PODMAN_HOST (DOCKER_HOST is left to dockerd).
start_podman() {
  local d="$SERVICES_DIR/podman"
  mkdir -p "$d"
  cat >"$d/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=10000:10000", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  {
    echo 'unqualified-search-registries = []'
    local a
    for a in "${NSKIT_TEST_REGISTRY:-}" "${NSKIT_TEST_REGISTRY_BASIC:-}" "${NSKIT_TEST_REGISTRY_TOKEN:-}" "${NSKIT_TEST_REGISTRY_SPARE:-}"; do
      [ -n "$a" ] && printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$a"
    done
  } >"$d/registries.conf"
  say "starting podman's Docker-compatible API ($d/podman.sock)"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo --preserve-env=CONTAINERS_CONF,CONTAINERS_REGISTRIES_CONF)
  CONTAINERS_CONF="$d/containers.conf" CONTAINERS_REGISTRIES_CONF="$d/registries.conf" \
    "${sudo[@]}" podman --root "$d/root" --runroot "$d/run" --tmpdir "$d/tmp" \
    system service --time=0 "unix://$d/podman.sock" >"$d/log" 2>&1 &
  echo $! >"$d/pid"
  SERVICE_PIDFILES+=("$d/pid")
  export PODMAN_HOST="unix://$d/podman.sock"
  for _ in $(seq 1 100); do
    [ -S "$d/podman.sock" ] && DOCKER_HOST="$PODMAN_HOST" docker version >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "podman did not start; its log:" >&2
  tail -20 "$d/log" >&2
  return 1
}

# A real OS keychain: a private D-Bus session bus with GNOME Keyring's Secret Service,
# unlocked, its files under the services folder. Exported as DBUS_SESSION_BUS_ADDRESS, so
# the keyring crate finds it; the daemon ends with its bus.
start_keyring() {
  local d="$SERVICES_DIR/keyring"
  mkdir -p "$d/home" "$d/run"
  chmod 700 "$d/run"
  say "starting a Secret Service keychain (GNOME Keyring on a private D-Bus)"
  dbus-daemon --session --fork --address="unix:path=$d/bus" --print-pid >"$d/pid"
  SERVICE_PIDFILES+=("$d/pid")
  export DBUS_SESSION_BUS_ADDRESS="unix:path=$d/bus"
  printf 'nskit-test-keyring' | HOME="$d/home" XDG_RUNTIME_DIR="$d/run" \
    gnome-keyring-daemon --daemonize --unlock --components=secrets >"$d/env" 2>"$d/log"
}

# The Python tools of scripts/python-tools.txt in a venv of Debian's Python, made again only
# when that list changes. Exports NSKIT_TEST_PYTHON_BIN (the venv's bin folder).
ensure_python_tools() {
  local venv="${NSKIT_TOOLS_DIR:-$ROOT/target/tools}/venv" list="$ROOT/scripts/python-tools.txt"
  local stamp="$venv/.requirements"
  if ! cmp -s "$list" "$stamp" 2>/dev/null; then
    say "installing the Python test tools into $venv"
    rm -rf "$venv"
    /usr/bin/python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$list"
    cp "$list" "$stamp"
  fi
  export NSKIT_TEST_PYTHON_BIN="$venv/bin"
}

# An S3-compatible server (moto) on 127.0.0.1, exported as NSKIT_TEST_S3 (its URL).
start_s3() {
  local d="$SERVICES_DIR/s3" port="$((REGISTRY_PORT_BASE + 10))"
  mkdir -p "$d"
  say "starting an S3 server (moto) on 127.0.0.1:$port"
  "$NSKIT_TEST_PYTHON_BIN/moto_server" -H 127.0.0.1 -p "$port" >"$d/log" 2>&1 &
  echo $! >"$d/pid"
  SERVICE_PIDFILES+=("$d/pid")
  export NSKIT_TEST_S3="http://127.0.0.1:$port"
  for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "the S3 server did not start; its log:" >&2
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
  # Storage the engines left mounted (overlay layers, container roots) goes first.
  { grep -F " $SERVICES_DIR/" /proc/mounts || true; } | awk '{print $2}' | sort -r |
    while read -r m; do as_root umount -l "$m" 2>/dev/null || true; done
  as_root rm -rf "$SERVICES_DIR" 2>/dev/null || true
}
