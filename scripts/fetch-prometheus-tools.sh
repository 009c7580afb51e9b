#!/usr/bin/env bash
# Installs real Prometheus tools (prometheus, promtool, alertmanager, amtool, node-exporter,
# blackbox-exporter, mysqld-exporter) and Caddy into .tools/bin so tests run the upstream binaries, not
# imitations; as root it also installs the tools the backup, script and host tests use
# (shellcheck, sqlite3, systemd-analyze, the AWS CLI) from the system's own Debian release.
#
# A tool already in .tools/bin, or on PATH at a recent enough version, is used as is. The others
# come from one of two sources (TOOLS_SOURCE):
#   debian    Debian sid's packages, fetched with a private apt configuration (the system's
#             sources are left alone) and unpacked with dpkg -x; no root needed except for
#             Debian's Alertmanager template (below). Needs apt and Debian's archive key.
#   upstream  The projects' own release archives (linux-amd64), verified against the sha256 sums
#             pinned below before anything is unpacked. For machines that do not trust Debian's
#             key (GitHub's Ubuntu runners) or have no apt.
# Default: debian where apt-get, dpkg and Debian's archive keyring exist, upstream elsewhere.
# TOOLS_UPSTREAM_MIRROR replaces https://github.com in the archive URLs (a mirror or a cache).
set -euo pipefail
usage() {
  cat <<'USAGE'
usage: npm run tools

Installs the real Prometheus tools (prometheus, promtool, alertmanager, amtool, node_exporter,
blackbox_exporter) and Caddy into .tools/bin, once, for the tests and benchmarks; as root also
shellcheck, sqlite3, systemd-analyze and the AWS CLI. A tool already there, or on PATH at a
recent enough version, is used as is. Takes no arguments.

options:
  --help, -h                 print this help and exit

environment:
  TOOLS_SOURCE               debian (Debian sid's packages) or upstream (release archives, sha256-checked)
  TOOLS_UPSTREAM_MIRROR      replaces https://github.com in the archive URLs
USAGE
}
case "${1:-}" in
  "") ;;
  -h | --help) usage; exit 0 ;;
  *) { echo "tools: unexpected argument \"$1\""; echo; usage; } >&2; exit 2 ;;
esac
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
  "mysqld_exporter|prometheus-mysqld-exporter|prometheus-mysqld-exporter|0.15"
  "caddy|caddy|caddy|2.11"
)

# Debian package | release archive path under https://github.com | its sha256 | binaries in it
# The sums are the projects' published ones (prometheus, alertmanager, node_exporter and
# blackbox_exporter publish sha256sums.txt with each release; Caddy publishes SHA-512 sums, the
# SHA-256 below is the archive's). Where they were read, since this repository cannot download
# from GitHub: prometheus 3.13.2 and caddy 2.11.4 from cashapp/hermit-packages (prometheus.hcl,
# caddy.hcl, which take them from the release's sha256sums.txt); alertmanager 0.34.0,
# node_exporter 1.12.1 and blackbox_exporter 0.28.0 from several independent pinned installers,
# Dockerfiles and Homebrew-style formulae that agree digit for digit; mysqld_exporter 0.19.0 from
# one pinned installer only (Debian sid's 0.19.0 is what CI uses). Bump a version only
# together with its sum from the release page.
upstream=(
  "promtool|prometheus/prometheus/releases/download/v3.13.2/prometheus-3.13.2.linux-amd64.tar.gz|0e8c4d46101bd025ea8265e377d2caabc57f488fc1be1c367f37db69ea41be6f|promtool prometheus"
  "prometheus|prometheus/prometheus/releases/download/v3.13.2/prometheus-3.13.2.linux-amd64.tar.gz|0e8c4d46101bd025ea8265e377d2caabc57f488fc1be1c367f37db69ea41be6f|promtool prometheus"
  "prometheus-alertmanager|prometheus/alertmanager/releases/download/v0.34.0/alertmanager-0.34.0.linux-amd64.tar.gz|19c75a11d8c03dc4ade7abdbddfb3a8f28c9e7b000d0849cda0cd71dffd74a03|alertmanager amtool"
  "prometheus-node-exporter|prometheus/node_exporter/releases/download/v1.12.1/node_exporter-1.12.1.linux-amd64.tar.gz|b51d8a76aa2a9156a55d501aca6276fae09e262259a5e4e831d2c2222f084e63|node_exporter"
  "prometheus-blackbox-exporter|prometheus/blackbox_exporter/releases/download/v0.28.0/blackbox_exporter-0.28.0.linux-amd64.tar.gz|caf5d242fb1cf6d5cb678f3f799f22703d4fafea26b03dcbbd7e1f1825e06329|blackbox_exporter"
  "caddy|caddyserver/caddy/releases/download/v2.11.4/caddy_2.11.4_linux_amd64.tar.gz|527fbf917c39189a1e3b31d34fa955601680b2d5c8055d2a87b8b9588dec7bb9|caddy"
  "prometheus-mysqld-exporter|prometheus/mysqld_exporter/releases/download/v0.19.0/mysqld_exporter-0.19.0.linux-amd64.tar.gz|97238be558bd1a6aa6b9a927fa21d91dc5cabe6b9e00678b5cafa2bbb3899e72|mysqld_exporter"
)

