#!/usr/bin/env bash
# Builds the page's engines: the app once per group of protocols, so a lesson downloads the
# simulator with its own protocols rather than with every protocol of the course (README, "Size and
# load time"). Trunk runs this after a release build (Trunk.toml, post_build hook); it writes
# engines/<group>-<hash>.js and _bg.wasm into the build, and the table static/boot.js reads to pick
# one into index.html. A development build has no engines: it loads Trunk's all-protocols build.
#
# Run by hand for the sizes alone: `scripts/engines.sh --sizes` (builds into target/engines/).
set -euo pipefail

cd "$(dirname "$0")/.."

# The groups, in the course's order, each small enough for an engine of at most 700 KB gzipped
# (README, "Size and load time"). Every protocol of the `all-protocols` feature (Cargo.toml) is in
# exactly one; the first group also opens the course map.
ENGINE_GROUPS=(
  "foundations:rpc,generals,heartbeat,byzantine_generals"
  "time:clock_sync,logical,broadcast"
  "raft:raft"
  "paxos:paxos"
  "multipaxos:multi_paxos"
  "replication:primary_backup,chain"
  "replicas:abd,crdt"
  "dynamo:dynamo"
  "commit:two_phase_commit,three_phase_commit"
  "paxoscommit:paxos_commit"
)

sizes_only=0
if [[ "${1:-}" == "--sizes" ]]; then
  sizes_only=1
elif [[ "${TRUNK_PROFILE:-}" != "release" ]]; then
  exit 0
fi

export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# Every protocol in one group, no more, no less.
all=$(sed -n 's/^all-protocols = \[\(.*\)\]$/\1/p' Cargo.toml | tr -d '" ' | tr ',' '\n' | sort)
listed=$(for group in "${ENGINE_GROUPS[@]}"; do echo "${group#*:}"; done | tr ',' '\n' | sort)
if [[ -z "$all" || "$all" != "$listed" ]]; then
  echo "engines.sh: the groups list $(echo $listed) but Cargo.toml's all-protocols has $(echo $all)" >&2
  exit 1
fi

work=target/engines/out
rm -rf "$work"
mkdir -p "$work"

# Builds engine $1 with protocols $2 in target directory $3, and leaves its line of the table in
# $work/$1.entry.
build_engine() {
  local name=$1 features=$2 target=$3 hash gz protocols
  cargo build --offline --locked --quiet --target wasm32-unknown-unknown --target-dir "$target" \
    --profile web-page --bin causeway --no-default-features --features "$features"
  wasm-bindgen --target web --no-typescript --out-dir "$work" --out-name "$name" \
    "$target/wasm32-unknown-unknown/web-page/causeway.wasm"
  wasm-opt -Oz --output="$work/$name.opt.wasm" "$work/${name}_bg.wasm"
  mv "$work/$name.opt.wasm" "$work/${name}_bg.wasm"
  hash=$(cat "$work/${name}_bg.wasm" "$work/$name.js" | sha256sum | cut -c1-16)
  mv "$work/${name}_bg.wasm" "$work/$name-${hash}_bg.wasm"
  mv "$work/$name.js" "$work/$name-$hash.js"
  gz=$(($(gzip -9 -c "$work/$name-${hash}_bg.wasm" | wc -c) + $(gzip -9 -c "$work/$name-$hash.js" | wc -c)))
  echo "engine $name ($features): $gz bytes gzip"
  protocols=$(echo "$features" | sed 's/[a-z_]*/"&"/g')
  echo "\"$name\":{\"file\":\"./engines/$name-$hash\",\"protocols\":[$protocols]}" >"$work/$name.entry"
}

# Each build links with one thread (codegen-units = 1 and LTO), so two lanes, each with a target
# directory of its own, keep both cores busy: every other engine in each.
lane() {
  local i group
  for ((i = $1; i < ${#ENGINE_GROUPS[@]}; i += 2)); do
    group=${ENGINE_GROUPS[i]}
    build_engine "${group%%:*}" "${group#*:}" "target/engines/lane$1"
  done
}
lane 0 &
first=$!
lane 1 &
second=$!
status=0
wait $first || status=1
wait $second || status=1
if [[ $status != 0 ]]; then
  echo "engines.sh: an engine did not build" >&2
  exit 1
fi
table=""
for group in "${ENGINE_GROUPS[@]}"; do
  table+="${table:+,}$(cat "$work/${group%%:*}.entry")"
done
[[ $sizes_only == 1 ]] && exit 0

# Each lesson's group, so the page starts fetching a lesson's engine before the lesson's file
# arrives.
presets=$(node -e '
  const fs = require("fs");
  const [dir, ...groups] = process.argv.slice(1);
  const groupOf = {};
  for (const group of groups) {
    const [name, protocols] = group.split(":");
    for (const protocol of protocols.split(",")) groupOf[protocol] = name;
  }
  const lessons = fs.readdirSync(dir).filter((file) => file.endsWith(".json") && file !== "course.json");
  const entries = lessons.sort().map((file) => {
    const protocol = JSON.parse(fs.readFileSync(`${dir}/${file}`, "utf8")).protocol.name;
    if (!groupOf[protocol]) throw new Error(`${file}: no engine has the protocol ${protocol}`);
    return `${JSON.stringify(file.slice(0, -5))}:${JSON.stringify(groupOf[protocol])}`;
  });
  process.stdout.write(entries.join(","));
' src/scenario/presets "${ENGINE_GROUPS[@]}")

mkdir -p "$TRUNK_STAGING_DIR/engines"
cp "$work"/*.js "$work"/*_bg.wasm "$TRUNK_STAGING_DIR/engines/"
# The table goes right after <meta charset> (which must stay within the first 1024 bytes), so it is
# there before static/boot.js looks for it.
html="$TRUNK_STAGING_DIR/index.html"
script="<script>window.causewayEngines={\"home\":\"${ENGINE_GROUPS[0]%%:*}\",\"engines\":{$table},\"presets\":{$presets}};</script>"
sed -i "0,/<meta charset=\"utf-8\" \/>/s||&$script|" "$html"
grep -q "window.causewayEngines" "$html" || { echo "engines.sh: could not add the engine table to $html" >&2; exit 1; }
