#!/usr/bin/env bash
# wireshark_test.sh CHECK ILLCTL GENERATOR SOURCE_DIR WORK_DIR
# Converts the test recording (make_dissector_recording) with `illctl record to-pcap` and has
# tshark, an independent reader, check the capture:
#   tcp_streams  without our dissector: every TCP stream and direction carries exactly the
#                recorded bytes, the dialling side sends the SYN, TCP analysis flags nothing.
#   dissector    with tools/wireshark/iso-ill.lua: every APDU's name and transaction id as
#                printed equal the codec's, the junk bytes are marked malformed, the port
#                preference works, and Lua reports no error.
# Exit 77 (ctest: skipped) when tshark is not installed; tools/install-deps.sh installs it.
set -euo pipefail
check=$1 illctl=$2 generator=$3 src=$4 work=$5

if ! command -v tshark >/dev/null; then
  echo "SKIP: tshark is not installed (tools/install-deps.sh installs it)"
  exit 77
fi
rm -rf "$work"
mkdir -p "$work/home"
# An empty home: no personal preferences or plugins (another copy of iso-ill.lua, say) apply.
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config"

"$generator" "$src/tests/data" "$work"
"$illctl" record to-pcap "$work/dissector.illrec" -o "$work/dissector.pcapng" 2>"$work/to-pcap.err" || {
  cat "$work/to-pcap.err"; exit 1; }

fail() { echo "FAIL: $*" >&2; exit 1; }

# tshark says "Running as user root ... could be dangerous" when run as root (CI may be):
# Debian 12's Wireshark 4.0 still runs Lua scripts then (its init.lua sets
# run_user_scripts_when_superuser = true), so that line is dropped and anything else on
# stderr (a Lua error, say) fails the test.
run_tshark() {
  local err="$work/tshark.err"
  tshark "$@" 2>"$err" || { cat "$err" >&2; fail "tshark $* failed"; }
  if grep -v -e '^Running as user "root"' "$err" | grep -q .; then
    cat "$err" >&2
    fail "tshark $* wrote to stderr"
  fi
}

case $check in
tcp_streams)
  run_tshark -r "$work/dissector.pcapng" -Y "tcp.len > 0" -T fields -e tcp.stream -e tcp.srcport -e tcp.payload \
    >"$work/segments.txt"
  awk -F'\t' '{ k = $1 " " $2; hex[k] = hex[k] $3 } END { for (k in hex) print k, length(hex[k]) / 2, hex[k] }' \
    "$work/segments.txt" | sort -k1,1n -k2,2n >"$work/streams.txt"
  diff <(cut -d' ' -f1-3 "$work/expected-streams.txt") <(cut -d' ' -f1-3 "$work/streams.txt") ||
    fail "streams and byte counts per direction differ (expected <, tshark >)"
  cmp -s "$work/expected-streams.txt" "$work/streams.txt" || fail "payload bytes differ from the recording"
  [ "$(run_tshark -r "$work/dissector.pcapng" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' -T fields \
      -e tcp.srcport | tr '\n' ' ')" = "40001 40002 " ] || fail "SYNs not from the dialling sides (peer 40001, hub 40002)"
  flagged=$(run_tshark -r "$work/dissector.pcapng" -Y tcp.analysis.flags)
  [ -z "$flagged" ] || fail "TCP analysis flags packets: $flagged"
  echo "PASS: $(wc -l <"$work/streams.txt") stream directions, $(wc -l <"$work/segments.txt") data segments match"
  ;;
dissector)
  lua="$src/tools/wireshark/iso-ill.lua"
  [ "$(cut -f1 "$work/expected-apdus.txt" | sort -u | wc -l)" -eq 20 ] || fail "the recording lacks an APDU type"
  # One line per frame; several APDUs in one frame are joined with |.
  run_tshark -X lua_script:"$lua" -r "$work/dissector.pcapng" -Y iso_ill.apdu -T fields -E aggregator='|' \
    -e iso_ill.apdu -e iso_ill.transaction_id >"$work/fields.txt"
  awk -F'\t' '{ n = split($1, names, "|"); split($2, ids, "|"); for (i = 1; i <= n; i++) print names[i] "\t" ids[i] }' \
    "$work/fields.txt" >"$work/apdus.txt"
  diff "$work/expected-apdus.txt" "$work/apdus.txt" || fail "APDU names or transaction ids differ (expected <, tshark >)"
  grep -q '|' "$work/fields.txt" || fail "no frame showed two APDUs"
  malformed=$(run_tshark -X lua_script:"$lua" -r "$work/dissector.pcapng" -Y iso_ill.malformed -T fields -e frame.number)
  [ "$(echo "$malformed" | grep -c .)" -eq 1 ] || fail "expected the one junk segment marked malformed, got: $malformed"
  # The port preference: without 499, the hub-dialled connection's two APDUs are not decoded.
  all=$(wc -l <"$work/fields.txt")
  only=$(run_tshark -X lua_script:"$lua" -o iso_ill.tcp_ports:4990 -r "$work/dissector.pcapng" -Y iso_ill.apdu | wc -l)
  [ "$only" -eq $((all - 2)) ] || fail "with tcp_ports 4990 only, expected $((all - 2)) frames, got $only"
  # The tree: a few key fields of the YAZ vectors as -V prints them.
  run_tshark -X lua_script:"$lua" -r "$work/dissector.pcapng" -V -Y iso_ill >"$work/tree.txt"
  for want in "Item title: " "Transaction results: will-supply (5)" "Date shipped: 20261125" \
              "Sender: IRL:BOR (requester)" "Recipient: IRL:LEN (responder)" "Service date-time: 20261124 101500" \
              "Problem: state-transition-prohibited" "byte 0x30 cannot start an ISO ILL APDU"; do
    grep -qF "$want" "$work/tree.txt" || fail "tshark -V shows no \"$want\""
  done
  echo "PASS: $(wc -l <"$work/apdus.txt") APDUs in $all frames named as the codec names them"
  ;;
*)
  echo "usage: wireshark_test.sh tcp_streams|dissector ILLCTL GENERATOR SOURCE_DIR WORK_DIR" >&2
  exit 2
  ;;
esac
