#!/usr/bin/env bash
# Installs the real peers Hoplight's tests talk to, on Debian 12 (as root): Postfix + Dovecot, Exim 4 (unpacked
# beside Postfix, since the two conflict in dpkg), Chromium, unbound and the BIND DNSSEC tools, testssl.sh,
# gnome-keyring with a session D-Bus (the Secret Service) and
# swaks. Idempotent: safe to run again.
set -euo pipefail

EXIM_ROOT=${HOPLIGHT_EXIM_ROOT:-/opt/hoplight-peers/exim}
export DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" != 0 ]; then
  echo "install-test-peers: run as root (apt-get and useradd)." >&2
  exit 1
fi

apt-get update -qq
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get install -y -qq --no-install-recommends \
  postfix dovecot-core \
  libmariadb3 libspf2-2 libidn12 libgnutls-dane0 libdb5.3 libldap-2.5-0 libnsl2 libperl5.36 libpq5 libsasl2-2 libsqlite3-0 libpcre2-8-0 \
  chromium \
  swaks libnet-ssleay-perl libio-socket-ssl-perl \
  unbound bind9-utils bind9-dnsutils testssl.sh \
  gnome-keyring dbus dbus-x11 libsecret-tools \
  ca-certificates >/dev/null

if [ ! -x "$EXIM_ROOT/usr/sbin/exim4" ]; then
  work=$(mktemp -d)
  chmod 755 "$work"
  (cd "$work" && apt-get download -qq exim4-daemon-heavy exim4-base)
  mkdir -p "$EXIM_ROOT"
  for deb in "$work"/*.deb; do dpkg -x "$deb" "$EXIM_ROOT"; done
  rm -rf "$work"
fi
id Debian-exim >/dev/null 2>&1 || useradd --system --user-group --no-create-home --shell /usr/sbin/nologin Debian-exim

echo "install-test-peers: Postfix $(postconf -dh mail_version), Dovecot $(dovecot --version | cut -d' ' -f1), Exim at $EXIM_ROOT, $(chromium --version 2>/dev/null || echo 'no chromium')"
