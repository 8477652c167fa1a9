#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Configure and build kwire into build/ (or $KW_BUILD). Arguments are meson options: given to
# `meson setup` the first time, to `meson configure` after that.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${KW_BUILD:-$top/build}
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$top" "$@" >&2
elif [ $# -gt 0 ]; then
    meson configure "$build" "$@" >&2
fi
ninja -C "$build" >&2
