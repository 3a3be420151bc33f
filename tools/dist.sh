#!/usr/bin/env bash
# `npm run dist`: the release packages, on a build host with internet (Electron, its headers for
# the native modules, and electron-builder's packaging tools are downloaded from the internet).
#   HCP_UPDATE_URL=https://files.hall.example/hcp-kiosk npm run dist            # all targets
#   HCP_UPDATE_URL=… npm run dist -- --linux deb --arm64                          # one target
# Linux: AppImage + deb for x64 and arm64 (统信 UOS / 银河麒麟 pads). better-sqlite3 for arm64 is
# rebuilt by electron-builder; where no prebuilt binary downloads, build on an arm64 host.
# Windows: NSIS for x64 (build on Windows, or on Linux with wine).
# The files in release/ go to the update server as they are (latest*.yml + the packages).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${HCP_UPDATE_URL:-}" ]; then
  echo "dist: set HCP_UPDATE_URL to the hall's or city's update server (e.g. https://files.hall.example/hcp-kiosk)" >&2
  exit 2
fi
unset ELECTRON_SKIP_BINARY_DOWNLOAD
[ -x node_modules/electron/dist/electron ] || [ -e node_modules/electron/dist/electron.exe ] ||
  node node_modules/electron/install.js
npm run build
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--linux --x64 --arm64)
npx electron-builder "${args[@]}" --publish never \
  -c.publish.provider=generic "-c.publish.url=$HCP_UPDATE_URL"
