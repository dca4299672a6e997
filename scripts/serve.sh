#!/usr/bin/env bash
# Serves the app with live reload on http://127.0.0.1:8080, installing any missing tools first.
# Extra arguments go to `trunk serve` (e.g. `--release`, which also builds the page's engines,
# scripts/engines.sh: about ten minutes on two cores; a development build loads the one engine
# with every protocol instead).
set -euo pipefail

cd "$(dirname "$0")/.."

./scripts/install-tools.sh

# Trunk finds wasm-opt (binaryen 132, used by --release) on PATH.
export PATH="$PWD/node_modules/.bin:$PATH"

# A development build (unoptimised, with Trunk's live-reload script) goes to target/serve/, never to
# dist/, which holds only what `trunk build --release` writes: the folder to deploy.
echo "serve: Causeway will be at http://127.0.0.1:8080 once the first build finishes"
exec trunk serve --offline --dist target/serve "$@"
