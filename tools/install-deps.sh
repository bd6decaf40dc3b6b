#!/usr/bin/env bash
# Installs every Debian 12 package illhub needs to build, run and test.
# Idempotent: when everything is already installed it prints nothing and exits 0.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  asn1c
  libboost1.81-dev
  libpq-dev postgresql-15 postgresql-client-15
  libspdlog-dev libfmt-dev
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libssl-dev openssl
  libgtest-dev libgmock-dev libbenchmark-dev
  libyaz-dev yaz
  clang-14 libclang-rt-14-dev
  graphviz
  gnuplot-nox
  valgrind
  tshark
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# tshark (tests/wireshark) would ask whether non-root users may capture: answer no, before
# apt-get runs, so the install never waits on a question.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
