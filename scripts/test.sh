#!/usr/bin/env bash
# `make test`: the suite on SQLite (with the browser journeys) and, when LMS_TEST_DATABASE_URL
# names a PostgreSQL database, on it too (without them). The two passes run side by side — the
# suite is mostly one Python process, so each pass keeps one core busy — and the PostgreSQL
# pass's report follows the SQLite pass's. Extra arguments go to both pytest runs.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

if [ -z "${LMS_TEST_DATABASE_URL:-}" ]; then
  exec "$BIN/pytest" "$@"
fi

# What the first test of each pass would otherwise build at the same moment as the other pass.
"$BIN/python" -c 'from pathlib import Path; from lms.content import demo_video; demo_video.build(Path("courses"))'

log="$(mktemp -t lms-test-postgresql.XXXXXX)"
"$BIN/pytest" -m "not browser" -p no:cacheprovider "$@" >"$log" 2>&1 &
postgresql=$!
# Stop the background pass too if this one is interrupted.
trap 'kill "$postgresql" 2>/dev/null' INT TERM

env -u LMS_TEST_DATABASE_URL "$BIN/pytest" "$@"
sqlite_status=$?

wait "$postgresql"
postgresql_status=$?
echo
echo "== the same suite on $LMS_TEST_DATABASE_URL, run alongside (browser journeys ran above) =="
cat "$log"
rm -f "$log"
echo "SQLite pass: exit $sqlite_status; PostgreSQL pass: exit $postgresql_status"
[ "$sqlite_status" -eq 0 ] && [ "$postgresql_status" -eq 0 ]
