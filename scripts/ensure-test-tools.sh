#!/usr/bin/env bash
# Installs, when missing, the real software the tests run rendered configs with. One argument
# names the tier (npm's scripts pass it):
#
# - none (`npm test`, npm's pretest): nothing. That tier runs node, git and /bin/sh only, so a
#   fresh machine pays no install before the pure checks.
# - `tools` (`npm run test:tools`), `integration` and `engine`: Debian's slapd + ldap-utils,
#   HAProxy, Redis and PostgreSQL, and PyYAML (Synapse's parser); shellcheck, which actionlint
#   runs over the CI definitions' scripts; iproute2 and libpq's headers for the integration tier
#   (a loopback-only network namespace; psycopg2 builds from source); bubblewrap for the engine
#   tier (each real pod's container runs in a bwrap sandbox); Debian's Python with venv and
#   headers for the backup drills' barman-cloud tools (PostgreSQL's account runs them, so not a
#   Python under root's home); BusyBox, whose sh and applets parse the store backup programs and
#   run the store backup drills' upload scripts as rclone's and OpenBao's Alpine images would;
#   and checks that Go is there for the tools the tests build.
# - `integration` (npm run test:integration) also installs Chromium and nginx: the client
#   compartment's proofs load the Element Web origin in a real browser, served by nginx as the
#   Element image serves it. Only that tier runs them, and Chromium with its libraries is a few
#   hundred MB, so the other tiers do not pull them in.
#
# Idempotent: each step checks first, and concurrent runs at worst install the same packages twice.
set -euo pipefail

tier="${1:-}"
case "$tier" in
  '') exit 0 ;;
  tools | integration | engine) ;;
  *) echo "usage: $0 [tools|integration|engine]" >&2; exit 2 ;;
esac

missing=()
for tool in /usr/sbin/slapd /usr/bin/ldapsearch /usr/sbin/haproxy /usr/bin/openssl /usr/bin/redis-server /usr/bin/psql /usr/bin/shellcheck /bin/ip /usr/bin/bwrap /bin/busybox; do
  [ -x "$tool" ] || missing+=("$tool")
done
# A header, not a program: present is enough (testing it for -x reinstalled the packages on every run).
[ -f /usr/include/postgresql/libpq-fe.h ] || missing+=("/usr/include/postgresql/libpq-fe.h")
compgen -G '/usr/lib/postgresql/*/bin/postgres' > /dev/null || missing+=("postgres server")
if [ -x /usr/bin/python3 ]; then
  /usr/bin/python3 -c 'import ensurepip, venv' 2> /dev/null || missing+=("python3-venv")
  [ -f "$(/usr/bin/python3 -c 'import sysconfig; print(sysconfig.get_paths()["include"])')/Python.h" ] || missing+=("Python.h")
else
  missing+=("/usr/bin/python3")
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages for: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends slapd ldap-utils haproxy openssl redis-server postgresql shellcheck iproute2 libpq-dev bubblewrap python3 python3-venv python3-dev busybox
fi

if [ "$tier" = integration ]; then
  browser_missing=()
  for tool in /usr/lib/chromium/chromium /usr/sbin/nginx; do
    [ -x "$tool" ] || browser_missing+=("$tool")
  done
  if [ ${#browser_missing[@]} -gt 0 ]; then
    echo "installing Debian packages for: ${browser_missing[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends chromium nginx
  fi
fi

python3 -c 'import yaml' 2>/dev/null || python3 -m pip install --quiet 'PyYAML==6.0.3'

# The real-tool tests build their tools (helm, Pod Security and CRD checks, External Secrets'
# template engine, the HCL parsers, promtool, actionlint) from the Go module proxy: they need Go 1.26 or newer.
go_version="$(go env GOVERSION 2>/dev/null || true)"
case "$go_version" in
  go1.2[6-9]*|go1.[3-9][0-9]*) ;;
  *) echo "Go >= 1.26 is required for the real-tool tests (found: ${go_version:-none}); install it from go.dev" >&2; exit 1 ;;
esac
