#!/usr/bin/env bash
# Installs every Debian package Postern needs to build, test and benchmark.
# Idempotent and quick when everything is present: only missing packages are
# fetched. Called by `make run`, `make test` and `make bench`.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache clang-format
  # make fuzz: clang with libFuzzer and its sanitizer runtimes
  clang libclang-rt-14-dev
  # libraries, each one the build links or includes (CMakeLists.txt): Boost's
  # headers (Asio, Beast) and the three compiled parts it finds, spdlog and
  # the fmt it links, GoogleTest for the unit tests
  libboost1.81-dev libboost-system1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsqlite3-dev libgmime-3.0-dev libgumbo-dev libsodium-dev
  libtomlplusplus-dev libspdlog-dev libfmt-dev libcli11-dev libcsv-dev
  libgtest-dev libjemalloc-dev
  # libpq, the PostgreSQL store's client (src/store/postgres), and the
  # PostgreSQL 15 server its tests start on loopback (tests/unit/support/pg_server.h,
  # tests/integration/pg_server.py)
  libpq-dev postgresql-15 postgresql-client-15
  # integration tests and benchmarks; python3-yaml also embeds docs/openapi.yaml
  python3 python3-pytest python3-yaml python3-jsonschema python3-cryptography swaks openssl curl wrk nginx-light postfix
  # swaks --tls (STARTTLS) needs Net::SSLeay, which swaks only recommends
  libnet-ssleay-perl
  # the IMAP structure tests compare with Dovecot's imap process (run on a pipe)
  dovecot-imapd
  # real mail clients the IMAP and POP3 tests drive (tests/integration/test_mbsync.py,
  # test_fetchmail.py, test_mutt.py)
  isync fetchmail mutt
  # the load balancer in front of a node in the cluster tests, and the
  # checkers of deploy/'s keepalived.conf and postern.service
  # (tests/integration/test_haproxy.py)
  haproxy keepalived systemd
  # Not installed on purpose, though named elsewhere: gpg (part of the base
  # image, used by apt's own key handling, by nothing of Postern's), and
  # microsoft-edge-stable, microsoft-edge-beta, microsoft-edge-dev (named
  # only by playwright-core's reinstall_msedge_* scripts in node_modules,
  # which nothing runs: the browser tests drive Debian's chromium).
  # the browser the web UI's tests drive (tests/e2e, playwright-core)
  chromium
)
# scripts/openapi-lint.sh runs npm tools and the web UI builds with them
# (scripts/web-build.sh); a Node.js already installed (from another source,
# often newer) is kept.
if ! command -v node >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  # Postfix asks a question on install; answer it up front. The package is
  # only used for smtp-source/smtp-sink and as a benchmark peer.
  echo "postfix postfix/main_mailer_type select No configuration" | "${sudo_cmd[@]}" debconf-set-selections
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq || true
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The packaged nginx, postfix and postgresql must not hold ports or run as
# services: benchmarks and tests start private instances of them on loopback.
for svc in nginx postfix dovecot postgresql; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" || true
  fi
done
