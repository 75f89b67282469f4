#!/usr/bin/env bash
# The Perspective-compatible endpoint over HTTP (issue 11): POST /v1alpha1/comments:analyze?key=… with one attribute
# (TOXICITY, as Coral sends it), rotating through 256 different ~500-byte comments (bench/interop/bodies.mjs),
# against one `tribune serve` on SQLite with a key of `tribune apikey create --qps 0`. wrk -c$CONNECTIONS for
# req/s, then one connection for p50/p99 latency. References in the same job, same server, same wrk settings:
# POST /api/v1/moderation/check with the same texts (the same engine through Tribune's own API: the ratio is the
# cost of the interop layer) and GET /healthz (the HTTP stack alone). Any non-200 answer, or a 200 without
# attributeScores.TOXICITY.summaryScore.value, stops the benchmark with the answer it got.
# Prints a table; writes one JSON line to $OUT (default bench/results/interop.json).
# Knobs: TRIBUNE (build/release/tribune), INTEROP_SECONDS (10), LAT_SECONDS (5), CONNECTIONS (64), WRK_THREADS (2),
#        TRIBUNE_MODERATION_CACHE_DIR (a warm lexicon cache), KEEP_TMP=1.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TRIBUNE=${TRIBUNE:-$ROOT/build/release/tribune}
OUT=${OUT:-$ROOT/bench/results/interop.json}
RUN_S=${INTEROP_SECONDS:-10}
LAT_S=${LAT_SECONDS:-5}
CONNS=${CONNECTIONS:-64}
THREADS=${WRK_THREADS:-2}
LUA=$ROOT/bench/interop/analyze.lua
GOAL=20000
EXPECT='"TOXICITY"%s*:%s*{%s*"summaryScore"%s*:%s*{%s*"value"%s*:%s*[%d.]'

die() { echo "interop_bench: ERROR: $*" >&2; exit 1; }
for tool in wrk curl node; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
[ -x "$TRIBUNE" ] || die "$TRIBUNE missing"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/tribune-interop-bench.XXXXXX")
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  [ "${KEEP_TMP:-0}" = 1 ] && echo "interop_bench: kept $TMP" >&2 || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# SQLite in the temp directory whatever the caller's environment says; no rate limits, no access log.
export TRIBUNE_STORAGE_URL= TRIBUNE_CAPTCHA_REQUIRED=false TRIBUNE_LIMITS_ENABLED=false TRIBUNE_LOG_ACCESS=false
export TRIBUNE_MODERATION_CACHE_DIR=${TRIBUNE_MODERATION_CACHE_DIR:-$TMP/lexicon-cache}
DATA=$TMP/data

KEY=$("$TRIBUNE" apikey create --data "$DATA" --qps 0 --label bench | tail -1)
[[ $KEY =~ ^trb_[A-Za-z0-9_-]{43}$ ]] || die "tribune apikey create printed no key"
printf 'bench-password-%s\n' "$RANDOM$RANDOM" |
  "$TRIBUNE" admin create --data "$DATA" --email bench-mod@example.org --role moderator >/dev/null || die "admin create failed"
TOKEN=$("$TRIBUNE" token create --data "$DATA" --email bench-mod@example.org | tail -1)
[ -n "$TOKEN" ] || die "token create printed nothing"
node "$ROOT/bench/interop/bodies.mjs" --out "$TMP/bodies" 2>"$TMP/bodies.err" || { cat "$TMP/bodies.err" >&2; die "bodies.mjs failed"; }
BODY_TEXT_BYTES=$(sed -n 's/.*mean \([0-9]*\) bytes.*/\1/p' "$TMP/bodies.err")
node "$ROOT/bench/interop/bodies.mjs" --out "$TMP/bodies-clean" --mix clean 2>"$TMP/bodies-clean.err" ||
  { cat "$TMP/bodies-clean.err" >&2; die "bodies.mjs --mix clean failed"; }
BODIES=$(wc -l <"$TMP/bodies/analyze.jsonl")

