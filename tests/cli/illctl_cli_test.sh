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

# Extension payloads (docs/EXTENSIONS.md): yaz-extension.ber's item replaced, in XER, by an
# EXTERNAL {1.0.10161.13.3, single-ASN1-type APDU-Delivery-Info {sender-info {{encoding {bER},
# transport {address "ill.bor.example:499"}}}, recipient-info {... "ill.len.example:499"}}}.
delivery_info='28 4F 06 05 28 CF 31 0D 03 A0 46 30 44 A0 20 30 1E A0 03 0A 01 03 A1 17 A1 15 1B 13
  69 6C 6C 2E 62 6F 72 2E 65 78 61 6D 70 6C 65 3A 34 39 39 A1 20 30 1E A0 03 0A 01 03 A1 17 A1
  15 1B 13 69 6C 6C 2E 6C 65 6E 2E 65 78 61 6D 70 6C 65 3A 34 39 39'
# The same value as octet-aligned octets, its last 3 bytes cut off: no APDU-Delivery-Info.
cut_delivery_info='28 4C 06 05 28 CF 31 0D 03 81 43 30 44 A0 20 30 1E A0 03 0A 01 03 A1 17 A1 15 1B 13
  69 6C 6C 2E 62 6F 72 2E 65 78 61 6D 70 6C 65 3A 34 39 39 A1 20 30 1E A0 03 0A 01 03 A1 17 A1
  15 1B 13 69 6C 6C 2E 6C 65 6E 2E 65 78 61 6D 70 6C 65 3A'
"$illctl" decode --format xer "$data/apdu/yaz-extension.ber" >"$tmp/ext.xer"
for name in delivery_info cut_delivery_info; do
  ITEM=${!name} perl -0pe 's#<item>.*?</item>#<item>$ENV{ITEM}</item>#s' "$tmp/ext.xer" >"$tmp/$name.xer"
  "$illctl" encode "$tmp/$name.xer" >"$tmp/$name.ber" || echo "cannot build $name.ber"
done
"$illctl" decode "$tmp/delivery_info.ber" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "decode of APDU-Delivery-Info exits 0" [ $rc -eq 0 ]
check "decode text names the payload's type" contains "$tmp/out" "APDU-Delivery-Info:"
check "decode text shows the recipient's address" contains "$tmp/out" "telecom-service-address: ill.len.example:499"
"$illctl" decode --format json "$tmp/delivery_info.ber" >"$tmp/json"
check "decode json shows the direct-reference" contains "$tmp/json" '"direct-reference": "1.0.10161.13.3"'
"$illctl" decode --format xer "$tmp/delivery_info.ber" >"$tmp/again.xer"
check "decode xer adds the payload as a comment" contains "$tmp/again.xer" "<!-- extension 1: EXTERNAL 1.0.10161.13.3, APDU-Delivery-Info"
"$illctl" encode "$tmp/again.xer" >"$tmp/again.ber"; rc=$?
check "XER with the comment encodes to the same bytes" cmp -s "$tmp/again.ber" "$tmp/delivery_info.ber"
"$illctl" decode "$tmp/cut_delivery_info.ber" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "a payload that does not decode is no error (exit 0)" [ $rc -eq 0 ]
check "a payload that does not decode gets a note" contains "$tmp/out" "note: EXTERNAL 1.0.10161.13.3 names APDU-Delivery-Info, but the value does not decode as one"

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
