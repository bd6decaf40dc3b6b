#!/usr/bin/env bash
# illctl's database commands against a real PostgreSQL: the embedded cluster in a temporary
# data directory (each illctl run starts it and stops it again).
#   illctl_db_test.sh ILLCTL
set -uo pipefail
illctl=$1
data=$(mktemp -d /tmp/illctl-db-test-XXXXXX)
chmod 755 "$data"  # as root the cluster runs as user postgres, which must reach it
cleanup() {
  # Each illctl stops the cluster it started; stop a leftover one by its PID all the same.
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
ctl() { "$illctl" --data-dir "$data" "$@"; }

ctl migrate >"$data/out" 2>"$data/err"; rc=$?
check "migrate creates the schema" [ $rc -eq 0 ]
check "migrate names what it applied" contains "$data/out" "applied 0001_core.sql"
ctl migrate >"$data/out" 2>&1; rc=$?
check "migrate again is a no-op" contains "$data/out" "up to date"

ctl peer add IRL:BOR --name "Borrowing Library" --allow 127.0.0.2/32 >"$data/out" 2>&1; rc=$?
check "peer add exits 0" [ $rc -eq 0 ]
ctl peer add IRL:LEN --delivery dial --endpoint 127.0.0.1:1611 --profile received-before-shipped >/dev/null 2>&1
ctl peer add IRL:BOR --delivery connection >/dev/null 2>"$data/err"; rc=$?
check "adding a symbol twice exits 1" [ $rc -eq 1 ]
check "and says to use peer set" contains "$data/err" "illctl peer set"
ctl peer add IRL:XYZ --delivery dial >/dev/null 2>"$data/err"; rc=$?
check "dial without an endpoint exits 1" [ $rc -eq 1 ]
check "and says what is missing" contains "$data/err" "needs --endpoint"
ctl peer add IRL:XYZ --profile bogus >/dev/null 2>"$data/err"; rc=$?
check "an unknown profile exits 1 naming the known ones" contains "$data/err" "received-before-shipped"
ctl peer add IRL:XYZ --allow 10.0.0.300/8 >/dev/null 2>"$data/err"; rc=$?
check "a bad network exits 1" [ $rc -eq 1 ]
check "and explains the form" contains "$data/err" "--allow takes networks"

ctl peer list >"$data/out" 2>/dev/null
check "list shows both peers" contains "$data/out" "IRL:LEN"
check "list shows the networks" contains "$data/out" "127.0.0.2/32"
ctl peer set IRL:BOR --endpoint 127.0.0.1:1612 >/dev/null 2>&1
ctl peer disable IRL:BOR >/dev/null 2>&1
ctl peer show IRL:BOR >"$data/out" 2>/dev/null
check "set changed only the endpoint" contains "$data/out" "endpoint: 127.0.0.1:1612"
check "the name stayed" contains "$data/out" "name: Borrowing Library"
check "disable took effect" contains "$data/out" "enabled: false"
ctl peer list --format json >"$data/out" 2>/dev/null
check "json lists the profile" contains "$data/out" '"profile":"received-before-shipped"'
check "the hub sends Overdue for a lender by default" contains "$data/out" '"send_overdue":true'
ctl peer set IRL:LEN --send-overdue no >/dev/null 2>&1
ctl peer show IRL:LEN >"$data/out" 2>/dev/null
check "set --send-overdue no took effect" contains "$data/out" "send_overdue: false"
check "and changed nothing else" contains "$data/out" "profile: received-before-shipped"
ctl peer set IRL:LEN --send-overdue maybe >/dev/null 2>&1; rc=$?
check "--send-overdue maybe is a usage error (2)" [ $rc -eq 2 ]
# --tls-cert stores the SHA-256 of the certificate's DER form, as openssl computes it.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=bor \
  -keyout "$data/bor.key" -out "$data/bor.pem" >/dev/null 2>&1
want=$(openssl x509 -in "$data/bor.pem" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
ctl peer set IRL:BOR --tls-cert "$data/bor.pem" >/dev/null 2>"$data/err"; rc=$?
check "peer set --tls-cert exits 0" [ $rc -eq 0 ]
ctl peer show IRL:BOR >"$data/out" 2>/dev/null
check "and stores the certificate's sha256" contains "$data/out" "tls_cert_sha256: $want"
check "which is 64 hex digits" [ ${#want} -eq 64 ]
ctl peer set IRL:LEN --tls-cert "$data/bor.pem" >/dev/null 2>"$data/err"; rc=$?
check "the same certificate for a second peer exits 1" [ $rc -eq 1 ]
check "naming the peer that has it" contains "$data/err" "registered for IRL:BOR already"
ctl peer set IRL:LEN --tls-cert "$data/bor.key" >/dev/null 2>"$data/err"; rc=$?
check "a file without a certificate exits 1" [ $rc -eq 1 ]
check "saying so" contains "$data/err" "holds no PEM certificate"
ctl peer show IRL:NONE >/dev/null 2>"$data/err"; rc=$?
check "show of an unknown peer exits 1" [ $rc -eq 1 ]
ctl peer enable IRL:NONE >/dev/null 2>&1; rc=$?
check "enable of an unknown peer exits 1" [ $rc -eq 1 ]
ctl peer >/dev/null 2>&1; rc=$?
check "peer without a subcommand is a usage error (2)" [ $rc -eq 2 ]
check "no server is left running" [ ! -f "$data/postgresql/postmaster.pid" ]

echo "$failures failed"
[ $failures -eq 0 ]
