#!/usr/bin/env bash
# The Debian packages the tests need (.ci/debian-packages): installs the missing ones when run as
# root, otherwise stops at once with the one command to run. Not Debian (no dpkg): says so, goes on.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t pkgs < <(grep -v '^\s*#' .ci/debian-packages | grep -v '^\s*$')
if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "debian-deps: not a Debian system; the tests need: ${pkgs[*]}" >&2
  exit 0
fi
missing=()
for p in "${pkgs[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "缺少测试所需的 Debian 软件包 / missing Debian packages the tests need: ${missing[*]}" >&2
  echo "请运行 / run:  sudo apt-get update && sudo $cmd" >&2
  exit 3
fi
echo "debian-deps: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive $cmd -qq
