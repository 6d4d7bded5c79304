#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generate src/gen/model_tables.c from the AWS service models.

Usage: gen_model.py MODELS_DIR OUT_DIR

Reads the botocore-format models of iot-jobs-data 2017-09-29 (PLANE_DATA)
and iot 2015-05-28 (PLANE_CONTROL) and writes OUT_DIR/model_tables.c: the
tables declared in src/gen/model.h. Every operation is emitted, with every
shape reachable from its input, output and errors, plus every shape with the
"exception" trait. Output is deterministic (shapes and operations sorted by
plane then name) so that `make gen-check` can compare it byte for byte.

Only the Python 3 standard library is used. See docs/internals/codegen.md.
"""

import json
import os
import re
import sys

OUTPUT_FILE = "model_tables.c"

# (plane enumerator, model path under MODELS_DIR); order is enum plane order.
MODELS = (
    ("PLANE_DATA", "iot-jobs-data/2017-09-29/service-2.json"),
    ("PLANE_CONTROL", "iot/2015-05-28/service-2.json"),
)
PLANE_TAG = {"PLANE_DATA": "d", "PLANE_CONTROL": "c"}

SHAPE_TYPES = {
    "string": "SHAPE_STRING",
    "boolean": "SHAPE_BOOLEAN",
    "integer": "SHAPE_INTEGER",
    "long": "SHAPE_LONG",
    "double": "SHAPE_DOUBLE",
    "float": "SHAPE_FLOAT",
    "timestamp": "SHAPE_TIMESTAMP",
    "blob": "SHAPE_BLOB",
    "structure": "SHAPE_STRUCTURE",
    "list": "SHAPE_LIST",
    "map": "SHAPE_MAP",
}

LOCATIONS = {
    None: "LOC_BODY",
    "uri": "LOC_URI",
    "querystring": "LOC_QUERY",
    "header": "LOC_HEADER",
    "statusCode": "LOC_STATUS",
}


class ModelError(Exception):
    pass


# --- Java regular expressions to PCRE2 ---------------------------------------
#
# The models carry java.util.regex patterns, matched with Matcher.matches()
# (the whole value). Java's predefined and POSIX classes are ASCII-only by
# default, while PCRE2 compiled with PCRE2_UCP makes \d \w \s Unicode-aware
# and has no \p{Upper}; both are therefore written out as explicit ASCII
# ranges. Java's "." excludes every Java line terminator. Unicode general
# categories (\p{L}, \p{C}, ...) mean the same in both and are kept. Any
# construct not handled below stops the generator rather than being guessed.

MAX_CP = 0x10FFFF
LINE_TERMINATORS = [(0x0A, 0x0A), (0x0D, 0x0D), (0x85, 0x85),
                    (0x2028, 0x2029)]

# Java's POSIX character classes (US-ASCII only by default).
JAVA_POSIX = {
    "Lower": [(0x61, 0x7A)],
    "Upper": [(0x41, 0x5A)],
    "ASCII": [(0x00, 0x7F)],
    "Alpha": [(0x41, 0x5A), (0x61, 0x7A)],
    "Digit": [(0x30, 0x39)],
    "Alnum": [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
    "Punct": [(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
    "Graph": [(0x21, 0x7E)],
    "Print": [(0x20, 0x7E)],
    "Blank": [(0x09, 0x09), (0x20, 0x20)],
    "Cntrl": [(0x00, 0x1F), (0x7F, 0x7F)],
    "XDigit": [(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
    "Space": [(0x09, 0x0D), (0x20, 0x20)],
}

# Java's predefined classes, ASCII-only by default; upper case negates.
JAVA_PREDEFINED = {
    "d": JAVA_POSIX["Digit"],
    "s": [(0x09, 0x0D), (0x20, 0x20)],
    "w": [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
}

# Unicode general categories that PCRE2 knows under the same names.
UNICODE_CATEGORIES = {
    "C", "Cc", "Cf", "Cn", "Co", "Cs",
    "L", "Ll", "Lm", "Lo", "Lt", "Lu",
    "M", "Mc", "Me", "Mn",
    "N", "Nd", "Nl", "No",
    "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps",
    "S", "Sc", "Sk", "Sm", "So",
    "Z", "Zl", "Zp", "Zs",
}

# Escapes with the same meaning in Java and PCRE2.
SAME_ESCAPES = set("tnrfae")


def complement(ranges):
    out = []
    lo = 0
    for a, b in sorted(ranges):
        if a > lo:
            out.append((lo, a - 1))
        lo = max(lo, b + 1)
    if lo <= MAX_CP:
        out.append((lo, MAX_CP))
    return out


def merge(ranges):
    """RANGES sorted, with overlapping and adjacent ranges joined."""
    out = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def class_char(cp):
    """One code point written for use inside a PCRE2 character class."""
    c = chr(cp)
    if c in "\\]^-[":
        return "\\" + c
    if 0x21 <= cp <= 0x7E:
        return c
    if cp <= 0xFF:
        return "\\x%02x" % cp
    return "\\x{%x}" % cp


def class_ranges(ranges):
    out = []
    for a, b in ranges:
        if a == b:
            out.append(class_char(a))
        elif b == a + 1:
            out.append(class_char(a) + class_char(b))
        else:
            out.append(class_char(a) + "-" + class_char(b))
    return "".join(out)


def read_hex(pat, i, ndigits):
    digits = pat[i:i + ndigits]
    if len(digits) != ndigits or any(
            c not in "0123456789abcdefABCDEF" for c in digits):
        raise ModelError("bad hex escape in pattern %r" % pat)
    return int(digits, 16), i + ndigits


def translate_escape(pat, i, in_class):
    """Translates the escape whose letter is at pat[i].

    Returns (kind, text, next index). kind is "ranges" (text is a list of
    code point ranges), "negranges" (the complement is meant) or "text"
    (PCRE2 syntax to copy as is).
    """
    c = pat[i]
    if c in "pP":
        if i + 1 < len(pat) and pat[i + 1] == "{":
            end = pat.find("}", i + 2)
            if end < 0:
                raise ModelError("unterminated \\p{ in pattern %r" % pat)
            name, nxt = pat[i + 2:end], end + 1
        elif i + 1 < len(pat):
            name, nxt = pat[i + 1], i + 2
        else:
            raise ModelError("dangling \\p in pattern %r" % pat)
        if name.startswith("Is") and name[2:] in UNICODE_CATEGORIES:
            name = name[2:]
        if name in UNICODE_CATEGORIES:
            return "text", "\\%s{%s}" % (c, name), nxt
        if name in JAVA_POSIX:
            kind = "ranges" if c == "p" else "negranges"
            return kind, JAVA_POSIX[name], nxt
        raise ModelError("unsupported class \\%s{%s} in pattern %r"
                         % (c, name, pat))
    if c.lower() in JAVA_PREDEFINED:
        kind = "ranges" if c.islower() else "negranges"
        return kind, JAVA_PREDEFINED[c.lower()], i + 1
    if c == "x":
        if i + 1 < len(pat) and pat[i + 1] == "{":
            end = pat.find("}", i + 2)
            if end < 0:
                raise ModelError("unterminated \\x{ in pattern %r" % pat)
            cp = int(pat[i + 2:end], 16)
            return "ranges", [(cp, cp)], end + 1
        cp, nxt = read_hex(pat, i + 1, 2)
        return "ranges", [(cp, cp)], nxt
    if c == "u":
        cp, nxt = read_hex(pat, i + 1, 4)
        return "ranges", [(cp, cp)], nxt
    if c in SAME_ESCAPES:
        return "text", "\\" + c, i + 1
    if c.isdigit() and c != "0" and not in_class:
        return "text", "\\" + c, i + 1  # back reference
    if not c.isalnum() and ord(c) < 0x80:
        return "text", "\\" + c, i + 1  # escaped punctuation
    raise ModelError("unsupported escape \\%s in pattern %r" % (c, pat))


def translate_class(pat, i):
    """Translates the bracket class opening at pat[i] == "[".

    Sets from class escapes (\\p{Upper}, \\w, \\S, ...) are pooled and
    written as one merged run of ranges, so "[\\s\\S]" reads as one range.
    """
    out = ["["]
    pool = []
    i += 1
    if i < len(pat) and pat[i] == "^":
        out.append("^")
        i += 1
    first = True
    while True:
        if i >= len(pat):
            raise ModelError("unterminated class in pattern %r" % pat)
        c = pat[i]
        if c == "]" and not first:
            out.append(class_ranges(merge(pool)))
            out.append("]")
            return "".join(out), i + 1
        if c == "]" or c == "[" or pat.startswith("&&", i):
            raise ModelError("unsupported class syntax in pattern %r" % pat)
        first = False
        if c == "\\":
            if i + 1 >= len(pat):
                raise ModelError("dangling \\ in pattern %r" % pat)
            single = pat[i + 1] in "xu"
            kind, text, i = translate_escape(pat, i + 1, True)
            if kind == "text" or single:
                # may be a range endpoint: keep it in place
                out.append(class_ranges(merge(pool)))
                pool = []
                out.append(class_ranges(text) if kind == "ranges" else text)
            elif kind == "ranges":
                pool.extend(text)
            else:
                pool.extend(complement(text))
            continue
        out.append(class_ranges(merge(pool)))
        pool = []
        out.append(c)
        i += 1


def translate_pattern(pat):
    """Returns PCRE2 text that whole-matches what Java's matches() does.

    The translation is wrapped as \\A(?:...)\\z, so it is anchored on its own:
    a plain pcre2_match() or one with PCRE2_ANCHORED|PCRE2_ENDANCHORED give
    the same answer, and top-level alternations ("a|^b") stay whole.
    """
    out = []
    i = 0
    while i < len(pat):
        c = pat[i]
        if c == "\\":
            if i + 1 >= len(pat):
                raise ModelError("dangling \\ in pattern %r" % pat)
            kind, text, i = translate_escape(pat, i + 1, False)
            if kind == "ranges":
                out.append("[" + class_ranges(text) + "]")
            elif kind == "negranges":
                out.append("[^" + class_ranges(text) + "]")
            else:
                out.append(text)
        elif c == "[":
            text, i = translate_class(pat, i)
            out.append(text)
        elif c == ".":
            out.append("[^" + class_ranges(LINE_TERMINATORS) + "]")
            i += 1
        else:
            out.append(c)
            i += 1
    return "\\A(?:" + "".join(out) + ")\\z"


# --- models ------------------------------------------------------------------

def load_model(path):
    with open(path, encoding="utf-8") as f:
        model = json.load(f)
    proto = model.get("metadata", {}).get("protocol")
    if proto != "rest-json":
        raise ModelError("%s: protocol %r, expected rest-json" % (path, proto))
    return model


def shape_refs(shape):
    """Names of the shapes SHAPE refers to, in model order."""
    refs = [m["shape"] for m in shape.get("members", {}).values()]
    for k in ("member", "key", "value"):
        if k in shape:
            refs.append(shape[k]["shape"])
    return refs


def reachable(model):
    """Names of the shapes to emit for MODEL."""
    shapes = model["shapes"]
    roots = []
    for op in model["operations"].values():
        for k in ("input", "output"):
            if k in op:
                roots.append(op[k]["shape"])
        roots.extend(e["shape"] for e in op.get("errors", []))
    roots.extend(n for n, s in shapes.items() if s.get("exception"))
    seen = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        if name not in shapes:
            raise ModelError("shape %r is referenced but not defined" % name)
        seen.add(name)
        stack.extend(shape_refs(shapes[name]))
    return seen


def split_uri(uri):
    """(path, query literal or None) of an operation's requestUri."""
    path, sep, query = uri.partition("?")
    return path, (query if sep else None)


