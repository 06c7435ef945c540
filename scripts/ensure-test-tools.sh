#!/usr/bin/env bash
# Installs, when missing, the real software the tests run rendered configs with:
# Debian's slapd + ldap-utils, HAProxy, Redis and PostgreSQL, and PyYAML (Synapse's parser).
# Runs before `npm test` (npm's pretest), so the README's test command works on a fresh machine.
set -euo pipefail

missing=()
for tool in /usr/sbin/slapd /usr/bin/ldapsearch /usr/sbin/haproxy /usr/bin/openssl /usr/bin/redis-server /usr/bin/psql; do
  [ -x "$tool" ] || missing+=("$tool")
done
compgen -G '/usr/lib/postgresql/*/bin/postgres' > /dev/null || missing+=("postgres server")

if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages for: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends slapd ldap-utils haproxy openssl redis-server postgresql
fi

python3 -c 'import yaml' 2>/dev/null || python3 -m pip install --quiet 'PyYAML==6.0.3'
