# shellcheck shell=bash disable=SC2034  # sourced by bench/run, which uses what this sets
# Step 12 of bench/run (sourced by it; uses its helpers: log, die, start_server, stop_server, wrk_run, kv, api,
# article, seed_thread, ratio, median, free_port, cpu_ticks, and $TMP, $TRIBUNE, $LUA, the knobs).
#
# The thread read and posting of steps 1 and 2 on three configurations, in alternating rounds
# (SQLite, PG1, PG2, SQLite, PG1, PG2, ...), READ_ROUNDS of them:
#   sqlite  one server on SQLite (WAL, synchronous=FULL), as in steps 1-2;
#   pg1     one server on PostgreSQL;
#   pg2     two servers on one PostgreSQL database (two ports); wrk's load is split across both: two wrk processes
#           at once, one per server, each with half the threads and connections; requests/s are summed, and the
#           latency percentiles are the higher of the two processes' values (wrk's histograms cannot be merged).
# Each round measures, per configuration:
#   read      GET /api/v1/articles/{id}/comments?limit=50 (50 comments) anonymous: served from the page cache;
#   read_auth the same with a bearer token: the cache is bypassed, every request authenticates and reads the database;
#   post      POST comments with a bearer token, $CONNECTIONS connections, POST_SECONDS: 201s/s; afterwards the
#             article's rows in the database (sqlite3 / psql) must equal the 201s, plus at most the requests in
#             flight when wrk stopped (0 <= db - 201s <= connections), each round on a fresh article.
# PostgreSQL: a throw-away cluster of scripts/pg-test-cluster under $TMP on a free port, with durability restored
# (CLUSTER_PG_DURABLE=1, default: fsync, full_page_writes and synchronous_commit on, like SQLite's synchronous=FULL;
# 0 keeps the test cluster's fsync=off, synchronous_commit=off). CLUSTER_PG_URL=postgresql://… uses a running
# server instead (its role must be allowed to CREATE DATABASE; its settings are reported as found).
# Sets CLUSTER_JSON (stored under "cluster" in latest.json) and CLUSTER_TABLE (lines for the table).

CLUSTER_PG_DURABLE=${CLUSTER_PG_DURABLE:-1}
CLUSTER_PG_URL=${CLUSTER_PG_URL:-}
C_PG_DIR=
C_PG_PORT=

pg_cluster() { TRIBUNE_PG_TEST_DIR=$C_PG_DIR TRIBUNE_PG_TEST_PORT=$C_PG_PORT "$ROOT/scripts/pg-test-cluster" "$@"; }
# Called by bench/run's cleanup before $TMP is removed.
cluster_cleanup() { [ -z "$C_PG_DIR" ] || pg_cluster stop >/dev/null 2>&1 || true; }
# pg_url_db BASE_URL NAME: BASE_URL with the database NAME (postgresql://user@host:port/db[?query]).
c_list() { local IFS=,; echo "[$*]"; }
pg_url_db() { sed -E "s|^(postgres(ql)?://[^/]*)/[^?]*|\\1/$2|" <<<"$1"; }
psql_q() { psql "$1" -XAtq -v ON_ERROR_STOP=1 -c "$2"; }

# The PostgreSQL server processes (the postmaster and its backends), for CPU time.
pg_pids() {
  [ -n "$C_PG_DIR" ] || return 0
  local pm
  pm=$(head -1 "$C_PG_DIR/data/postmaster.pid" 2>/dev/null) || return 0
  echo "$pm"
}

# cluster_seed CONFIG DATA_DIR URL: a fresh editor, token and read thread on the server at $PORT; sets C_TOKEN_CONFIG,
# C_READ_CONFIG. URL empty for SQLite.
cluster_seed() {
  local config=$1 data=$2 url=$3
  printf 'bench-password-%s\n' "$RANDOM$RANDOM" | env ${url:+TRIBUNE_STORAGE_URL=$url} "$TRIBUNE" admin create --data "$data" \
    --email bench@example.org --role editor >/dev/null || die "$config: admin create failed"
  TOKEN=$(env ${url:+TRIBUNE_STORAGE_URL=$url} "$TRIBUNE" token create --data "$data" --email bench@example.org | tail -1)
  [ -n "$TOKEN" ] || die "$config: token create printed nothing"
  local read_article
  read_article=$(article "cluster-read-$config")
  [ -n "$read_article" ] || die "$config: could not create the read article"
  seed_thread "$read_article"
  log "step 12: $config seeded (port $PORT, article $read_article)"
  printf -v "C_TOKEN_$config" '%s' "$TOKEN"
  printf -v "C_READ_$config" '%s' "$read_article"
}