version_of() { "$1" --version 2>&1 | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n1; }
at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

source="${TOOLS_SOURCE:-}"
if [ -z "$source" ]; then
  if command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1 && [ -f /usr/share/keyrings/debian-archive-keyring.gpg ]; then
    source=debian
  else
    source=upstream
  fi
fi
case "$source" in
  debian | upstream) ;;
  *) echo "TOOLS_SOURCE=$source is not accepted; use debian or upstream" >&2; exit 2 ;;
esac

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

fetch_debian() {
  local pkgs=("$@") need=() deb pkg
  mkdir -p "$tools/debs"
  # A .deb kept from an earlier run is reused: no apt at all when every package is cached.
  for pkg in "${pkgs[@]}"; do
    compgen -G "$tools/debs/${pkg}_*.deb" >/dev/null || need+=("$pkg")
  done
  if [ "${#need[@]}" -gt 0 ]; then
    echo "fetching from Debian sid: ${need[*]}" >&2
    local apt_dir="$tools/apt"
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
    echo "deb http://deb.debian.org/debian sid main" >"$apt_dir/sources.list"
    local apt_opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o "Dir::Etc::sourceparts=/nonexistent"
      -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o "APT::Get::List-Cleanup=0"
      -o "Debug::NoLocking=1")
    apt-get "${apt_opts[@]}" update -qq >/dev/null
    (cd "$tools/debs" && apt-get "${apt_opts[@]}" download "${need[@]}" >/dev/null)
  fi
  for pkg in "${pkgs[@]}"; do
    for deb in "$tools/debs/${pkg}"_*.deb; do dpkg -x "$deb" "$tools/root"; done
  done
  for row in "${wanted[@]}"; do
    IFS='|' read -r name debname _ _ <<<"$row"
    [ -x "$bin/$name" ] || ln -sf "$tools/root/usr/bin/$debname" "$bin/$name"
  done

  # Debian's Alertmanager refuses to start without its default template at this fixed path
  # (compiled in). The upstream build embeds the template instead: TOOLS_SOURCE=upstream needs no
  # root at all.
  local tmpl_dir=/usr/share/prometheus/alertmanager
  if [ ! -f "$tmpl_dir/default.tmpl" ] && [ -d "$tools/root$tmpl_dir" ]; then
    if mkdir -p "$tmpl_dir" 2>/dev/null && cp "$tools/root$tmpl_dir"/*.tmpl "$tmpl_dir/" 2>/dev/null; then
      :
    else
      echo "Debian's alertmanager needs $tmpl_dir/default.tmpl, which only root can create:" >&2
      echo "  sudo mkdir -p $tmpl_dir && sudo cp $tools/root$tmpl_dir/*.tmpl $tmpl_dir/" >&2
      echo "or use the upstream build, which embeds it: rm $bin/alertmanager $bin/amtool && TOOLS_SOURCE=upstream $0" >&2
      exit 1
    fi
  fi
}

fetch_upstream() {
  local pkgs=("$@") pkg row rpkg url_path sum binaries archive dir b found
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    echo "upstream archives are pinned for linux-amd64 only; on $(uname -s)-$(uname -m) put the tools on PATH (they are used as they are)" >&2
    exit 1
  fi
  local base="${TOOLS_UPSTREAM_MIRROR:-https://github.com}"
  mkdir -p "$tools/upstream"
  for pkg in "${pkgs[@]}"; do
    for row in "${upstream[@]}"; do
      IFS='|' read -r rpkg url_path sum binaries <<<"$row"
      [ "$rpkg" = "$pkg" ] || continue
      archive="$tools/upstream/$(basename "$url_path")"
      dir="$tools/upstream/$(basename "$url_path" .tar.gz)"
      if [ ! -f "$archive" ] || ! printf '%s  %s\n' "$sum" "$archive" | sha256sum -c --status; then
        echo "fetching $base/$url_path" >&2
        curl -fsSL --retry 3 -o "$archive.part" "$base/$url_path"
        if ! printf '%s  %s\n' "$sum" "$archive.part" | sha256sum -c --status; then
          echo "sha256 mismatch for $(basename "$url_path"): expected $sum, got $(sha256sum "$archive.part" | cut -d' ' -f1); nothing installed" >&2
          rm -f "$archive.part"
          exit 1
        fi
        mv "$archive.part" "$archive"
      fi
      rm -rf "$dir" && mkdir -p "$dir"
      tar -xzf "$archive" -C "$dir"
      for b in $binaries; do
        [ -x "$bin/$b" ] && continue
        found="$(find "$dir" -type f -name "$b" -perm -u+x -print -quit)"
        [ -n "$found" ] || { echo "$(basename "$url_path") has no executable $b" >&2; exit 1; }
        ln -sf "$found" "$bin/$b"
      done
      break
    done
  done
}

if [ "${#missing[@]}" -gt 0 ]; then
  mapfile -t pkgs < <(printf '%s\n' "${missing[@]}" | sort -u)
  "fetch_$source" "${pkgs[@]}"
fi

for row in "${wanted[@]}"; do
  IFS='|' read -r name _ _ _ <<<"$row"
  "$bin/$name" --version >/dev/null 2>&1 || { echo "tool $name did not install" >&2; exit 1; }
done
# Tools from the system's own release (shellcheck's sid build needs a newer C library). Only root
# can install them; elsewhere the tests that need them say which one is missing.
aws_v2() { [ -x "$1" ] && "$1" --version 2>/dev/null | grep -q '^aws-cli/2\.'; }
# AWS CLI v2: Debian's, or the one a runner image ships (a pyenv shim on PATH may be v1). It takes
# seconds to start, so a link made by an earlier run is trusted like the other tools.
find_aws() { for a in /usr/bin/aws /usr/local/bin/aws; do if aws_v2 "$a"; then echo "$a"; return; fi; done; }
aws_path=""
[ -x "$bin/aws" ] || aws_path="$(find_aws)"
# command | Debian package. systemd-analyze (which checks the ec2 host's unit files offline) is
# part of systemd itself, which a slim container image may lack.
# MariaDB's server and client run the mysql integration's live test (the server a mysqld_exporter
# reads).
system_tools=("shellcheck|shellcheck" "sqlite3|sqlite3" "systemd-analyze|systemd" "mariadbd|mariadb-server-core" "mariadb-install-db|mariadb-server-core" "mariadb|mariadb-client-core")
system_missing=()
for row in "${system_tools[@]}"; do
  IFS='|' read -r cmd pkg <<<"$row"
  command -v "$cmd" >/dev/null 2>&1 || system_missing+=("$pkg")
done
[ -x "$bin/aws" ] || [ -n "$aws_path" ] || system_missing+=(awscli)
if [ "${#system_missing[@]}" -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing from the system's release: ${system_missing[*]}" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${system_missing[@]}" >/dev/null
  [ -x "$bin/aws" ] || aws_path="$(find_aws)"
fi
if [ -n "$aws_path" ]; then ln -sf "$aws_path" "$bin/aws"; fi
for row in "${system_tools[@]}"; do
  IFS='|' read -r cmd _ <<<"$row"
  if path="$(command -v "$cmd" 2>/dev/null)"; then ln -sf "$path" "$bin/$cmd"; fi
done

echo "prometheus tools ready in $bin ($source)" >&2
