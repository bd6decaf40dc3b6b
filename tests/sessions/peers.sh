#!/usr/bin/env bash
# Registers the libraries of the sessions set (tests/sessions/README.md) in an empty hub
# database, the same for recording (tools/record-sessions) and replay (ctest -L sessions).
#   tests/sessions/peers.sh ILLCTL CONNINFO
# Scenario N has the loopback network 127.1.N.0/24: PREFIX:BOR connects from 127.1.N.2 and
# PREFIX:LEN from 127.1.N.3 (the list in tests/sessions/*_scenarios.cpp); 127.1.N.9 is
# nobody's. DIAL:LEN is dialled by the hub at 127.1.14.3:24914 instead of connecting.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 ILLCTL CONNINFO" >&2
  exit 2
fi
illctl=$1
db=$2

add() {  # SYMBOL, then illctl peer add options
  local symbol=$1
  shift
  "$illctl" --db "$db" peer add "$symbol" --name "sessions $symbol" "$@" >/dev/null
}

net=0
for prefix in LIFE COPY COND CANC UNFL PROH UNKN OTHR MALF UNFR OVER OFFL STAT DIAL; do
  net=$((net + 1))
  add "$prefix:BOR" --delivery connection --allow "127.1.$net.2/32"
  if [ "$prefix" = DIAL ]; then
    add "$prefix:LEN" --delivery dial --endpoint "127.1.$net.3:24914"
  else
    add "$prefix:LEN" --delivery connection --allow "127.1.$net.3/32"
  fi
done