# cluster_wrk NAME CONFIG [wrk-args...] URL_PATH: one wrk run against every server of CONFIG at once (the threads
# and connections divided among them). Writes $TMP/NAME.kv with the sums (requests, rps, statuses), the highest
# latency percentiles, and the CPU time of the servers and of PostgreSQL during the run.
cluster_wrk() {
  local name=$1 config=$2 mode=$3 path=$4
  local ports_var="C_PORTS_$config" pids_var="C_PIDS_$config" token_var="C_TOKEN_$config"
  local -a ports pids
  read -r -a ports <<<"${!ports_var}"
  read -r -a pids <<<"${!pids_var}"
  local n=${#ports[@]} i t c secs
  t=$((WRK_THREADS / n)); [ "$t" -ge 1 ] || t=1
  c=$((CONNECTIONS / n))
  secs=$READ_SECONDS; [ "$mode" = post ] && secs=$POST_SECONDS
  local -a args=(-t"$t" -c"$c" -d"${secs}s" --timeout 10s)
  local -a hdr=()
  [ "$mode" = read_auth ] && hdr=(-H "Authorization: Bearer ${!token_var}")
  local pg_pm srv_before pg_before=0
  pg_pm=$(pg_pids)
  srv_before=0
  for i in "${pids[@]}"; do srv_before=$((srv_before + $(cpu_ticks "$i"))); done
  [ "$config" = sqlite ] || [ -z "$pg_pm" ] || pg_before=$(cpu_ticks "$pg_pm")
  local -a jobs=()
  for i in $(seq 0 $((n - 1))); do
    if [ "$mode" = post ]; then
      BENCH_MODE=post BENCH_TOKEN=${!token_var} wrk_run "$name.$i" "${args[@]}" "http://127.0.0.1:${ports[$i]}$path" &
    else
      BENCH_MODE="read" wrk_run "$name.$i" "${args[@]}" "${hdr[@]}" "http://127.0.0.1:${ports[$i]}$path" &
    fi
    jobs+=($!)
  done
  for i in "${jobs[@]}"; do wait "$i" || die "$name: wrk failed"; done
  local srv_after=0 pg_after=0
  for i in "${pids[@]}"; do srv_after=$((srv_after + $(cpu_ticks "$i"))); done
  [ "$config" = sqlite ] || [ -z "$pg_pm" ] || pg_after=$(cpu_ticks "$pg_pm")
  {
    for i in $(seq 0 $((n - 1))); do sed "s/^/$i./" "$TMP/$name.$i.kv"; done
  } | awk -F'[.=]' -v srv=$(((srv_after - srv_before) * 1000 / $(getconf CLK_TCK))) \
        -v pg=$(((pg_after - pg_before) * 1000 / $(getconf CLK_TCK))) '
    { key = $2; val = substr($0, index($0, "=") + 1) + 0 }
    key ~ /^(requests|bytes|errors_|status_|responses_counted)/ { sum[key] += val; next }
    key == "rps" { sum[key] += val; next }
    key == "duration_us" { if (val > dur) dur = val; next }
    key ~ /^lat_/ { if (!(key in hi) || val > hi[key]) hi[key] = val; next }
    END {
      for (k in sum) printf "%s=%s\n", k, (k == "rps" ? sprintf("%.1f", sum[k]) : sprintf("%d", sum[k]))
      for (k in hi) printf "%s=%s\n", k, hi[k]
      printf "duration_us=%d\nserver_cpu_ms=%d\npg_cpu_ms=%d\n", dur, srv, pg
    }' >"$TMP/$name.kv"
}

# comments_in CONFIG ARTICLE: the article's comment rows in CONFIG's database.
comments_in() {
  local sql="SELECT count(*) FROM comments WHERE article_id = $2"
  if [ "$1" = sqlite ]; then sqlite3 "file:$C_DATA_sqlite/tribune.db?mode=ro" "$sql"; else local uv="C_URL_$1"; psql_q "${!uv}" "$sql"; fi
}

cluster_bench() {
  if [ -z "$CLUSTER_PG_URL" ]; then
    C_PG_DIR=$TMP/pg
    C_PG_PORT=$(free_port)
    local rc=0
    pg_cluster start >"$TMP/pg-start.log" 2>&1 || rc=$?
    if [ "$rc" = 3 ]; then
      log "step 12 skipped: PostgreSQL is not installed ($(tail -1 "$TMP/pg-start.log"))"
      C_PG_DIR=
      CLUSTER_JSON='{"skipped": "PostgreSQL is not installed"}'
      CLUSTER_TABLE=$(printf '%-44s %-34s %s' "sqlite vs postgresql (step 12)" "skipped: no PostgreSQL" "")
      return 0
    fi
    [ "$rc" = 0 ] || { cat "$TMP/pg-start.log" >&2; die "could not start the PostgreSQL cluster"; }
    CLUSTER_PG_URL=$(pg_cluster url)
    if [ "$CLUSTER_PG_DURABLE" = 1 ]; then
      local s
      for s in "fsync = on" "full_page_writes = on" "synchronous_commit = on"; do
        psql_q "$CLUSTER_PG_URL" "ALTER SYSTEM SET $s" || die "ALTER SYSTEM SET $s failed"
      done
      psql_q "$CLUSTER_PG_URL" "SELECT pg_reload_conf()" >/dev/null
      for _ in $(seq 50); do [ "$(psql_q "$CLUSTER_PG_URL" 'SHOW fsync')" = on ] && break; sleep 0.1; done
    fi
  fi
  local -a gucs=(server_version fsync synchronous_commit full_page_writes wal_level wal_sync_method shared_buffers
                 max_connections)
  local g settings_json="" settings_text=""
  for g in "${gucs[@]}"; do
    local v
    v=$(psql_q "$CLUSTER_PG_URL" "SHOW $g") || die "cannot query PostgreSQL at $CLUSTER_PG_URL"
    settings_json+="\"$g\": \"$v\", "
    [ "$g" = server_version ] && v=${v%% *}
    settings_text+="$g=$v "
  done
  settings_json="{${settings_json%, }, \"connection\": \"TCP 127.0.0.1\", \"throwaway_cluster\": $([ -n "$C_PG_DIR" ] && echo true || echo false)}"
  log "step 12: PostgreSQL $settings_text"

  # One database for both PostgreSQL configurations would let pg1's posts slow pg2's reads; one each.
  local db_pg1="tribune_bench_pg1_$$" db_pg2="tribune_bench_pg2_$$"
  psql_q "$CLUSTER_PG_URL" "CREATE DATABASE $db_pg1" || die "CREATE DATABASE $db_pg1 failed"
  psql_q "$CLUSTER_PG_URL" "CREATE DATABASE $db_pg2" || die "CREATE DATABASE $db_pg2 failed"
  C_DBS="$db_pg1 $db_pg2"
  local url_pg1 url_pg2
  url_pg1=$(pg_url_db "$CLUSTER_PG_URL" "$db_pg1")
  url_pg2=$(pg_url_db "$CLUSTER_PG_URL" "$db_pg2")
  C_URL_pg1=$url_pg1 C_URL_pg2=$url_pg2

  # The servers, all running for the whole step (idle ones cost next to nothing).
  C_DATA_sqlite=$TMP/c-sqlite
  start_server "$C_DATA_sqlite" false
  C_PORTS_sqlite=$PORT C_PIDS_sqlite=$SERVER_PID
  cluster_seed sqlite "$C_DATA_sqlite" ""
  TRIBUNE_STORAGE_URL=$url_pg1 start_server "$TMP/c-pg1" false
  C_PORTS_pg1=$PORT C_PIDS_pg1=$SERVER_PID
  cluster_seed pg1 "$TMP/c-pg1" "$url_pg1"
  TRIBUNE_STORAGE_URL=$url_pg2 start_server "$TMP/c-pg2a" false
  C_PORTS_pg2=$PORT C_PIDS_pg2=$SERVER_PID
  cluster_seed pg2 "$TMP/c-pg2a" "$url_pg2"
  TRIBUNE_STORAGE_URL=$url_pg2 start_server "$TMP/c-pg2b" false
  C_PORTS_pg2+=" $PORT" C_PIDS_pg2+=" $SERVER_PID"
  log "step 12: sqlite on $C_PORTS_sqlite, pg1 on $C_PORTS_pg1 ($db_pg1), pg2 on $C_PORTS_pg2 ($db_pg2)"

  local config r port read_path
  for config in sqlite pg1 pg2; do  # both pg2 nodes serve the same bytes as sqlite's server
    local rv="C_READ_$config" pv="C_PORTS_$config"
    for port in ${!pv}; do
      curl -sS --fail -o "$TMP/c-page-$config-$port.json" "http://127.0.0.1:$port/api/v1/articles/${!rv}/comments?limit=50" ||
        die "$config: fetching the thread from port $port failed"
      [ "$(grep -o '"id":"[0-9]*","article_id"' "$TMP/c-page-$config-$port.json" | wc -l)" = 50 ] ||
        die "$config: the thread page on port $port does not hold 50 comments"
    done
  done

  for r in $(seq 1 "$READ_ROUNDS"); do
    for config in sqlite pg1 pg2; do
      local rv="C_READ_$config" tv="C_TOKEN_$config" pv="C_PORTS_$config"
      read_path="/api/v1/articles/${!rv}/comments?limit=50"
      log "step 12 round $r/$READ_ROUNDS: $config (ports ${!pv}): read, read with a bearer token, posting"
      cluster_wrk "c_${config}_read$r" "$config" read "$read_path"
      cluster_wrk "c_${config}_auth$r" "$config" read_auth "$read_path"
      # Posting: a fresh article per round, so its rows are exactly this round's.
      PORT=${!pv%% *} TOKEN=${!tv}
      local post_article
      post_article=$(article "cluster-post-$config-$r")
      [ -n "$post_article" ] || die "$config: could not create the post article"
      cluster_wrk "c_${config}_post$r" "$config" post "/api/v1/articles/$post_article/comments"
      sleep 1  # requests in flight when wrk stopped may still commit
      local n201 db
      n201=$(kv "c_${config}_post$r" status_201)
      db=$(comments_in "$config" "$post_article")
      echo "db_comments=$db" >>"$TMP/c_${config}_post$r.kv"
      echo "post_rate=$(awk -v n="$n201" -v us="$(kv "c_${config}_post$r" duration_us)" 'BEGIN { printf "%.1f", n / (us / 1e6) }')" \
        >>"$TMP/c_${config}_post$r.kv"
      for m in read auth; do
        [ "$(kv "c_${config}_$m$r" errors_status)" = 0 ] || die "c_${config}_$m$r: non-2xx responses"
      done
      log "  $config: read $(kv "c_${config}_read$r" rps)/s, read with token $(kv "c_${config}_auth$r" rps)/s, posts $(kv "c_${config}_post$r" post_rate)/s ($n201 x 201, database $db)"
    done
  done

  # Medians per configuration, and the JSON.
  local -A med=()
  local json_configs="" m
  for config in sqlite pg1 pg2; do
    local cj="" 
    for m in read auth post; do
      local field=rps; [ "$m" = post ] && field=post_rate
      local -a vals=() p50s=() p99s=() cpus=() pgcpus=()
      for r in $(seq 1 "$READ_ROUNDS"); do
        local k="c_${config}_$m$r" nreq
        vals+=("$(kv "$k" "$field")")
        p50s+=("$(kv "$k" lat_p50_us)")
        p99s+=("$(kv "$k" lat_p99_us)")
        nreq=$(kv "$k" requests)
        cpus+=("$(awk -v ms="$(kv "$k" server_cpu_ms)" -v n="$nreq" 'BEGIN { printf "%.1f", n ? ms * 1000 / n : 0 }')")
        pgcpus+=("$(awk -v ms="$(kv "$k" pg_cpu_ms)" -v n="$nreq" 'BEGIN { printf "%.1f", n ? ms * 1000 / n : 0 }')")
      done
      med[$config.$m]=$(median "${vals[@]}")
      med[$config.$m.p50]=$(median "${p50s[@]}")
      med[$config.$m.p99]=$(median "${p99s[@]}")
      med[$config.$m.cpu]=$(median "${cpus[@]}")
      med[$config.$m.pgcpu]=$(median "${pgcpus[@]}")
      local unit="rps"; [ "$m" = post ] && unit="acknowledged_per_s"
      cj+="\"$m\": {\"$unit\": ${med[$config.$m]}, \"${unit}_rounds\": $(c_list "${vals[@]}"),
        \"p50_us\": ${med[$config.$m.p50]}, \"p99_us\": ${med[$config.$m.p99]},
        \"server_cpu_us_per_request\": ${med[$config.$m.cpu]}, \"postgres_cpu_us_per_request\": ${med[$config.$m.pgcpu]}"
      if [ "$m" = post ]; then
        local -a checks=() n201s=() dbs=() non201s=()
        local ok=true
        for r in $(seq 1 "$READ_ROUNDS"); do
          local k="c_${config}_post$r" d
          n201s+=("$(kv "$k" status_201)"); dbs+=("$(kv "$k" db_comments)")
          d=$(($(kv "$k" db_comments) - $(kv "$k" status_201)))
          checks+=("$d")
          [ "$d" -ge 0 ] && [ "$d" -le "$CONNECTIONS" ] || ok=false
          non201s+=("$(($(kv "$k" responses_counted) - $(kv "$k" status_201)))")
        done
        med[$config.check]=$ok
        med[$config.check_diffs]=$(IFS=/; echo "${checks[*]}")
        med[$config.non201]=$(IFS=/; echo "${non201s[*]}")
        cj+=", \"status_201_rounds\": $(c_list "${n201s[@]}"), \"db_comments_rounds\": $(c_list "${dbs[@]}"),
        \"db_minus_201_rounds\": $(c_list "${checks[@]}"), \"non_201_rounds\": $(c_list "${non201s[@]}"), \"db_check_ok\": $ok"
      fi
      cj+="}, "
    done
    local pv="C_PORTS_$config"
    json_configs+="\"$config\": {\"servers\": $(wc -w <<<"${!pv}"), ${cj%, }}, "
  done
  local rj=""
  for m in read auth post; do
    rj+="\"$m\": {\"pg1_over_sqlite\": $(ratio "${med[pg1.$m]}" "${med[sqlite.$m]}"),
      \"pg2_over_sqlite\": $(ratio "${med[pg2.$m]}" "${med[sqlite.$m]}"), \"pg2_over_pg1\": $(ratio "${med[pg2.$m]}" "${med[pg1.$m]}")}, "
  done
  CLUSTER_JSON="{
    \"postgresql\": $settings_json,
    \"sqlite\": {\"journal_mode\": \"wal\", \"synchronous\": \"FULL\"},
    \"note\": \"read = anonymous GET, served from the page cache; auth = the same GET with a bearer token (cache bypassed, reads the database); post = 201s/s with $CONNECTIONS connections. pg2 = two servers on one database, wrk split across them (rps summed, latency percentiles the higher of the two wrk processes). Medians of $READ_ROUNDS alternating rounds. cpu per request: the tribune server(s), and the PostgreSQL postmaster with its backends\",
    ${json_configs}
    \"ratios\": {${rj%, }}
  }"

  local row
  CLUSTER_TABLE=$(
    printf '%-44s %-34s %s\n' "sqlite / pg1 / pg2 (2 nodes), median of $READ_ROUNDS" "PostgreSQL $settings_text" ""
    for m in read auth post; do
      case $m in
        read) row="thread read (page cache), req/s" ;;
        auth) row="thread read, bearer (no cache), req/s" ;;
        post) row="posting c$CONNECTIONS, 201/s" ;;
      esac
      printf '%-44s %-34s %s\n' "  $row" "${med[sqlite.$m]} / ${med[pg1.$m]} / ${med[pg2.$m]}" \
        "pg1/sq $(ratio "${med[pg1.$m]}" "${med[sqlite.$m]}"), pg2/sq $(ratio "${med[pg2.$m]}" "${med[sqlite.$m]}"), pg2/pg1 $(ratio "${med[pg2.$m]}" "${med[pg1.$m]}")"
      printf '%-44s %-34s %s\n' "    p50 / p99 us: sqlite | pg1 | pg2" \
        "${med[sqlite.$m.p50]}/${med[sqlite.$m.p99]} | ${med[pg1.$m.p50]}/${med[pg1.$m.p99]} | ${med[pg2.$m.p50]}/${med[pg2.$m.p99]}" ""
      printf '%-44s %-34s %s\n' "    CPU us/request: tribune (+postgres)" \
        "${med[sqlite.$m.cpu]} | ${med[pg1.$m.cpu]} (+${med[pg1.$m.pgcpu]}) | ${med[pg2.$m.cpu]} (+${med[pg2.$m.pgcpu]})" ""
    done
    printf '%-44s %-34s %s\n' "    non-201 responses per round" "${med[sqlite.non201]} | ${med[pg1.non201]} | ${med[pg2.non201]}" ""
    printf '%-44s %-34s %s' "    db - 201s per round: sqlite | pg1 | pg2" \
      "${med[sqlite.check_diffs]} | ${med[pg1.check_diffs]} | ${med[pg2.check_diffs]}" \
      "0..$CONNECTIONS $( [ "${med[sqlite.check]}${med[pg1.check]}${med[pg2.check]}" = truetruetrue ] && echo ok || echo MISMATCH)"
  )

  # Stop every server of the step (SIGTERM, wait), then drop the databases.
  local pid
  for pid in $C_PIDS_sqlite $C_PIDS_pg1 $C_PIDS_pg2; do SERVER_PID=$pid stop_server; done
  for db in $C_DBS; do psql_q "$CLUSTER_PG_URL" "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true; done
  cluster_cleanup
  C_PG_DIR=
}
