#!/usr/bin/env bash
# `npm run format`: Prettier over every TypeScript and JavaScript file (.prettierrc.json,
# .prettierignore). `--check` only reports (npm test runs that); `--help` answers before anything
# runs; any other argument is refused, so a stray flag never rewrites the tree.
set -euo pipefail
usage() {
  echo "usage: npm run format -- [--check]"
  echo
  echo "Formats every .ts, .js and .mjs file with Prettier (.prettierrc.json); generated files are left alone (.prettierignore)."
  echo
  echo "options:"
  echo "  --check                    report unformatted files and exit 1, changing nothing"
  echo "  --help, -h                 print this help and exit"
}
mode=--write
case "${1:-}" in
  "") ;;
  --check) mode=--check ;;
  -h | --help) usage; exit 0 ;;
  *) echo "format: unknown argument ${1}" >&2; usage >&2; exit 2 ;;
esac
[ "$#" -le 1 ] || { echo "format: one argument at most" >&2; usage >&2; exit 2; }
cd "$(dirname "$0")/.."
exec node_modules/.bin/prettier "$mode" --log-level warn "**/*.{ts,js,mjs}"
