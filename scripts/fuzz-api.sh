#!/usr/bin/env bash
# Fuzzes the HTTP API from its own OpenAPI description with schemathesis:
# no 5xx, every response in the described shape, bad input refused with 4xx.
#
#   scripts/fuzz-api.sh [MAX_EXAMPLES]     (default 100 per operation)
#
# Uses target/debug/dossier (built by `cargo test`), indexes the bundled
# corpus into a temporary folder and serves it on a free loopback port.
# `positive_data_acceptance` is left out: filter values are checked against
# the gazetteer (an actor or country must exist), which a schema cannot say,
# so a schema-valid `actor=xyz` is rightly refused with 400.
set -euo pipefail
cd "$(dirname "$0")/.."
examples="${1:-100}"
bin="${DOSSIER_BIN:-${CARGO_TARGET_DIR:-target}/debug/dossier}"
work="$(mktemp -d)"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
"$bin" index corpus --index "$work/index" --quiet >/dev/null
"$bin" serve --index "$work/index" --addr 127.0.0.1:0 --quiet 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 100); do
  url="$(grep -o 'http://[^ ]*/' "$work/serve.log" | head -1 || true)"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/serve.log" >&2; exit 1; }
# From the scratch folder: schemathesis keeps a cache in its working folder.
(cd "$work" && schemathesis run "${url}api/openapi.json" \
  --checks all --exclude-checks positive_data_acceptance \
  --max-examples "$examples" --workers 2 --seed "${FUZZ_SEED:-1}" \
  --max-response-time 5)
if ! kill -0 "$server" 2>/dev/null; then
  echo "fuzz-api: the server died during the run" >&2
  cat "$work/serve.log" >&2
  exit 1
fi
echo "fuzz-api: the server is still up after the run"
