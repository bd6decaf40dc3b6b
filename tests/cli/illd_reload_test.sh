#!/usr/bin/env bash
# SIGHUP on a running illd (its embedded PostgreSQL in a temporary data directory): the file is
# read again, the log level and [limits] change at once (limits for connections opened after the
# reload only), the listen address waits for a restart, and a broken file changes nothing.
#   illd_reload_test.sh ILLD
set -uo pipefail
illd=$1
data=$(mktemp -d /tmp/illd-reload-test-XXXXXX)
chmod 755 "$data"  # as root the cluster runs as user postgres, which must reach it
pid=
cleanup() {
  exec 3<&- 4<&- 2>/dev/null
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
  # illd stops the cluster it started; a leftover one (illd killed) is stopped by its PID.
  pidfile="$data/postgresql/postmaster.pid"
  [ -f "$pidfile" ] && kill -QUIT "$(head -1 "$pidfile")" 2>/dev/null
  rm -rf "$data"
}
trap cleanup EXIT
failures=0
check() {
  local name=$1; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; failures=$((failures + 1)); fi
}
contains() { grep -qF -- "$2" "$1"; }
# wait_for FILE TEXT SECONDS: polls (every 0.2 s) until FILE contains TEXT.
wait_for() {
  local i
  for ((i = 0; i < $3 * 5; i++)); do
    grep -qF -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}

config="$data/illd.toml"
cat >"$config" <<'TOML'
[listen]
address = "127.0.0.1:0"
[metrics]
listen = "127.0.0.1:0"
[log]
level = "info"
[limits]
idle_timeout = "5min"
TOML

env -u ILLHUB_DB -u ILLHUB_CONFIG "$illd" --config "$config" --data-dir "$data" >"$data/out" 2>"$data/log" &
pid=$!
if ! wait_for "$data/out" "illd listening on" 120; then
  echo "illd did not start; its log:"; cat "$data/log"; exit 1
fi
port=$(sed -n 's/^illd listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$data/out")
check "illd listens" [ -n "$port" ]

# A connection opened before the reload keeps the limits it started with (idle 5min).
exec 3<>"/dev/tcp/127.0.0.1/$port"
check "illd accepted it before the reload" wait_for "$data/log" "opened" 10

cat >"$config" <<'TOML'
[listen]
address = "127.0.0.1:1"
[metrics]
listen = "127.0.0.1:0"
[log]
level = "debug"
[limits]
idle_timeout = "1s"
TOML
kill -HUP "$pid"
check "SIGHUP: the log says the configuration was reloaded" wait_for "$data/log" "reloaded configuration from $config" 30
check "the new idle timeout is applied" contains "$data/log" 'limits.idle_timeout = "1s" (was "5min"): applies to connections opened from now on'
check "the new log level is applied" contains "$data/log" 'log.level = "debug" (was "info")'
check "and in force: a debug line follows" contains "$data/log" "configuration: compared"
check "the listen address waits for a restart" contains "$data/log" 'listen.address = "127.0.0.1:1" needs a restart; still using "127.0.0.1:0"'
check "the summary counts both" contains "$data/log" "2 change(s) applied, 1 waiting for a restart"

# A connection opened now gets idle_timeout 1s: illd closes it (cat sees EOF long before 30 s).
exec 4<>"/dev/tcp/127.0.0.1/$port"
timeout 30 cat <&4 >/dev/null; rc=$?
check "a new connection is closed by the new idle timeout" [ $rc -eq 0 ]
check "and illd says why" wait_for "$data/log" "closing: idle timeout" 5
# The first connection is still open: reading it times out (124) instead of ending.
timeout 1 cat <&3 >/dev/null; rc=$?
check "the connection opened before the reload is still open" [ $rc -eq 124 ]

# A broken file: logged, and the running configuration stays.
printf '[limits]\nidle_timout = "1s"\n' >"$config"
kill -HUP "$pid"
check "a broken file is reported" wait_for "$data/log" "configuration reload failed; the running configuration stays as it was" 30
check "naming the unknown key" contains "$data/log" "$config:2: unknown key 'idle_timout' in [limits]"
check "illd keeps running" kill -0 "$pid"

exec 3<&- 4<&-
kill -TERM "$pid"
rc=
for ((i = 0; i < 150; i++)); do
  if ! kill -0 "$pid" 2>/dev/null; then wait "$pid"; rc=$?; break; fi
  sleep 0.2
done
check "SIGTERM stops illd with exit 0" [ "$rc" = 0 ]
[ "$rc" = 0 ] && pid=

[ $failures -ne 0 ] && { echo "--- illd log ---"; cat "$data/log"; }
echo "$failures failed"
[ $failures -eq 0 ]
