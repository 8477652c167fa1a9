#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Configure (once) and build kwire into build/ (or $KW_BUILD). Extra arguments go to meson setup.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${KW_BUILD:-$top/build}
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$top" "$@" >&2
fi
ninja -C "$build" >&2
