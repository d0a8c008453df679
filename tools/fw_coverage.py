#!/usr/bin/env python3
"""Diff of firmware-registered names vs the emulator's, per profile and module.
Usage: fw_coverage.py EMU_BINARY  (prints markdown sections for docs/firmware-coverage.md)"""
import os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
TAGS = {1: "1.5.4.1-master_20161201", 2: "2.2.1-master_20190405", 3: "3.0.0-release_20240225"}
MODS = {
    2: ["file", "node", "tmr", "wifi", "net", "sjson", "encoder", "crypto", "uart", "gpio", "adc", "bit"],
    1: ["file", "node", "tmr", "wifi", "net", "cjson", "encoder", "crypto", "uart", "gpio", "adc", "bit"],
    3: ["file", "node", "tmr", "wifi", "net", "sjson", "encoder", "crypto", "uart", "gpio", "adc", "bit"],
}
FILES = {"wifi": ["app/modules/wifi.c", "app/modules/wifi_eventmon.c"],
         "gpio": ["app/modules/gpio.c"]}
# the emulator names object types by role; the firmware by metatable name
ALIAS = {"<net_socket>": "<net_tcpsocket>", "<net_server>": "<net_tcpserver>",
         "<sjson_encoder>": "<encoder>", "<sjson_decoder>": "<decoder>",
         "<crypto_hash>": "<hash>", "<crypto_hasher>": "<hash>",
         "<sjson_encoder_map>": "<encoder>", "<sjson_decoder_map>": "<decoder>", "<crypto_hash_map>": "<hash>"}
# set at luaopen time rather than in the map (sjson.c pushes NULL itself)
RUNTIME = {("sjson", 2): {"NULL"}, ("sjson", 3): {"NULL"}}

def fw(p, mod):
    r = subprocess.run([sys.executable, f"{HERE}/fw_api_names.py", TAGS[p], mod] + FILES.get(mod, []),
                       capture_output=True, text=True, check=True).stdout.split()
    out = set(RUNTIME.get((mod, p), ()))
    for n in r:
        if n.startswith("<pt_map>"):  # keys of getpartitiontable's result, not API
            continue
        for a, b in ALIAS.items():
            if n.startswith(a): n = b + n[len(a):]
        out.add(n)
    return out

def emu(exe, p, mod):
    r = subprocess.run([os.path.abspath(exe), f"--firmware={p}", "-e", f"EMU_MOD='{mod}'", f"{HERE}/emu_api_names.lua"],
                       capture_output=True, text=True, cwd="/tmp")
    return set(r.stdout.split())

for p in (1, 2, 3):
    print(f"\n## Profile {p} ({TAGS[p]})\n")
    print("| module | missing (firmware has, emulator lacks) | extra (emulator has, firmware lacks) |")
    print("|---|---|---|")
    for m in MODS[p]:
        f, e = fw(p, m), emu(sys.argv[1], p, m)
        bare = {re.sub(r"\[[^\]]*\]", "", x): x for x in f}
        miss = ", ".join(f"`{bare[x]}`" for x in sorted(set(bare) - e)) or "—"
        extra = ", ".join(f"`{x}`" for x in sorted(e - set(bare))) or "—"
        print(f"| {m} | {miss} | {extra} |")
