#!/bin/bash
# Debian package postinst of hcp-kiosk (electron-builder deb.afterInstall; replaces its default).
# Sets up what a pad needs besides the app: the service user in dialout (board) and lp (USB
# printer), the board's udev rule, the kiosk session units, and the data folder. Safe to run again.
# DPKG_ROOT (set by dpkg --root) prefixes every path, so the script can be checked in a scratch tree.
set -eu
root="${DPKG_ROOT:-}"
[ "$root" = "/" ] && root=""
app=/opt/hcp-kiosk
res="$root$app/resources"
user=hcp-kiosk
state=/var/lib/hcp-kiosk

# The command on PATH, as electron-builder's own postinst makes it.
if [ -z "$root" ] && type update-alternatives >/dev/null 2>&1; then
  update-alternatives --install /usr/bin/hcp-kiosk hcp-kiosk "$app/hcp-kiosk" 100 ||
    ln -sf "$app/hcp-kiosk" /usr/bin/hcp-kiosk
else
  mkdir -p "$root/usr/bin"
  ln -sf "$app/hcp-kiosk" "$root/usr/bin/hcp-kiosk"
fi
# Chromium's sandbox helper needs SUID only where user namespaces are off.
if [ -e "$root$app/chrome-sandbox" ]; then
  if [ -L /proc/self/ns/user ] && unshare --user true 2>/dev/null; then
    chmod 0755 "$root$app/chrome-sandbox" || true
  else
    chmod 4755 "$root$app/chrome-sandbox" || true
  fi
fi

# The service user: no login shell, its own group, in dialout (serial board) and lp (USB printer).
if ! getent passwd "$user" >/dev/null 2>&1; then
  useradd --system --home-dir "$state" --create-home --shell /usr/sbin/nologin \
    --user-group --comment "hcp-kiosk evaluator pad" "$user"
fi
for group in dialout lp video input render; do
  if getent group "$group" >/dev/null 2>&1; then usermod -a -G "$group" "$user"; fi
done
mkdir -p "$root$state/data"
chown -R "$user:$user" "$root$state"
chmod 0700 "$root$state" "$root$state/data"

# The board's stable name /dev/hcp-board, group dialout, and ModemManager kept away from it.
mkdir -p "$root/etc/udev/rules.d"
install -m 0644 "$res/linux/udev/99-hcp-board.rules" "$root/etc/udev/rules.d/99-hcp-board.rules"
if [ -z "$root" ] && command -v udevadm >/dev/null 2>&1; then
  udevadm control --reload || true
  udevadm trigger --subsystem-match=tty || true
fi

# The kiosk session: units installed, enabled at boot, not started here (the technician reboots
# or runs `systemctl start hcp-kiosk` after provisioning).
mkdir -p "$root/etc/systemd/system" "$root/usr/libexec/hcp-kiosk"
for unit in "$res"/linux/systemd/*; do
  install -m 0644 "$unit" "$root/etc/systemd/system/$(basename "$unit")"
done
for tool in "$res"/linux/bin/*; do
  install -m 0755 "$tool" "$root/usr/libexec/hcp-kiosk/$(basename "$tool")"
done
if [ -z "$root" ] && command -v systemctl >/dev/null 2>&1; then
  systemctl daemon-reload || true
  systemctl enable hcp-kiosk.service hcp-kiosk-screen.timer || true
fi
exit 0
