#!/bin/sh
# Installs the Debian packages that building and testing ember need, when
# they are missing. The core library needs only libc and pthreads; these are
# for the tools and tests:
#   libedit-dev      line editing in the shell
#   libmd-dev        MD5 for sqllogictest result hashes
#   libcmocka-dev    unit tests
#   libsqlite3-dev   SQLite as a differential oracle
#   golang-go        `go tool pprof`, the reader profile tests check against
#   graphviz         `go tool pprof -svg`
#   google-perftools libgoogle-perftools-dev: the native CPU profiler (make profile)
#   zlib1g-dev       gzip reader for checking profiles in tests
set -eu
pkgs="gcc make libedit-dev libmd-dev libcmocka-dev libsqlite3-dev zlib1g-dev
golang-go graphviz google-perftools libgoogle-perftools-dev python3"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >/dev/null || true
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing
