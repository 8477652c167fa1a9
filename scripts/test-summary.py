#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Print the suite's closing line from meson's test logs: 'kwire: N passed, N failed'.

usage: test-summary.py BUILD_DIR...   (each holding meson-logs/testlog.json)
A test binary counts once per meson test; a cmocka binary's own cases are in its log.
"""
import json
import sys

passed = failed = 0
for build in sys.argv[1:]:
    with open(f"{build}/meson-logs/testlog.json") as log:
        for line in log:
            result = json.loads(line).get("result")
            if result == "OK":
                passed += 1
            elif result != "SKIP":
                failed += 1
print(f"kwire: {passed} passed, {failed} failed")
sys.exit(1 if failed or not passed else 0)
