#!/usr/bin/env bash
# illctl record show / to-pcap on small recordings written here by hand (docs/RECORDING.md):
# the lines show prints, a torn last line (warning, exit 0), a damaged line in the middle, a
# newer format, a missing file (exit 1 with what to do), and to-pcap writing nothing on error.
set -euo pipefail
illctl=$1 data=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

b64() { base64 -w0 "$data/apdu/$1"; }
good="$work/good.illrec"
{
  echo '{"illhub-recording":1,"started_unix_us":1795568523000000,"node":"host/42","listen":"127.0.0.1:4990"}'
  echo '{"t":1000,"conn":1,"event":"open","peer":"","dialled":false,"tls":false,"remote":"127.0.0.1:40001","local":"127.0.0.1:4990"}'
  echo '{"t":2500,"conn":1,"event":"in","peer":"IRL:BOR","ber":"'"$(b64 yaz-ill-request.ber)"'"}'
  echo '{"t":3000,"conn":1,"event":"out","peer":"IRL:BOR","ber":"'"$(b64 yaz-status-or-error-report.ber)"'"}'
  echo '{"t":1500000,"conn":1,"event":"unframed","peer":"IRL:BOR","ber":"MAMCAQU="}'
  echo '{"t":1600000,"conn":1,"event":"close","peer":"IRL:BOR","by":"hub","reason":"idle timeout"}'
  echo '{"t":1700000,"conn":2,"event":"open","peer":"IRL:LEN","dialled":true,"tls":true,"remote":"[::1]:499","local":"[::1]:40002"}'
} >"$good"

out=$("$illctl" record show "$good" 2>"$work/err") || fail "show on a good recording exited $?"
[ ! -s "$work/err" ] || fail "show wrote to stderr: $(cat "$work/err")"
expect_line() { grep -qF -- "$1" <<<"$out" || fail "show printed no line with \"$1\"; it printed:
$out"; }
expect_line "# $good: illd host/42 listening on 127.0.0.1:4990, started 2026-11-25T"
expect_line "   0.001000  conn 1  ->hub  -  open  peer connected from 127.0.0.1:40001 to 127.0.0.1:4990"
expect_line "   0.002500  conn 1  ->hub  IRL:BOR  ILL-Request  IRL:BOR/G1/T0001  $(stat -c %s "$data/apdu/yaz-ill-request.ber") bytes"
expect_line "   0.003000  conn 1  hub->  IRL:BOR  Status-Or-Error-Report  IRL:BOR/G1/T0001"
expect_line "   1.500000  conn 1  ->hub  IRL:BOR  unframed bytes  5 bytes: 30 03 02 01 05"
expect_line "   1.600000  conn 1  hub->  IRL:BOR  close by hub: idle timeout"
expect_line "   1.700000  conn 2  hub->  IRL:LEN  open (TLS)  hub dialled [::1]:499 from [::1]:40002"
[ "$(wc -l <<<"$out")" -eq 7 ] || fail "show printed $(wc -l <<<"$out") lines, not 7"

# Torn: the last line cut in the middle, as a crash mid-write leaves it.
torn="$work/torn.illrec"
head -c -40 "$good" >"$torn"
out=$("$illctl" record show "$torn" 2>"$work/err") || fail "show on a torn recording exited $?, not 0"
grep -q "warning: line 7" "$work/err" || fail "no warning about the torn line 7: $(cat "$work/err")"
[ "$(wc -l <<<"$out")" -eq 6 ] || fail "a torn recording should list the 5 records before the tear"

# Damaged in the middle: exit 1, naming the line and saying what to do.
bad="$work/bad.illrec"
sed '3s/"event":"in"/"event":"sideways"/' "$good" >"$bad"
if "$illctl" record show "$bad" >/dev/null 2>"$work/err"; then fail "show accepted a damaged line"; fi
grep -q "line 3" "$work/err" || fail "the error names no line: $(cat "$work/err")"
grep -q "by hand" "$work/err" || fail "the error says nothing about what to do: $(cat "$work/err")"

newer="$work/newer.illrec"
sed '1s/"illhub-recording":1/"illhub-recording":2/' "$good" >"$newer"
if "$illctl" record show "$newer" >/dev/null 2>"$work/err"; then fail "show accepted format version 2"; fi
grep -q "version 2" "$work/err" || fail "no word of the version: $(cat "$work/err")"

if "$illctl" record show "$work/absent.illrec" >/dev/null 2>"$work/err"; then fail "show on a missing file exited 0"; fi
grep -q "no such file" "$work/err" || fail "missing file message: $(cat "$work/err")"

# to-pcap: two files merged; an unreadable one means no capture at all.
"$illctl" record to-pcap "$good" "$torn" -o "$work/both.pcapng" 2>"$work/err" || fail "to-pcap failed: $(cat "$work/err")"
grep -q "wrote $work/both.pcapng: .* packets, 3 connections, 6 APDUs from 2 recording(s)" "$work/err" ||
  fail "to-pcap summary: $(cat "$work/err")"
[ "$(head -c 4 "$work/both.pcapng" | od -An -tx1 | tr -d ' ')" = "0a0d0d0a" ] || fail "not a pcapng file"
if "$illctl" record to-pcap "$good" "$bad" -o "$work/none.pcapng" 2>"$work/err"; then fail "to-pcap accepted a damaged file"; fi
[ ! -e "$work/none.pcapng" ] && [ ! -e "$work/none.pcapng.tmp" ] || fail "to-pcap left a file behind after an error"
if "$illctl" record to-pcap "$good" -o "$work/no/such/dir/x.pcapng" 2>"$work/err"; then fail "to-pcap wrote into a missing directory"; fi
grep -q "cannot write" "$work/err" || fail "unwritable output message: $(cat "$work/err")"
echo "PASS: illctl record show and to-pcap"
