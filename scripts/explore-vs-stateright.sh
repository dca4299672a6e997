#!/usr/bin/env bash
# Compares `sim explore` of Paxos (3 acceptors, 2 proposers) with Stateright 0.31's
# `paxos check 3`, in unique states per CPU second (docs/explore.md, "Against Stateright").
#
# The two run at the same time, so both meet the same slow or fast minutes of a shared machine:
# Stateright on core 0, and meanwhile `sim explore` again and again on core 1. Each window
# compares Stateright's run with the Causeway runs that ended before it did.
#
#   scripts/explore-vs-stateright.sh [WINDOWS]    (default 5; builds both the first time)
set -euo pipefail
cd "$(dirname "$0")/.."
windows=${1:-5}
work=${STATERIGHT_DIR:-${TMPDIR:-/tmp}/causeway-stateright}
stateright=$work/target/release/examples/paxos
scenario=docs/explore/paxos-3-acceptors-2-proposers.json

if [[ ! -x $stateright ]]; then
  echo "building Stateright 0.31's paxos example in $work" >&2
  mkdir -p "$work/fetch"
  if [[ ! -f $work/fetch/Cargo.toml ]]; then
    cargo init -q --name fetch "$work/fetch"
  fi
  (cd "$work/fetch" && cargo add -q stateright@=0.31.0 && cargo fetch -q)
  source=$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -maxdepth 2 -type d -name 'stateright-0.31.0' | head -1)
  cp -r "$source"/. "$work"
  (cd "$work" && RUSTFLAGS="--cap-lints=allow" cargo build -q --release --example paxos)
fi
cargo build -q --release --bin sim
sim=target/release/sim
cw_states=$("$sim" explore "$scenario" 2>&1 | grep -o '^  [0-9,]* states' | tr -dc '0-9')

cpu() { awk '{ printf "%.2f", $1 + $2 }' "$1"; }
printf '%-7s %14s %12s %28s %12s %8s\n' window "Stateright s" "states/s" "Causeway s" "states/s" ratio
for ((w = 1; w <= windows; w++)); do
  out=$(mktemp -d)
  /usr/bin/time -f "%U %S" -o "$out/sr" taskset -c 0 "$stateright" check 3 >"$out/sr.log" 2>&1 &
  pid=$!
  runs=()
  while kill -0 "$pid" 2>/dev/null; do
    /usr/bin/time -f "%U %S" -o "$out/cw" taskset -c 1 "$sim" explore "$scenario" >/dev/null 2>&1
    kill -0 "$pid" 2>/dev/null && runs+=("$(cpu "$out/cw")")
  done
  wait "$pid"
  sr_unique=$(grep -o 'unique=[0-9]*' "$out/sr.log" | tail -1 | cut -d= -f2)
  sr_s=$(cpu "$out/sr")
  if ((${#runs[@]} == 0)); then
    echo "window $w: no Causeway run ended within Stateright's" >&2
    continue
  fi
  cw_s=$(printf '%s\n' "${runs[@]}" | awk '{ s += $1 } END { printf "%.2f", s / NR }')
  awk -v w="$w" -v srs="$sr_s" -v sru="$sr_unique" -v cws="$cw_s" -v cwu="$cw_states" \
    -v runs="${runs[*]}" 'BEGIN {
      printf "%-7s %14s %12d %28s %12d %8.2f\n", w, srs, sru / srs, runs, cwu / cws, (cwu / cws) / (sru / srs)
    }'
  rm -r "$out"
done
