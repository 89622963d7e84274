#!/usr/bin/env bash
# Unpacks the arm64 builds of the libraries PocketLLM links (pcre2, utf8proc, GoogleTest) into a
# private folder for the aarch64 cross build (cmake/toolchain-aarch64.cmake looks there).
# They are only unpacked, never installed: installing arm64 packages would pull in an arm64 libc
# that does not match the cross toolchain's, and threaded programs then hang under qemu.
set -euo pipefail
dest="${1:-build/arm64-deps}"
marker="$dest/.complete"
[ -f "$marker" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64
  $SUDO apt-get update
fi
mkdir -p "$dest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download libpcre2-8-0:arm64 libpcre2-dev:arm64 libutf8proc2:arm64 \
  libutf8proc-dev:arm64 libgtest-dev:arm64)
for deb in "$work"/*.deb; do dpkg -x "$deb" "$dest"; done
touch "$marker"