"$TRIBUNE" serve --listen 127.0.0.1:0 --data "$DATA" >"$TMP/server.out" 2>"$TMP/server.err" &
SERVER_PID=$!
PORT=
for _ in $(seq 600); do
  PORT=$(sed -n 's|^listening on http://[^ ]*:\([0-9]*\)$|\1|p' "$TMP/server.out" 2>/dev/null | head -1)
  [ -n "$PORT" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$TMP/server.err" >&2; die "tribune exited at start"; }
  sleep 0.05
done
[ -n "$PORT" ] || die "tribune did not print 'listening on' within 30 s"
BASE=http://127.0.0.1:$PORT
ANALYZE_URL="$BASE/v1alpha1/comments:analyze?key=$KEY"

# One request each before measuring: the endpoint must answer as the contract says.
probe() {  # probe NAME URL BODY_FILE [curl args…]: fails loudly unless 200 (and, for analyze, the score is there)
  local name=$1 url=$2 file=$3 status
  shift 3
  status=$(curl -sS -o "$TMP/$name.probe" -w '%{http_code}' -H 'Content-Type: application/json' "$@" \
    --data-binary "@$file" "$url") || die "$name: no answer from $url"
  [ "$status" = 200 ] || die "$name answered $status, not 200: $(head -c 400 "$TMP/$name.probe")"
}
head -1 "$TMP/bodies/analyze.jsonl" >"$TMP/first-analyze.json"
head -1 "$TMP/bodies/check.jsonl" >"$TMP/first-check.json"
probe analyze "$ANALYZE_URL" "$TMP/first-analyze.json"
grep -Eq '"TOXICITY" *: *\{ *"summaryScore" *: *\{ *"value" *: *[0-9.]' "$TMP/analyze.probe" ||
  die "comments:analyze answered 200 without attributeScores.TOXICITY.summaryScore.value: $(head -c 400 "$TMP/analyze.probe")"
probe check "$BASE/api/v1/moderation/check" "$TMP/first-check.json" -H "Authorization: Bearer $TOKEN"

cpu_ticks() { sed 's/^.*) //' "/proc/$SERVER_PID/stat" | awk '{print $12 + $13}'; }
kv() { local v; v=$(sed -n "s/^$2=//p" "$TMP/$1.kv" | head -1); echo "${v:-0}"; }
# run NAME CONNECTIONS SECONDS URL [VAR=VALUE…]: wrk with analyze.lua; results in $TMP/NAME.kv (+ server_cpu_ms).
run() {
  local name=$1 c=$2 s=$3 url=$4 t=$THREADS before
  shift 4
  [ "$c" -lt "$t" ] && t=$c
  before=$(cpu_ticks)
  env BENCH_OUT="$TMP/$name.kv" "$@" wrk -t"$t" -c"$c" -d"${s}s" -s "$LUA" "$url" >"$TMP/$name.wrk" 2>&1 ||
    { cat "$TMP/$name.wrk" >&2; die "wrk $name failed"; }
  [ -s "$TMP/$name.kv" ] || { cat "$TMP/$name.wrk" >&2; die "wrk $name wrote no results"; }
  echo "server_cpu_ms=$((($(cpu_ticks) - before) * 1000 / $(getconf CLK_TCK)))" >>"$TMP/$name.kv"
  [ "$(kv "$name" non_200)" = 0 ] && [ "$(kv "$name" mismatches)" = 0 ] ||
    die "$name: $(kv "$name" non_200) non-200 answers, $(kv "$name" mismatches) without the score; first: $(kv "$name" sample)"
  [ "$(kv "$name" requests)" -gt 0 ] || die "$name: no request completed"
}
ANALYZE=(BENCH_BODIES="$TMP/bodies/analyze.jsonl" BENCH_EXPECT="$EXPECT")
CHECK=(BENCH_BODIES="$TMP/bodies/check.jsonl" BENCH_AUTH="Bearer $TOKEN")

run warmup "$CONNS" 2 "$ANALYZE_URL" "${ANALYZE[@]}"
run healthz_c "$CONNS" "$RUN_S" "$BASE/healthz"
run check_c "$CONNS" "$RUN_S" "$BASE/api/v1/moderation/check" "${CHECK[@]}"
run analyze_c "$CONNS" "$RUN_S" "$ANALYZE_URL" "${ANALYZE[@]}"
# The same with comments the engine publishes (most of a real stream): fewer detectors get past their first test.
run analyze_clean_c "$CONNS" "$RUN_S" "$ANALYZE_URL" BENCH_BODIES="$TMP/bodies-clean/analyze.jsonl" BENCH_EXPECT="$EXPECT"
run check_1 1 "$LAT_S" "$BASE/api/v1/moderation/check" "${CHECK[@]}"
run analyze_1 1 "$LAT_S" "$ANALYZE_URL" "${ANALYZE[@]}"
SERVER_ERRORS=$(grep -c '"level":"error"' "$TMP/server.err" || true)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "null" }'; }
cpu_us() { awk -v ms="$(kv "$1" server_cpu_ms)" -v n="$(kv "$1" requests)" 'BEGIN { printf "%.1f", n ? ms * 1000 / n : 0 }'; }
wrk_json() {
  printf '{"rps": %s, "requests": %s, "p50_us": %s, "p90_us": %s, "p99_us": %s, "max_us": %s, "server_cpu_us_per_request": %s, "socket_errors": %s}' \
    "$(kv "$1" rps)" "$(kv "$1" requests)" "$(kv "$1" lat_p50_us)" "$(kv "$1" lat_p90_us)" "$(kv "$1" lat_p99_us)" \
    "$(kv "$1" lat_max_us)" "$(cpu_us "$1")" \
    "$(($(kv "$1" errors_connect) + $(kv "$1" errors_read) + $(kv "$1" errors_write) + $(kv "$1" errors_timeout)))"
}
RPS=$(kv analyze_c rps)
GOAL_MET=$(awk -v v="$RPS" -v g="$GOAL" 'BEGIN { print (v >= g ? "true" : "false") }')
mkdir -p "$(dirname "$OUT")"
printf '{"bodies": %s, "body_text_bytes_mean": %s, "connections": %s, "wrk_threads": %s, "seconds": %s, "analyze_c": %s, "analyze_clean_c": %s, "analyze_1": %s, "reference_check_c": %s, "reference_check_1": %s, "reference_healthz_c": %s, "ratio_analyze_to_check": %s, "ratio_analyze_to_healthz": %s, "p99_ratio_analyze_to_check_1": %s, "server_errors_logged": %s, "goal_per_s": %s, "goal_met": %s}\n' \
  "$BODIES" "${BODY_TEXT_BYTES:-null}" "$CONNS" "$THREADS" "$RUN_S" "$(wrk_json analyze_c)" "$(wrk_json analyze_clean_c)" "$(wrk_json analyze_1)" \
  "$(wrk_json check_c)" "$(wrk_json check_1)" "$(wrk_json healthz_c)" "$(ratio "$RPS" "$(kv check_c rps)")" \
  "$(ratio "$RPS" "$(kv healthz_c rps)")" "$(ratio "$(kv analyze_1 lat_p99_us)" "$(kv check_1 lat_p99_us)")" \
  "${SERVER_ERRORS:-0}" "$GOAL" "$GOAL_MET" >"$OUT"
