#!/usr/bin/env bash
# Runs `illd --check-config` as an operator would: a file, environment variables and flags
# together; checks the printed configuration (values, origins, hidden password) and exit codes.
# Touches no database: --db names a server that does not exist.
#   illd_config_test.sh ILLD SOURCE_DIR
set -uo pipefail
illd=$1
source_dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
check() {  # check NAME CONDITION...
  local name=$1; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; failures=$((failures + 1)); fi
}
contains() { grep -qF -- "$2" "$1"; }
lacks() { ! grep -qF -- "$2" "$1"; }
# Only what the test sets: an ILLHUB_* variable from the caller's shell must not leak in.
run() { env -u ILLHUB_CONFIG -u ILLHUB_DB -u ILLHUB_DATA_DIR "$@"; }

cat >"$tmp/illd.toml" <<'TOML'
[listen]
address = "0.0.0.0:499"

[limits]
idle_timeout = "2min"
max_connections = 64

[log]
level = "warn"
TOML

run ILLHUB_LIMITS_IDLE_TIMEOUT=90s ILLHUB_DB='postgresql://illhub:s3cret@db.invalid/illhub' \
  "$illd" --config "$tmp/illd.toml" --check-config --log-level debug --set delivery.batch=8 \
  >"$tmp/out" 2>"$tmp/err"; rc=$?
check "valid configuration exits 0" [ $rc -eq 0 ]
check "the file's value, with file and line" contains "$tmp/out" "address = \"0.0.0.0:499\"  # file $tmp/illd.toml:2"
check "the file's other value" contains "$tmp/out" "max_connections = 64  # file $tmp/illd.toml:6"
check "environment beats the file" contains "$tmp/out" 'idle_timeout = "90s"  # env ILLHUB_LIMITS_IDLE_TIMEOUT'
check "a flag beats the file" contains "$tmp/out" 'level = "debug"  # flag --log-level'
check "--set sets any key" contains "$tmp/out" 'batch = 8  # flag --set'
check "defaults are marked" contains "$tmp/out" 'apdu_timeout = "30s"  # default'
check "the password is hidden" contains "$tmp/out" 'uri = "postgresql://illhub:***@db.invalid/illhub"  # env ILLHUB_DB'
check "the password appears nowhere" lacks "$tmp/out" "s3cret"
check "metrics.listen is shown" contains "$tmp/out" 'listen = "127.0.0.1:4991"  # default'
check "nothing on stderr" [ ! -s "$tmp/err" ]

# The output is itself a configuration file illd accepts.
run "$illd" --config "$tmp/out" --check-config >"$tmp/again" 2>&1; rc=$?
check "the printed configuration loads again" [ $rc -eq 0 ]
check "with the same values" contains "$tmp/again" 'idle_timeout = "90s"'

# ILLHUB_CONFIG names the file when --config does not.
run ILLHUB_CONFIG="$tmp/illd.toml" "$illd" --check-config >"$tmp/out" 2>&1; rc=$?
check "ILLHUB_CONFIG names the file" contains "$tmp/out" "max_connections = 64  # file $tmp/illd.toml:6"

# The example in docs/ is valid as shipped.
run "$illd" --config "$source_dir/docs/illd.example.toml" --check-config >"$tmp/out" 2>&1; rc=$?
check "docs/illd.example.toml is valid" [ $rc -eq 0 ]

cat >"$tmp/bad.toml" <<'TOML'
[limits]
idle_timout = "5s"
apdu_timeout = "-5s"
TOML
run "$illd" --config "$tmp/bad.toml" --check-config >"$tmp/out" 2>"$tmp/err"; rc=$?
check "an invalid file exits 2" [ $rc -eq 2 ]
check "the unknown key is named with file and line" contains "$tmp/err" "$tmp/bad.toml:2: unknown key 'idle_timout' in [limits]"
check "and the keys that exist" contains "$tmp/err" "the keys in [limits] are: max_connections, max_connections_per_peer, idle_timeout"
check "the negative duration is named too" contains "$tmp/err" "$tmp/bad.toml:3: limits.apdu_timeout: \"-5s\" is negative"
check "nothing on stdout" [ ! -s "$tmp/out" ]

run ILLHUB_LISTEN_ADDRESS=127.0.0.1:70000 "$illd" --check-config >/dev/null 2>"$tmp/err"; rc=$?
check "a bad environment value exits 2" [ $rc -eq 2 ]
check "naming the variable" contains "$tmp/err" "environment ILLHUB_LISTEN_ADDRESS: listen.address: \"127.0.0.1:70000\": port 70000 is out of range"

run "$illd" --check-config --listen localhost:4990 >/dev/null 2>"$tmp/err"; rc=$?
check "a bad flag exits 2 naming the flag" contains "$tmp/err" "flag --listen: listen.address: \"localhost:4990\": 'localhost' is not an IP address"

run "$illd" --check-config --set tls.listen=0.0.0.0:4443 >/dev/null 2>"$tmp/err"; rc=$?
check "tls.listen without its files is refused (2)" [ $rc -eq 2 ]
check "naming the missing client CA" contains "$tmp/err" "tls.client_ca (default): needed when tls.listen is set"

run "$illd" --config "$tmp/missing.toml" --check-config >/dev/null 2>"$tmp/err"; rc=$?
check "a missing file exits 2" [ $rc -eq 2 ]
check "naming it" contains "$tmp/err" "cannot read the configuration file $tmp/missing.toml"

# Not only --check-config: illd itself refuses a bad configuration before it starts anything.
mkdir "$tmp/data"
run "$illd" --config "$tmp/bad.toml" --data-dir "$tmp/data" >/dev/null 2>"$tmp/err"; rc=$?
check "illd with a bad configuration exits 2" [ $rc -eq 2 ]
check "before creating a database" [ ! -e "$tmp/data/postgresql" ]

echo "$failures failed"
[ $failures -eq 0 ]
