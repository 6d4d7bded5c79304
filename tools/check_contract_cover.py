#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks that the store contract suite covers the store interface: every
X() operation of src/daemon/store/store_ops.h is called as store_<op> by
some tests/contract/*.c file (outside its comments), or is listed in
tests/contract/UNCOVERED (one operation a line, its reason after it; '#'
starts a comment). Names the operations that are neither, and UNCOVERED
entries that name no operation or that a case now covers. Run by
`make unit`."""
import glob
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OPS = os.path.join(ROOT, "src", "daemon", "store", "store_ops.h")
CONTRACT = os.path.join(ROOT, "tests", "contract")
COMMENT = re.compile(r'/\*.*?\*/', re.S)
OP = re.compile(r'^\s*X\(\s*[A-Z_]+\s*,[^,]+,\s*([a-z_0-9]+)\s*,', re.M)


def operations():
    return OP.findall(open(OPS, encoding="utf-8").read())


def uncovered(errors):
    listed = {}
    path = os.path.join(CONTRACT, "UNCOVERED")
    if not os.path.exists(path):
        return listed
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(None, 1)
        if len(parts) < 2:
            errors.append("UNCOVERED:%d: %s has no reason" % (n, parts[0]))
        listed[parts[0]] = n
    return listed


def main():
    errors = []
    ops = operations()
    if not ops:
        print("check_contract_cover: no X() entries in %s" % OPS)
        return 1
    text = ""
    for path in sorted(glob.glob(os.path.join(CONTRACT, "*.c"))):
        text += open(path, encoding="utf-8").read()
    # A name in a comment is no case.
    text = COMMENT.sub(" ", text)
    called = set(re.findall(r'\bstore_([a-z_0-9]+)\s*\(', text))
    listed = uncovered(errors)
    for op in ops:
        if op not in called and op not in listed:
            errors.append("store_%s: no contract case calls it and "
                          "tests/contract/UNCOVERED does not list it" % op)
    for op, n in sorted(listed.items(), key=lambda kv: kv[1]):
        if op not in ops:
            errors.append("UNCOVERED:%d: %s is no store operation" % (n, op))
        elif op in called:
            errors.append("UNCOVERED:%d: %s has a case now: remove the "
                          "line" % (n, op))
    for e in errors:
        print("check_contract_cover: " + e)
    if errors:
        return 1
    print("check_contract_cover: %d store operations, %d with a contract "
          "case, %d listed uncovered" % (len(ops), len(ops) - len(listed),
                                         len(listed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
