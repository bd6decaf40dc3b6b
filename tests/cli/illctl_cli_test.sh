#!/usr/bin/env bash
# Runs illctl as a user would and checks what it prints and its exit codes.
#   illctl_cli_test.sh ILLCTL DATA_DIR
set -uo pipefail
illctl=$1
data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
check() {  # check NAME CONDITION...
  local name=$1; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; failures=$((failures + 1)); fi
}
contains() { grep -qF -- "$2" "$1"; }

"$illctl" decode "$data/apdu/yaz-ill-request.ber" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "decode text exits 0" [ $rc -eq 0 ]
check "decode text names the kind" contains "$tmp/out" "# ILL-Request v2"
check "decode text shows the title" contains "$tmp/out" "title: Interlibrary loan in practice"
check "decode text shows the parties" contains "$tmp/out" "requester IRL:BOR -> responder IRL:LEN"

cat "$data/apdu/yaz-ill-request.ber" "$data/apdu/yaz-shipped.ber" | "$illctl" decode --format json - >"$tmp/json"; rc=$?
check "decode json of a two-APDU stream exits 0" [ $rc -eq 0 ]
check "decode json has the request" contains "$tmp/json" '"ill-request"'
check "decode json has the shipped" contains "$tmp/json" '"shipped"'

"$illctl" decode --format xer "$data/apdu/yaz-shipped.ber" >"$tmp/shipped.xer"
"$illctl" encode "$tmp/shipped.xer" >"$tmp/shipped.ber"; rc=$?
check "encode exits 0" [ $rc -eq 0 ]
"$illctl" decode "$tmp/shipped.ber" >"$tmp/reread" 2>&1; rc=$?
check "encoded XER decodes again" [ $rc -eq 0 ]
check "encoded XER keeps the due date" contains "$tmp/reread" "date-due-field: 20261225"

head -c 50 "$data/apdu/yaz-ill-request.ber" >"$tmp/truncated.ber"
"$illctl" decode "$tmp/truncated.ber" >/dev/null 2>"$tmp/err"; rc=$?
check "truncated input exits 1" [ $rc -eq 1 ]
check "truncated input is explained" contains "$tmp/err" "input ends inside an APDU"

printf '\x75\x03\x80\x01\x02' >"$tmp/unknown.ber"
"$illctl" decode "$tmp/unknown.ber" >/dev/null 2>"$tmp/err"; rc=$?
check "unknown APDU exits 1" [ $rc -eq 1 ]
check "unknown APDU is reported as unrecognized-APDU" contains "$tmp/err" "unrecognized-APDU"

"$illctl" decode "$tmp/does-not-exist.ber" >/dev/null 2>"$tmp/err"; rc=$?
check "missing file exits 1" [ $rc -eq 1 ]
check "missing file is named" contains "$tmp/err" "cannot read"

echo "<ILL-APDU><nonsense/></ILL-APDU>" >"$tmp/bad.xer"
"$illctl" encode "$tmp/bad.xer" >/dev/null 2>"$tmp/err"; rc=$?
check "bad XER exits 1" [ $rc -eq 1 ]

"$illctl" decode --format yaml "$data/apdu/yaz-shipped.ber" >/dev/null 2>&1; rc=$?
check "unknown format is a usage error (2)" [ $rc -eq 2 ]
"$illctl" >/dev/null 2>&1; rc=$?
check "no subcommand is a usage error (2)" [ $rc -eq 2 ]

echo "$failures failed"
[ $failures -eq 0 ]
