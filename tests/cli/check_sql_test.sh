#!/usr/bin/env bash
# tools/check-sql against its fixtures (tests/data/check-sql) and against the repository:
#  - bad/: every statement marked "// BAD N" is reported at line N, nothing else, exit 1;
#  - good/: parameterised SQL, a terminal message and an allow-listed composition pass (exit 0);
#    without the allow-list the composition is reported; a stale allow-list entry fails;
#  - the repository itself is clean.
# Usage: check_sql_test.sh SOURCE_DIR
set -uo pipefail
root=${1:?usage: check_sql_test.sh SOURCE_DIR}
check="$root/tools/check-sql"
data="$root/tests/data/check-sql"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

out=$("$check" --root "$data/bad" --allow /dev/null src); rc=$?
[ "$rc" = 1 ] || fail "bad fixture: exit $rc, expected 1"
want=$(grep -o '// BAD [0-9]*' "$data/bad/src/bad_example.cpp" | awk '{print $3}' | sort -n | tr '\n' ' ')
got=$(echo "$out" | sed -n 's|^src/bad_example.cpp:\([0-9]*\): SQL assembled.*|\1|p' | sort -n | tr '\n' ' ')
[ "$want" = "$got" ] || fail "bad fixture: reported lines '$got', expected '$want'"$'\n'"$out"
[ -n "$want" ] || fail "bad fixture has no BAD markers"

out=$("$check" --root "$data/good" --allow "$data/good/allow" src); rc=$?
[ "$rc" = 0 ] || fail "good fixture: exit $rc, expected 0"$'\n'"$out"

out=$("$check" --root "$data/good" --allow /dev/null src); rc=$?
[ "$rc" = 1 ] || fail "good fixture without its allow-list: exit $rc, expected 1"
echo "$out" | grep -q '^src/good_example.cpp:12: SQL assembled' || fail "the composition on line 12 was not reported"$'\n'"$out"

out=$("$check" --root "$data/good" --allow "$data/good/stale-allow" src); rc=$?
[ "$rc" = 1 ] || fail "stale allow-list: exit $rc, expected 1"
echo "$out" | grep -q 'stale-allow:3: allow-list entry matches nothing' || fail "stale entry not reported"$'\n'"$out"

out=$("$check" --root "$root"); rc=$?
[ "$rc" = 0 ] || fail "the repository: exit $rc"$'\n'"$out"

[ "$failures" = 0 ] && echo "check-sql: all cases pass"
exit $((failures > 0))
