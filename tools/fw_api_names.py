#!/usr/bin/env python3
"""List the Lua names a NodeMCU firmware tag registers for a module (used to
write docs/firmware-coverage.md). Reads the mirrored firmware git dir; follows
sub-tables (LROVAL / LROT_TABENTRY) so wifi.sta.config appears as 'sta.config'.
Usage: fw_api_names.py TAG MODULE [FILE...]"""
import re, subprocess, sys

GIT = ["git", "--git-dir=/work/.mirror/nodemcu+nodemcu-firmware/repo"]
OLD = re.compile(r'LSTRKEY\(\s*"([^"]+)"\s*\)\s*,\s*(LFUNCVAL|LROVAL|LNUMVAL|LNILVAL|LRO_NUMVAL)\(\s*([^)]*?)\s*\)')
NEW = re.compile(r'LROT_(FUNCENTRY|TABENTRY|NUMENTRY|INTENTRY|FLOATENTRY|LUDENTRY|ENTRY)\(\s*"?([A-Za-z0-9_]+)"?\s*,\s*([^)]*?)\s*\)')

def maps(text):
    """map name -> [(key, kind, value)]; the last map seen is the module's."""
    out, cur, order, conds = {}, None, [], []
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("//"):
            continue
        # build-time switches: an entry inside #ifdef X is reported as name[X]
        if re.match(r'#\s*if', s):
            conds.append(re.sub(r'^#\s*(ifdef|if)\s+', '', s).split('//')[0].replace(' ', '')); continue
        if re.match(r'#\s*else', s) and conds:
            conds[-1] = "!" + conds[-1]; continue
        if re.match(r'#\s*endif', s) and conds:
            conds.pop(); continue
        tag = "".join(f"[{c}]" for c in conds if c not in ("LUA_VERSION_NUM==501", "!LOCAL_LUA"))
        m = re.search(r'LUA_REG_TYPE\s+(\w+?)(?:_map)?\s*\[\]', s) or re.search(r'LROT_(?:PUBLIC_)?BEGIN\(\s*(\w+)', s)
        if m:
            cur = m.group(1); out[cur] = []; order.append(cur); continue
        if cur is None:
            continue
        for k, kind, v in OLD.findall(s):
            out[cur].append((k + tag, kind, re.sub(r'_map$', '', v)))
        for kind, k, v in NEW.findall(s):
            out[cur].append((k + tag, kind, v))
    return out, order

def flatten(allmaps, name, prefix="", seen=()):
    for k, kind, v in allmaps.get(name, []):
        if k.startswith("__"):
            continue
        if kind in ("LROVAL", "TABENTRY") and v in allmaps and v not in seen and v != name:
            yield from flatten(allmaps, v, prefix + k + ".", seen + (name,))
        else:
            yield prefix + k

def main():
    tag, mod, *files = sys.argv[1:]
    files = files or [f"app/modules/{mod}.c"]
    allmaps, order = {}, []
    for f in files:
        text = subprocess.run(GIT + ["show", f"{tag}:{f}"], capture_output=True, text=True).stdout
        m, o = maps(text); allmaps.update(m); order += o
    top = mod if mod in allmaps else order[-1]
    names = set(flatten(allmaps, top))
    # object methods: maps other than the module and its sub-tables
    # (a function may share a map's name: sjson's encoder() and the sjson_encoder_map)
    tables = ("LROVAL", "TABENTRY")
    reach = {top}
    for k, kind, v in allmaps.get(top, []):
        if kind in tables and v in allmaps: reach.add(v)
    for n in order:
        if n not in reach and not any(n == v for o, m in allmaps.items() if o != n and o in reach
                                      for _, kind, v in m if kind in tables):
            names |= {f"<{n}>:{k}" for k, _, _ in allmaps[n] if not k.startswith("__")}
    print("\n".join(sorted(names)))

main()
