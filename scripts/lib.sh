# Shared by scripts/run and scripts/test: install what is missing, build the UI.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Debian/Ubuntu packages the app, its end-to-end test and the tests need.
SYSTEM_PACKAGES=(
  libwebkit2gtk-4.1-dev build-essential libssl-dev libxdo-dev libayatana-appindicator3-dev
  librsvg2-dev pkg-config file xvfb xauth webkit2gtk-driver fonts-dejavu-core git curl ca-certificates
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the Debian packages named that are not installed yet.
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

ensure_system_packages() { ensure_packages "${SYSTEM_PACKAGES[@]}"; }

ensure_rust() {
  if ! command -v cargo >/dev/null 2>&1; then
    say "installing Rust (rustup)"
    curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal >/dev/null
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
}

ensure_node() {
  if ! command -v npm >/dev/null 2>&1; then
    say "installing Node.js and npm"
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq nodejs npm >/dev/null
  fi
}

# Installs the UI's packages (when package-lock.json changed) and builds ui/dist,
# which the app embeds at compile time.
build_ui() {
  ensure_node
  local stamp="$ROOT/ui/node_modules/.lock-stamp"
  if [ ! -f "$stamp" ] || ! cmp -s "$ROOT/ui/package-lock.json" "$stamp"; then
    say "installing the UI's npm packages"
    (cd "$ROOT/ui" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$ROOT/ui/package-lock.json" "$stamp"
  fi
  say "building the UI"
  (cd "$ROOT/ui" && npm run --silent build >/dev/null)
}

ensure_tauri_driver() {
  if ! command -v tauri-driver >/dev/null 2>&1; then
    say "installing tauri-driver (WebDriver for the app)"
    cargo install tauri-driver --locked --quiet
  fi
}
