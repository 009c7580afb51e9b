#!/usr/bin/env bash
# `npm test` and `npm run test:live`: the type check, lint and format check (npm test only), the real
# Prometheus tools (scripts/fetch-prometheus-tools.sh), then jest. Further arguments go to jest,
# e.g. `npm test -- tests/rules`. `--help` answers before anything runs.
set -euo pipefail
mode="${1:-}"
shift || true
usage() {
  case "$mode" in
    live) echo "usage: npm run test:live -- [jest arguments...]"; echo
      echo "The live suite: real Prometheus, Alertmanager, exporters and Caddy on 127.0.0.1 with the rendered files," ;
      echo "every case including the S3 path (OBS_LIVE_FULL=1). Fetches the tools into .tools/bin first; a few minutes." ;;
    *) echo "usage: npm test -- [jest arguments...]"; echo
      echo "Everything CI runs: tsc (strict), eslint, the tools into .tools/bin (once), then every jest suite on three" ;
      echo "workers, the live suite included. No Pulumi CLI, Docker or cloud needed; about five minutes on 2 cores." ;;
  esac
  echo
  echo "options:"
  echo "  --help, -h                 print this help and exit"
  echo "  anything else              passed to jest (a test path, -t <name>, ...)"
}
case "${1:-}" in
  -h | --help) usage; exit 0 ;;
esac
cd "$(dirname "$0")/.."
case "$mode" in
  all)
    tsc -p tsconfig.check.json
    eslint .
    bash scripts/format.sh --check || { echo "run-tests.sh: the files above are not formatted; run npm run format" >&2; exit 1; }
    bash scripts/fetch-prometheus-tools.sh
    # Three workers on two cores: the live suites spend most of their time waiting on real
    # processes (with two workers the machine was 59% busy), and a third worker fills that idle
    # time. Measured on 2 cores: jest 371 s with two workers, 297 s with three, same results.
    exec jest --maxWorkers=3 "$@" ;;
  live)
    bash scripts/fetch-prometheus-tools.sh
    OBS_LIVE_FULL=1 exec jest --maxWorkers=1 tests/live "$@" ;;
  *) echo "run-tests.sh: the first argument is all or live (npm test, npm run test:live)" >&2; exit 2 ;;
esac
