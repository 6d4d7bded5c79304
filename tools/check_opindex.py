#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks the operation index of docs/ARCHITECTURE.md (section 6) against
the operation tables of src/daemon/api/: every row of a table is listed
once with its plane, and every listed handler is defined in the file the
index names. Run by `make lint`."""
import glob
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
API = os.path.join(ROOT, "src", "daemon", "api")
ROW = re.compile(r'\{\s*"([A-Za-z0-9]+)",\s*PLANE_(DATA|CONTROL),\s*'
                 r'([a-z_0-9]+)\s*,', re.S)
INDEX = re.compile(r'^\| ([A-Za-z0-9]+) \| (data|control) \| '
                   r'`([a-z_0-9]+\.c)` `([a-z_0-9]+)\(\)` \|$', re.M)


def table_rows():
    rows = {}
    for path in sorted(glob.glob(os.path.join(API, "*.c"))):
        text = open(path, encoding="utf-8").read()
        for m in ROW.finditer(text):
            rows[(m.group(1), m.group(2).lower())] = m.group(3)
    return rows


def main():
    doc = open(os.path.join(ROOT, "docs", "ARCHITECTURE.md"),
               encoding="utf-8").read()
    listed = {}
    bad = []
    for m in INDEX.finditer(doc):
        key = (m.group(1), m.group(2))
        if key in listed:
            bad.append("%s (%s) is listed twice" % key)
        listed[key] = (m.group(3), m.group(4))
    rows = table_rows()
    for key, fn in sorted(rows.items()):
        if key not in listed:
            bad.append("%s (%s) is missing from the index" % key)
        elif listed[key][1] != fn:
            bad.append("%s (%s): the table's handler is %s(), the index"
                       " says %s()" % (key + (fn, listed[key][1])))
    for key, (src, fn) in sorted(listed.items()):
        if key not in rows:
            bad.append("%s (%s) is in the index but in no table" % key)
            continue
        path = os.path.join(API, src)
        text = open(path, encoding="utf-8").read() \
            if os.path.exists(path) else ""
        if not re.search(r'^%s\(' % re.escape(fn), text, re.M):
            bad.append("%s (%s): %s() is not defined in %s" %
                       (key + (fn, src)))
    for line in bad:
        print("docs/ARCHITECTURE.md operation index: " + line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
