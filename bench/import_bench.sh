#!/usr/bin/env bash
# Import of a generated Disqus export (issue 10): comments/s and peak memory (ru_maxrss via /usr/bin/time -v) of
# `tribune import disqus`, the file size, the engine's share (its µs per comment, as the import reports it), then
# the same import again (every comment a duplicate: the cost of idempotency). Prints a table; writes one JSON line
# to $OUT (default bench/results/imports.json).
# Knobs: IMPORT_BENCH_COMMENTS (1000000), TRIBUNE (build/release/tribune), STORAGE_URL (empty: SQLite in a temp dir;
# a postgresql:// URL of an empty database), KEEP_TMP=1.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${IMPORT_BENCH_COMMENTS:-1000000}
TRIBUNE=${TRIBUNE:-$ROOT/build/release/tribune}
OUT=${OUT:-$ROOT/bench/results/imports.json}
[ -x "$TRIBUNE" ] || { echo "import_bench: $TRIBUNE missing" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "import_bench: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tribune-import-bench.XXXXXX")
trap '[ "${KEEP_TMP:-0}" = 1 ] || rm -rf "$TMP"' EXIT

FILE=$TMP/disqus.xml
node "$ROOT/bench/import_gen.mjs" --comments "$N" >"$FILE"
BYTES=$(stat -c %s "$FILE")
export TRIBUNE_STORAGE_URL=${STORAGE_URL:-}
export TRIBUNE_MODERATION_CACHE_DIR=${TRIBUNE_MODERATION_CACHE_DIR:-$TMP/lexicon-cache}
# Compile the lexicons first, so the import's time does not include a cold cache.
"$TRIBUNE" moderate --explain "warm up" >/dev/null 2>&1 || true

run() {  # run NAME: import, keep stdout in $TMP/NAME.out and time -v in $TMP/NAME.time
  /usr/bin/time -v "$TRIBUNE" import disqus "$FILE" --data "$TMP/data" >"$TMP/$1.out" 2>"$TMP/$1.time" ||
    { tail -20 "$TMP/$1.time" >&2; exit 1; }
}
field() { sed -n "s/^\s*$2: //p" "$TMP/$1.time" | head -1; }
seconds() {  # elapsed "h:mm:ss" or "m:ss.ss" → seconds
  awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }' <<<"$(field "$1" 'Elapsed (wall clock) time (h:mm:ss or m:ss)')"
}
run first
run again
IMPORTED=$(sed -n 's/^comments imported: //p' "$TMP/first.out")
DUPS=$(sed -n 's/^skipped: [0-9]* duplicates ([0-9]* articles, \([0-9]*\) comments)/\1/p' "$TMP/again.out")
S1=$(seconds first)
S2=$(seconds again)
RSS1=$(field first 'Maximum resident set size (kbytes)')
RSS2=$(field again 'Maximum resident set size (kbytes)')
ENGINE_US=$(sed -n 's/^engine: .* \([0-9.]*\) us per comment$/\1/p' "$TMP/first.out")
ENGINE_S=$(sed -n 's/^engine: [0-9]* checks, \([0-9.]*\) s,.*/\1/p' "$TMP/first.out")
RATE1=$(awk -v n="$N" -v s="$S1" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')
RATE2=$(awk -v n="$N" -v s="$S2" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')
mkdir -p "$(dirname "$OUT")"
printf '{"comments_in_file": %s, "file_bytes": %s, "imported": %s, "seconds": %s, "comments_per_s": %s, "peak_rss_kb": %s, "engine_us_per_comment": %s, "engine_seconds": %s, "rerun_seconds": %s, "rerun_comments_per_s": %s, "rerun_duplicates": %s, "rerun_peak_rss_kb": %s, "backend": "%s"}\n' \
  "$N" "$BYTES" "${IMPORTED:-0}" "$S1" "$RATE1" "$RSS1" "${ENGINE_US:-null}" "${ENGINE_S:-null}" "$S2" "$RATE2" "${DUPS:-0}" "$RSS2" \
  "$([ -n "$TRIBUNE_STORAGE_URL" ] && echo postgresql || echo sqlite)" | tee "$OUT"
printf '%-44s %s\n' "import disqus: comments in file / file size" "$N / $((BYTES / 1048576)) MB"
printf '%-44s %s\n' "  first run: s / comments/s / peak RSS" "$S1 s / $RATE1 / $((RSS1 / 1024)) MB"
printf '%-44s %s\n' "  engine (report only): us per comment / s" "${ENGINE_US:-?} us / ${ENGINE_S:-?} s"
printf '%-44s %s\n' "  re-run (all duplicates): s / comments/s / RSS" "$S2 s / $RATE2 / $((RSS2 / 1024)) MB"
cat "$TMP/first.out" >&2
