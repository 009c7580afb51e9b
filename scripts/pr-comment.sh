#!/usr/bin/env bash
# Posts a pull-request comment, or updates the one this script posted before, so each push
# replaces the previous text instead of adding a comment. Used by .github/workflows/preview.yml
# for the `npm run review` summary (Pulumi's preview comment is posted by pulumi/actions).
#
#   bash scripts/pr-comment.sh <key> <markdown-file>
#
# The comment starts with an invisible `<!-- <key> -->` line that identifies it. Needs `gh`
# (preinstalled on GitHub's runners) with GH_TOKEN, GITHUB_REPOSITORY (owner/name) and PR_NUMBER.
set -euo pipefail
key="${1:?usage: pr-comment.sh <key> <markdown-file>}"
file="${2:?usage: pr-comment.sh <key> <markdown-file>}"
: "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY (owner/name) is not set}"
: "${PR_NUMBER:?PR_NUMBER is not set}"
[[ "$key" =~ ^[A-Za-z0-9._:-]+$ ]] || { echo "comment key '$key' is not accepted; use letters, digits, . _ : -" >&2; exit 2; }
[[ "$PR_NUMBER" =~ ^[0-9]+$ ]] || { echo "PR_NUMBER '$PR_NUMBER' is not a number" >&2; exit 2; }

marker="<!-- $key -->"
body="$(mktemp)"
trap 'rm -f "$body"' EXIT
{ printf '%s\n' "$marker"; cat "$file"; } >"$body"

existing="$(gh api --paginate "repos/$GITHUB_REPOSITORY/issues/$PR_NUMBER/comments" \
  --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | head -n1)"
if [ -n "$existing" ]; then
  gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$existing" -F "body=@$body" >/dev/null
  echo "updated comment $existing" >&2
else
  gh api --method POST "repos/$GITHUB_REPOSITORY/issues/$PR_NUMBER/comments" -F "body=@$body" >/dev/null
  echo "posted a new comment" >&2
fi
