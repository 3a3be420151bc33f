#!/bin/bash
# Debian package postrm of hcp-kiosk. Removes what after-install.sh put outside /opt; keeps the
# service user and /var/lib/hcp-kiosk (the pad's database may still hold pending ratings).
set -eu
root="${DPKG_ROOT:-}"
[ "$root" = "/" ] && root=""
if [ -z "$root" ] && command -v systemctl >/dev/null 2>&1; then
  systemctl disable --now hcp-kiosk.service hcp-kiosk-screen.timer 2>/dev/null || true
fi
if [ -z "$root" ] && type update-alternatives >/dev/null 2>&1; then
  update-alternatives --remove hcp-kiosk /opt/hcp-kiosk/hcp-kiosk || true
fi
rm -f "$root/usr/bin/hcp-kiosk"
rm -f "$root/etc/udev/rules.d/99-hcp-board.rules"
rm -f "$root"/etc/systemd/system/hcp-kiosk*.service "$root"/etc/systemd/system/hcp-kiosk*.timer
rm -rf "$root/usr/libexec/hcp-kiosk"
if [ -z "$root" ] && command -v systemctl >/dev/null 2>&1; then systemctl daemon-reload || true; fi
exit 0