printf '%-44s %-34s %s\n' "comments:analyze (1 attribute, ~${BODY_TEXT_BYTES}B), c$CONNS" \
  "$RPS req/s, $(cpu_us analyze_c) us CPU/req" ">= $GOAL $([ "$GOAL_MET" = true ] && echo met || echo MISSED)"
printf '%-44s %-34s %s\n' "  / moderation/check (same texts) / healthz" \
  "$(ratio "$RPS" "$(kv check_c rps)") / $(ratio "$RPS" "$(kv healthz_c rps)")" \
  "$(kv check_c rps) / $(kv healthz_c rps) req/s"
printf '%-44s %-34s %s\n' "  clean comments only, c$CONNS" "$(kv analyze_clean_c rps) req/s, $(cpu_us analyze_clean_c) us CPU/req" \
  "p50 / p99 $(kv analyze_clean_c lat_p50_us) / $(kv analyze_clean_c lat_p99_us) us"
printf '%-44s %-34s %s\n' "  c$CONNS p50 / p99 (analyze)" "$(kv analyze_c lat_p50_us) / $(kv analyze_c lat_p99_us) us" "p99 < 5 ms: $(awk -v p="$(kv analyze_c lat_p99_us)" 'BEGIN { print (p < 5000 ? "met" : "MISSED") }')"
printf '%-44s %-34s %s\n' "  1 connection p50 / p99 (analyze)" "$(kv analyze_1 lat_p50_us) / $(kv analyze_1 lat_p99_us) us" \
  "check: $(kv check_1 lat_p50_us) / $(kv check_1 lat_p99_us) us"