def number(v):
    """A C constant for a min/max value (stored in a double)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ModelError("bad min/max %r" % (v,))
    if isinstance(v, int) and -2**31 < v < 2**31:
        return str(v)
    return repr(float(v))


# --- C output ----------------------------------------------------------------

def c_escape_tokens(s):
    """S as a list of C string literal pieces, one per character."""
    toks = []
    prev = ""
    for b in s.encode("utf-8"):
        c = chr(b)
        if c == "\\" or c == '"':
            t = "\\" + c
        elif c == "?" and prev == "?":
            t = "\\?"  # never let a trigraph form
        elif 0x20 <= b <= 0x7E:
            t = c
        else:
            t = "\\%03o" % b
        toks.append(t)
        prev = c
    return toks


def c_string(s, indent, room):
    """S as a C string literal, split into adjacent literals if longer than
    ROOM columns; continuation lines start with INDENT."""
    if s is None:
        return "NULL"
    toks = c_escape_tokens(s)
    lit = '"' + "".join(toks) + '"'
    if len(lit) <= room:
        return lit
    width = max(room, 20) - 2
    pieces = []
    cur = ""
    for t in toks:
        if len(cur) + len(t) > width:
            pieces.append('"' + cur + '"')
            cur = ""
        cur += t
    pieces.append('"' + cur + '"')
    return ("\n" + indent).join(pieces)


NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


def check_name(kind, name):
    """Shape and operation names become parts of C identifiers and are
    searched in strcmp order: insist on plain ASCII identifiers."""
    if not NAME_RE.match(name):
        raise ModelError("%s name %r is not an ASCII identifier"
                         % (kind, name))
    return name


def q(s):
    """S as a C string literal on one line."""
    return c_string(s, "", len(s) * 4 + 2)


class Emitter:
    def __init__(self, planes):
        # planes: list of (plane enumerator, model)
        self.planes = planes
        self.index = {}	  # (plane, shape name) -> index
        self.shapes = []  # (plane, name, shape dict)
        self.ops = []	  # (plane, name, op dict)
        for plane, model in planes:
            for name in sorted(reachable(model)):
                check_name("shape", name)
                self.shapes.append((plane, name, model["shapes"][name]))
            for name in sorted(model["operations"]):
                check_name("operation", name)
                self.ops.append((plane, name, model["operations"][name]))
        for i, (plane, name, _) in enumerate(self.shapes):
            self.index[(plane, name)] = i
        self.lines = []

    def out(self, text=""):
        self.lines.append(text)

    def ref(self, plane, name):
        return "%d /* %s */" % (self.index[(plane, name)], name)

    def sym(self, prefix, plane, name):
        return "%s_%s_%s" % (prefix, PLANE_TAG[plane], name)

    def emit_enums(self):
        self.out("/* Enum values, in model order. */")
        for plane, name, shape in self.shapes:
            if "enum" not in shape:
                continue
            self.array_open("static const char *const",
                            self.sym("enum", plane, name))
            self.pack("\t", ["%s," % c_string(v, "\t", 70)
                             for v in shape["enum"]])
            self.out("};")
        self.out()

    def pack(self, indent, frags, first=None):
        """Writes FRAGS, as many to a line as fit in 80 columns, the first
        line after FIRST (default INDENT), the others after INDENT; a
        fragment holding a line break starts a line."""
        lead = indent if first is None else first
        line = ""
        for f in frags:
            width = 80 - 8 * lead.count("\t") - len(lead.replace("\t", ""))
            if line and ("\n" in f or len(line) + 1 + len(f) > width):
                self.out(lead + line)
                lead = indent
                line = ""
            line = f if not line else line + " " + f
            if "\n" in f:
                self.out(lead + line)
                lead = indent
                line = ""
        if line:
            self.out(lead + line)

    def array_open(self, decl, sym):
        """Opens the definition DECL SYM[] = {, on two lines if long."""
        if 8 + len(decl) + len(sym) > 80:
            self.out(decl)
            self.out("%s[] = {" % sym)
        else:
            self.out("%s %s[] = {" % (decl, sym))

    def emit_members(self):
        self.out("/*")
        self.out(" * Structure members, in model order:")
        self.out(" * { name, wire_name, loc, shape, required, "
                 "idempotency_token }")
        self.out(" */")
        for plane, name, shape in self.shapes:
            members = shape.get("members")
            if shape["type"] != "structure" or not members:
                continue
            required = set(shape.get("required", []))
            unknown = required - set(members)
            if unknown:
                raise ModelError("%s: required %s are not members"
                                 % (name, sorted(unknown)))
            self.array_open("static const struct model_member",
                            self.sym("mem", plane, name))
            for mname, m in members.items():
                loc = m.get("location")
                if loc not in LOCATIONS:
                    raise ModelError("%s.%s: location %r"
                                     % (name, mname, loc))
                self.pack("\t", [
                    "{ %s," % q(mname),
                    "%s," % q(m.get("locationName", mname)),
                    "%s," % LOCATIONS[loc],
                    "%s," % self.ref(plane, m["shape"]),
                    "%s," % ("true" if mname in required else "false"),
                    "%s }," % ("true" if m.get("idempotencyToken")
                               else "false")])
            self.out("};")
        self.out()

    def emit_shape(self, i, plane, name, shape):
        t = shape["type"]
        if t not in SHAPE_TYPES:
            raise ModelError("%s: unknown type %r" % (name, t))
        f = [".name = %s," % q(name), ".plane = %s," % plane,
             ".type = %s," % SHAPE_TYPES[t]]
        if "min" in shape:
            f.append(".has_min = true, .min = %s," % number(shape["min"]))
        if "max" in shape:
            f.append(".has_max = true, .max = %s," % number(shape["max"]))
        if "pattern" in shape:
            pat = shape["pattern"]
            f.append(".pattern = %s,"
                     % c_string(translate_pattern(pat), "\t\t\t", 50))
            f.append(".model_pattern = %s," % c_string(pat, "\t\t\t", 44))
        if "enum" in shape:
            f.append(".enums = %s," % self.sym("enum", plane, name))
            f.append(".nenums = %d," % len(shape["enum"]))
        if t == "structure" and shape.get("members"):
            f.append(".members = %s," % self.sym("mem", plane, name))
            f.append(".nmembers = %d," % len(shape["members"]))
        f.append(".list_member = %s,"
                 % (self.ref(plane, shape["member"]["shape"])
                    if t == "list" else "-1"))
        if t == "map":
            f.append(".map_key = %s," % self.ref(plane, shape["key"]["shape"]))
            f.append(".map_value = %s,"
                     % self.ref(plane, shape["value"]["shape"]))
        else:
            f.append(".map_key = -1, .map_value = -1,")
        if shape.get("exception"):
            status = shape.get("error", {}).get("httpStatusCode")
            if not isinstance(status, int):
                raise ModelError("%s: exception without httpStatusCode"
                                 % name)
            f.append(".is_error = true, .error_status = %d," % status)
        f[-1] += " },"
        self.pack("\t\t", f, first="\t[%d] = { " % i)

    def emit_shapes(self):
        self.out("const struct model_shape model_shapes[] = {")
        for i, (plane, name, shape) in enumerate(self.shapes):
            self.emit_shape(i, plane, name, shape)
        self.out("};")
        self.out("const size_t model_nshapes = "
                 "sizeof(model_shapes) / sizeof(model_shapes[0]);")
        self.out()

    def emit_op_errors(self):
        self.out("/* Errors each operation lists, in model order. */")
        for plane, name, op in self.ops:
            errs = op.get("errors", [])
            if not errs:
                continue
            self.array_open("static const int", self.sym("err", plane, name))
            for e in errs:
                shape = self.planes_model(plane)["shapes"][e["shape"]]
                if not shape.get("exception"):
                    raise ModelError("%s: error %s has no exception trait"
                                     % (name, e["shape"]))
            self.pack("\t", ["%s," % self.ref(plane, e["shape"])
                             for e in errs])
            self.out("};")
        self.out()

    def planes_model(self, plane):
        for p, model in self.planes:
            if p == plane:
                return model
        raise KeyError(plane)

    def emit_ops(self):
        self.out("const struct model_op model_ops[] = {")
        for plane, name, op in self.ops:
            http = op["http"]
            path, query = split_uri(http["requestUri"])
            if query is not None:
                self.out("\t/* %s: requestUri also carries ?%s */"
                         % (name, query))
            f = [".name = %s," % q(name), ".plane = %s," % plane,
                 ".method = %s," % q(http["method"]),
                 ".uri = %s," % c_string(path, "\t\t\t", 50),
                 ".input = %s," % (self.ref(plane, op["input"]["shape"])
                                   if "input" in op else "-1"),
                 ".output = %s," % (self.ref(plane, op["output"]["shape"])
                                    if "output" in op else "-1"),
                 ".http_status = %d," % http.get("responseCode", 200)]
            if op.get("errors"):
                f.append(".errors = %s," % self.sym("err", plane, name))
                f.append(".nerrors = %d," % len(op["errors"]))
            f[-1] += " },"
            self.pack("\t\t", f, first="\t{ ")
        self.out("};")
        self.out("const size_t model_nops = "
                 "sizeof(model_ops) / sizeof(model_ops[0]);")

    def render(self):
        o = self.out
        o("/* SPDX-License-Identifier: Apache-2.0 */")
        o("/*")
        o(" * Generated by tools/codegen/gen_model.py from the AWS service "
          "models; do")
        o(" * not edit. Run `make gen` to regenerate. Sources:")
        for plane, model in self.planes:
            md = model["metadata"]
            o(" *   %-13s %s %s (%s)" % (plane, md.get("endpointPrefix"),
                                        md.get("apiVersion"),
                                        md.get("serviceId")))
        o(" * Shapes and operations are sorted by plane, then name "
          "(model_shape_find")
        o(" * and model_op_find rely on it); members, enum values and "
          "errors keep")
        o(" * model order.")
        o(" */")
        o("/* clang-format off */")
        o('#include "gen/model.h"')
        o()
        self.emit_enums()
        self.emit_members()
        self.emit_shapes()
        self.emit_op_errors()
        self.emit_ops()
        return "\n".join(self.lines) + "\n"


def generate(models_dir):
    planes = []
    for plane, rel in MODELS:
        planes.append((plane, load_model(os.path.join(models_dir, rel))))
    return Emitter(planes).render()


def write_file(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="ascii", newline="\n") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: gen_model.py MODELS_DIR OUT_DIR\n")
        return 2
    try:
        text = generate(argv[1])
    except (OSError, ValueError, KeyError, ModelError) as e:
        sys.stderr.write("gen_model.py: %s\n" % e)
        return 1
    os.makedirs(argv[2], exist_ok=True)
    write_file(os.path.join(argv[2], OUTPUT_FILE), text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
