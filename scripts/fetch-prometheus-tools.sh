#!/usr/bin/env bash
# Installs real Prometheus tools (prometheus, promtool, alertmanager, amtool, node-exporter,
# blackbox-exporter) and Caddy into .tools/bin so tests run the upstream binaries, not
# imitations; as root it also installs the tools the backup and script tests use (shellcheck,
# sqlite3, the AWS CLI) from the system's own Debian release.
# A tool already on PATH is used when it is recent enough; otherwise Debian sid's builds are
# downloaded with a private apt configuration (the system's sources are left alone).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
bin="$tools/bin"
mkdir -p "$bin"

# name on PATH | name in the Debian package | package | minimum major.minor
wanted=(
  "promtool|promtool|promtool|3.0"
  "prometheus|prometheus|prometheus|3.0"
  "amtool|amtool|prometheus-alertmanager|0.27"
  "alertmanager|prometheus-alertmanager|prometheus-alertmanager|0.27"
  "node_exporter|prometheus-node-exporter|prometheus-node-exporter|1.8"
  "blackbox_exporter|prometheus-blackbox-exporter|prometheus-blackbox-exporter|0.24"
  "caddy|caddy|caddy|2.11"
)

version_of() { "$1" --version 2>&1 | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n1; }
at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

missing=()
for row in "${wanted[@]}"; do
  IFS='|' read -r name debname pkg min <<<"$row"
  [ -x "$bin/$name" ] && continue
  if path="$(command -v "$name" 2>/dev/null)" && v="$(version_of "$path")" && at_least "$v" "$min"; then
    ln -sf "$path" "$bin/$name"
    continue
  fi
  missing+=("$pkg")
done

if [ "${#missing[@]}" -gt 0 ]; then
  pkgs="$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')"
  echo "fetching from Debian sid: $pkgs" >&2
  apt_dir="$tools/apt"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$tools/debs"
  echo "deb http://deb.debian.org/debian sid main" >"$apt_dir/sources.list"
  apt_opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o "Dir::Etc::sourceparts=/nonexistent"
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o "APT::Get::List-Cleanup=0"
    -o "Debug::NoLocking=1")
  apt-get "${apt_opts[@]}" update -qq >/dev/null
  (cd "$tools/debs" && apt-get "${apt_opts[@]}" download $pkgs >/dev/null)
  for deb in "$tools"/debs/*.deb; do dpkg -x "$deb" "$tools/root"; done
  for row in "${wanted[@]}"; do
    IFS='|' read -r name debname pkg min <<<"$row"
    [ -x "$bin/$name" ] || ln -sf "$tools/root/usr/bin/$debname" "$bin/$name"
  done
fi

# Debian's Alertmanager refuses to start without its default template at this fixed path.
tmpl_dir=/usr/share/prometheus/alertmanager
if [ ! -f "$tmpl_dir/default.tmpl" ] && [ -d "$tools/root$tmpl_dir" ]; then
  if mkdir -p "$tmpl_dir" 2>/dev/null; then cp "$tools/root$tmpl_dir"/*.tmpl "$tmpl_dir/"; fi
fi

for row in "${wanted[@]}"; do
  IFS='|' read -r name _ _ _ <<<"$row"
  "$bin/$name" --version >/dev/null 2>&1 || { echo "tool $name did not install" >&2; exit 1; }
done
# Tools from the system's own release (shellcheck's sid build needs a newer C library). Only root
# can install them; elsewhere the tests that need them say which one is missing.
system_missing=()
for pair in shellcheck:shellcheck sqlite3:sqlite3 aws:awscli; do
  cmd="${pair%%:*}" pkg="${pair#*:}"
  if [ "$cmd" = aws ]; then
    # Debian's AWS CLI v2 (a pyenv shim may shadow it with v1 on PATH).
    [ -x /usr/bin/aws ] || system_missing+=("$pkg")
  else
    command -v "$cmd" >/dev/null 2>&1 || system_missing+=("$pkg")
  fi
done
if [ "${#system_missing[@]}" -gt 0 ] && [ "$(id -u)" = 0 ]; then
  echo "installing from the system's Debian release: ${system_missing[*]}" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${system_missing[@]}" >/dev/null
fi
[ -x /usr/bin/aws ] && ln -sf /usr/bin/aws "$bin/aws"
for cmd in shellcheck sqlite3; do
  if path="$(command -v "$cmd" 2>/dev/null)"; then ln -sf "$path" "$bin/$cmd"; fi
done

echo "prometheus tools ready in $bin" >&2
