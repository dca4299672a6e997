#!/usr/bin/env bash
# Installs every tool Causeway's build and tests need, from crates.io, npm and Debian apt only.
# Idempotent: each tool is checked first and installed only when missing or at the wrong version.
#
# Usage: scripts/install-tools.sh [--browser]
#   --browser   also install what the browser and e2e tests need: Debian's chromium and
#               chromium-driver, and mdBook (the course-notes book the embeds are tested in)
set -euo pipefail

cd "$(dirname "$0")/.."

TRUNK_VERSION="0.21.14"
MDBOOK_VERSION="0.5.4"
WASM_TARGET="wasm32-unknown-unknown"
NODE_MAJOR_MIN=20

want_browser=0
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    -h | --help)
      sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "install-tools: unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

say() { printf 'install-tools: %s\n' "$*"; }

# The wasm-bindgen CLI must match the wasm-bindgen crate exactly, so read the version from Cargo.lock.
wasm_bindgen_version() {
  awk '
    $0 == "name = \"wasm-bindgen\"" { found = 1; next }
    found && /^version = / { gsub(/version = |"/, ""); print; exit }
  ' Cargo.lock
}

as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  else
    sudo "$@"
  fi
}

# Rust target for the web app.
if rustup target list --installed | grep -qx "$WASM_TARGET"; then
  say "ok: rust target $WASM_TARGET"
else
  say "installing: rust target $WASM_TARGET"
  rustup target add "$WASM_TARGET"
fi

# Trunk, the bundler. 0.21.14 is the newest that builds with rustc 1.95.
if command -v trunk >/dev/null 2>&1 && [[ "$(trunk --version)" == "trunk $TRUNK_VERSION" ]]; then
  say "ok: trunk $TRUNK_VERSION"
else
  say "installing: trunk $TRUNK_VERSION (cargo install, about 8 minutes)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# wasm-bindgen-cli, which also provides wasm-bindgen-test-runner. Without --locked: its lock file pins
# a crate version the registry no longer has.
wb_version="$(wasm_bindgen_version)"
if [[ -z "$wb_version" ]]; then
  echo "install-tools: cannot find the wasm-bindgen version in Cargo.lock" >&2
  exit 1
fi
if command -v wasm-bindgen >/dev/null 2>&1 &&
  command -v wasm-bindgen-test-runner >/dev/null 2>&1 &&
  [[ "$(wasm-bindgen --version)" == "wasm-bindgen $wb_version" ]]; then
  say "ok: wasm-bindgen-cli $wb_version"
else
  say "installing: wasm-bindgen-cli $wb_version (cargo install, about 2 minutes)"
  cargo install wasm-bindgen-cli --version "$wb_version"
fi

# Node packages: binaryen (wasm-opt), playwright-core, axe-core and Lighthouse (tests/e2e/lighthouse.mjs),
# pinned in package-lock.json. npm ci only runs when node_modules does not match the lock file that
# was last installed.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-tools: node >= $NODE_MAJOR_MIN and npm are required (https://nodejs.org)" >&2
  exit 1
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if ((node_major < NODE_MAJOR_MIN)); then
  echo "install-tools: node >= $NODE_MAJOR_MIN is required, found $(node --version)" >&2
  exit 1
fi
stamp="node_modules/.causeway-package-lock.json"
if [[ -f "$stamp" ]] && cmp -s package-lock.json "$stamp" && [[ -x node_modules/.bin/wasm-opt ]]; then
  say "ok: node packages (binaryen, playwright-core, axe-core, lighthouse)"
else
  say "installing: node packages (npm ci)"
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi

# Crate sources, so trunk and cargo can run with --offline.
say "fetching: crate sources (cargo fetch)"
cargo fetch --quiet

if ((want_browser)); then
  if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
    say "ok: chromium and chromedriver ($(/usr/bin/chromium --version 2>/dev/null | tr -s ' '))"
  else
    say "installing: chromium chromium-driver (apt-get, about 1 minute)"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver
  fi
  # mdBook, for tests/e2e/notes.mjs: embeds in a real book of course notes.
  if command -v mdbook >/dev/null 2>&1 && [[ "$(mdbook --version)" == "mdbook v$MDBOOK_VERSION" ]]; then
    say "ok: mdbook $MDBOOK_VERSION"
  else
    say "installing: mdbook $MDBOOK_VERSION (cargo install, about 4 minutes)"
    cargo install mdbook --version "$MDBOOK_VERSION" --locked
  fi
fi
