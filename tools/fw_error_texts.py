#!/usr/bin/env python3
"""The error texts a firmware tag raises in a module's argument checks, and whether the
emulator's sources for that module hold each one (used for docs/firmware-coverage.md).

Usage: fw_error_texts.py [MODULE...]           (default: net tmr wifi file node uart gpio;
                                                 prints markdown)
       fw_error_texts.py --where TAG MODULE      each text with the C function raising it,
                                                 for reading the checks call by call

Texts are the string literals of luaL_error, luaL_argcheck, luaL_argerror and luaL_typerror
calls in app/modules/<module>*.c at each profile's tag. A text counts as present when the
emulator's sources for the module (src/modules/<module>/, for net also src/core/ip/) contain
it literally, up to its first printf conversion. This finds texts the emulator never raises;
it cannot tell whether a present text is raised in the same case: the Lua tests drive the
emulator with bad arguments for that (tests/lua/*_firmwareN.lua, fixtures/arg_errors.lua).
The firmware's history comes from a local mirror of nodemcu-firmware (GIT below)."""
import os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GIT = ["git", "--git-dir=/work/.mirror/nodemcu+nodemcu-firmware/repo"]
TAGS = {1: "1.5.4.1-master_20161201", 2: "2.2.1-master_20190405", 3: "3.0.0-release_20240225"}
SOURCES = {"wifi": ["app/modules/wifi.c", "app/modules/wifi_eventmon.c"],
           "net": ["app/modules/net.c"]}
EMU_DIRS = {"net": ["src/modules/net", "src/core/ip"]}
# luaL_error(L, "x", ...): the format, its first literal; luaL_argcheck(L, c, n, "x"),
# luaL_argerror(L, n, "x"), luaL_typerror(L, n, "x"): the message, the call's last literal
# (a condition may hold one of its own: sizeof("AA:BB:CC:DD:EE:FF")).
CALL = re.compile(r'luaL_(error|argcheck|argerror|typerror)\s*\(')
LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')


FUNCTION = re.compile(r'^(?:static\s+)?(?:int|void|bool)\s+(\w+)\s*\([^;]*?\)\s*\{', re.M)


def call_texts(source, where=False):
    defines = dict(re.findall(r'#\s*define\s+(\w+)\s+"((?:[^"\\]|\\.)*)"', source))
    for m in CALL.finditer(source):
        depth, i, commas = 1, m.end(), []
        while i < len(source) and depth:
            c = source[i]
            if c == '"':
                i = LITERAL.match(source, i).end()
                continue
            depth += (c == "(") - (c == ")")
            if c == "," and depth == 1:
                commas.append(i)
            i += 1
        args = source[m.end():i - 1]
        if m.group(1) == "error":
            literals = LITERAL.findall(args)
        else:  # the message is the last argument: a literal or a #define of one
            last = source[(commas[-1] + 1 if commas else m.end()):i - 1].strip()
            literals = LITERAL.findall(last) or ([defines[last]] if last in defines else [])
        if literals:
            if where:
                inside = [f.group(1) for f in FUNCTION.finditer(source, 0, m.start())]
                yield literals[0], m.group(1), inside[-1] if inside else "?"
            else:
                yield literals[0]


def firmware_sources(tag, module):
    for path in SOURCES.get(module, [f"app/modules/{module}.c"]):
        source = subprocess.run(GIT + ["show", f"{tag}:{path}"], capture_output=True, text=True).stdout
        yield re.sub(r"//[^\n]*|/\*.*?\*/", "", source, flags=re.S)


def firmware_texts(tag, module):
    texts = set()
    for source in firmware_sources(tag, module):
        texts |= {text for text in call_texts(source) if text.strip()}
    return texts


def emulator_source(module):
    parts = []
    for folder in EMU_DIRS.get(module, [f"src/modules/{module}"]):
        for base, _, files in os.walk(os.path.join(ROOT, folder)):
            for name in files:
                with open(os.path.join(base, name), encoding="utf-8", errors="replace") as f:
                    parts.append(f.read())
    return "\n".join(parts)


def present(text, source):
    probe = text.split("%")[0].replace('\\"', '"')
    return len(probe) < 3 or probe in source


def where(tag, module):
    for source in firmware_sources(TAGS.get(int(tag), tag) if tag.isdigit() else tag, module):
        for text, call, function in call_texts(source, where=True):
            print(f"{function}\tluaL_{call}\t{text}")


def main():
    if sys.argv[1:2] == ["--where"]:
        return where(*sys.argv[2:4])
    modules = sys.argv[1:] or ["net", "tmr", "wifi", "file", "node", "uart", "gpio"]
    print("| module | profile | texts | not in the emulator's sources |")
    print("|---|---|---|---|")
    for module in modules:
        source = emulator_source(module)
        for profile, tag in TAGS.items():
            texts = firmware_texts(tag, module)
            missing = sorted(t for t in texts if not present(t, source))
            shown = ", ".join(f"`{t}`" for t in missing) or "—"
            print(f"| {module} | {profile} | {len(texts)} | {shown} |")


main()
