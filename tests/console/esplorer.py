#!/usr/bin/env python3
"""ESPlorer against the --serial pty. ESPlorer (github.com/4refr0nt/ESPlorer) is a Java GUI, so
this replays what its source sends and waits for, byte for byte, with the same pacing rules:
- connect: CR LF, the first answer must contain "\\r\\n>" (NodeMCU detected), then =node.heap();
- "Save to ESP" (smart mode, the default): each line trimmed, CR LF, the next one only once the
  line's echo is back (after removing '>> ', '>>' and '\\r\\n> '); dofile() after it;
- "Save to ESP" in turbo mode: uart.setup without echo, uart.on("data", "\\r") receiving 254-char
  pieces each answered by '> ', ESP_cmd_close, '--Done--';
- "Reload" (file list): the _dir function joined into pieces of at most 250 characters, each
  sent with CR, then the ~~~File list START~~~/END~~~ block parsed as ESPlorer parses it;
- "Download"/"View": the _dl function, 1024-byte packets between ~~~DATA-...~~~ markers with
  ESPlorer's checksum;
- the FS info, heap, chip id, dofile and restart buttons.
Usage: esplorer.py path/to/nodemcu-emu   (prints "N passed, N failed"; exits 1 on a failure)"""

import os
import re
import select
import time

from serial_lib import HERE, TIMEOUT, Checks, Flash, Wire, emulator_path, start_serial

# A file as a user types it in ESPlorer's editor: indentation, long brackets, quotes, an empty
# line, a line of 200 characters, a comment.
SOURCE = "\n".join([
    "-- saved by ESPlorer",
    "local t = { 'single', \"double\", [[long]] }",
    "   local indented = 1",
    "",
    "local s = 'closing ]] and ]=] inside'",
    "x = " + "1 + " * 49 + "1",
    "print('loaded', #t, indented, s, x)",
]) + "\n"


class Esplorer:
    """ESPlorer's side of the line: its senders and readers, one exchange at a time."""

    def __init__(self, wire):
        self.wire = wire
        self.transcript = b""

    def read_chunk(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([self.wire.fd], [], [], left)
        if not ready:
            return None
        data = os.read(self.wire.fd, 4096)
        self.transcript += data
        return data

    def send(self, text):
        data = text.encode("latin-1")
        self.transcript += b"\xbb" + data  # marks what the tool sent, for the transcript
        self.wire.send(data)

    def btn_send(self, command, until=b"> "):
        """btnSend: the command with CR LF; returns what came up to the prompt."""
        self.send(command + "\r\n")
        return self.read_until(until)

    def read_until(self, marker):
        deadline, got = time.monotonic() + TIMEOUT, b""
        while marker not in got:
            chunk = self.read_chunk(deadline)
            if chunk is None:
                break
            got += chunk
        return got

    def connect(self):
        """CheckComm: an empty line (CR LF) until the answer holds '\\r\\n>'."""
        self.send("\r\n")
        return self.read_until(b"> ")

    def smart_send(self, lines):
        """SendTimerStart in smart mode with PortExtraReader: every line trimmed and sent with
        CR LF; the next only when the cleaned answer contains the trimmed line. False if an echo
        never came."""
        for line in lines:
            self.send(line.strip() + "\r\n")
            received, deadline = "", time.monotonic() + TIMEOUT
            while line.strip() not in received:
                chunk = self.read_chunk(deadline)
                if chunk is None:
                    return False
                data = chunk.decode("latin-1")
                for junk in (">> ", ">>", "\r\n> "):
                    data = data.replace(junk, "")
                received += data.replace("\r\n\r\n", "\r\n")
        # The last line's answer (its output, the prompt) follows its echo, unless it came with it.
        if not self.transcript.endswith(b"> "):
            self.read_until(b"> ")
        return True

    def save(self, name, text, run=False):
        """nodeSaveFileESP: the smart mode's lines."""
        lines = [f'file.remove("{name}");', "open = file.open or io.open;",
                 f'fh = open("{name}","w+");', 'w = function (s) fh:write(s) fh:write("\\n") end;\r\n']
        lines += [f"w([==[{line}]==]);" for line in re.split(r"\r?\n", text)]
        lines.append("fh:flush();fh:close();")
        if run:
            lines.append(f'dofile("{name}");')
        return self.smart_send(lines)

    def prompt_send(self, pieces, last_prompts=1):
        """The senders that wait for '> ' after each piece sent with CR (turbo mode, file list,
        download); False if one never came. ESPlorer stops at the first prompt after the last
        piece; the test also waits for the `last_prompts` that piece makes in all, so that none
        is left for the next exchange."""
        for piece in pieces:
            self.send(piece + "\r")
            mark = len(self.transcript)
            if b"> " not in self.read_until(b"> "):
                return False
        while self.transcript[mark:].count(b"> ") < last_prompts:
            if b"> " not in self.read_until(b"> "):
                return False
        return True

    def save_turbo(self, name, text, speed=115200):
        """nodeSaveFileESPTurbo: echo off, a uart.on('data', '\\r') receiver, 254-char pieces."""
        pieces = [
            f'local FILE="{name}" file.remove(FILE) open=file.open or io.open; fh = open(FILE,"w+") '
            f"uart.setup(0,{speed},8,0,1,0)",
            "ESP_Receiver=function(rcvBuf) if string.match(rcvBuf,\"^ESP_cmd_close\")==nil then "
            "fh:write(string.gsub(rcvBuf, '\\r', '')) uart.write(0, \"> \") else uart.on(\"data\") ",
            "fh:flush() fh:close() fh=nil open=nil FILE=nil rcvBuf=nil ESP_Receiver=nil "
            f"uart.setup(0,{speed},8,0,1,1) str=\"\\r\\n--Done--\\r\\n> \" print(str) str=nil "
            "collectgarbage() end end uart.on(\"data\",'\\r',ESP_Receiver,0)",
        ]
        pos = 0
        while pos <= len(text):
            pieces.append(text[pos:pos + 254])
            pos += 254
        pieces += ["ESP_cmd_close", "\r\n"]
        # The last piece, CR LF and CR, is two empty lines: two prompts.
        return self.prompt_send(pieces, last_prompts=2)

    @staticmethod
    def cmd_prep(cmd):
        """cmdPrep: lines trimmed and joined with spaces into pieces of at most 250 characters
        (a piece that would grow past that ends with CR and the line starts the next one)."""
        pieces = [""]
        for line in cmd.split("\n"):
            if len(pieces[-1]) + len(line.strip()) <= 250:
                pieces[-1] += " " + line.strip()
            else:
                pieces[-1] += "\r"
                pieces.append(line)
        return pieces

    def file_list(self):
        """FileListReload: the _dir function, then the block between the markers parsed as
        PortNodeFilesReader does. Returns {name: size}, or None."""
        cmd = ("_dir=function()\n     local k,v,l\n     print(\"~~~File \"..\"list START~~~\")\n"
               "     for k,v in pairs(file.list()) do \n          l = string.format(\"%-15s\",k) \n"
               "          print(l..\" : \"..v..\" bytes\") \n     end \n"
               "     print(\"~~~File \"..\"list END~~~\")\nend\n_dir()\n_dir=nil")
        mark = len(self.transcript)
        if not self.prompt_send(self.cmd_prep(cmd)):
            return None
        rx = self.transcript[mark:].decode("latin-1")
        if "~~~File list END~~~" not in rx:
            return None
        start = rx.index("~~~File list START~~~")
        block = rx[start + 23:rx.index("~~~File list END~~~")]
        files = {}
        for row in sorted(re.split(r"\r?\n", block)):
            parts = row.split(":")
            if parts[0].strip():
                files[parts[0].strip()] = int(parts[1].strip().split(" ")[0])
        return files

    def download(self, name, size):
        """FileDownload: the _dl function's packets, each checked with ESPlorer's checksum;
        the file's bytes, or None."""
        cmd = ("_dl=function()   local open=file.open or io.open"
               f"  local fh = open(\"{name}\", \"r\")\n"
               "  local buf   local i=0   local checksum\n"
               "  repeat      buf = fh:read(1024)      if buf ~= nil then           i = i + 1 "
               "          checksum = 0           for j=1, string.len(buf) do\n"
               "               checksum = checksum + (buf:byte(j)*20)%19           end "
               "          buf='~~~'..'DATA-START~~~'..buf..'~~~'..'DATA-LENGTH~~~'..string.len(buf)"
               "..'~~~'..'DATA-N~~~'..i..'~~~'..'DATA-CRC~~~'..checksum..'~~~'..'DATA-END~~~'\n"
               "          uart.write(0,buf)      end      if tmr.wdclr then tmr.wdclr() end "
               "  until(buf == nil)   fh:close()\n"
               "  buf='~~~'..'DATA-TOTAL-START~~~'..i..'~~~'..'DATA-TOTAL-END~~~'\n"
               "  uart.write(0,buf) end _dl() _dl=nil\n")
        mark = len(self.transcript)
        lines = re.split(r"\r?\n", cmd)
        lines = lines[:-1] if lines[-1] == "" else lines
        if not self.prompt_send(lines):
            return None
        if b"DATA-TOTAL-END~~~" not in self.transcript[mark:]:
            self.read_until(b"DATA-TOTAL-END~~~")
        raw = self.transcript[mark:]
        packet = re.compile(rb"~~~DATA-START~~~(.*?)~~~DATA-LENGTH~~~(\d+)~~~DATA-N~~~(\d+)"
                            rb"~~~DATA-CRC~~~(\d+)~~~DATA-END~~~", re.S)
        data, n = b"", 0
        for m in packet.finditer(raw):
            n += 1
            body = m.group(1)
            if int(m.group(3)) != n or len(body) != int(m.group(2)):
                return None
            if sum((b * 20) % 19 for b in body) != int(m.group(4)):
                return None
            data += body
        if n != (size + 1023) // 1024 or f"DATA-TOTAL-START~~~{n}~~~".encode() not in raw:
            return None
        return data


def main():
    exe = emulator_path()
    checks = Checks()
    flash = Flash(os.path.join(HERE, "flash"))
    emu, link = start_serial(exe, flash)
    checks.watch(emu)
    if not checks.check("--serial=PATH links the pty once the device is at its prompt", link):
        flash.remove()
        return checks.finish()
    wire = Wire(link)
    tool = Esplorer(wire)
    try:
        got = tool.connect()
        checks.check("connect: the answer to CR LF holds '\\r\\n>' (NodeMCU firmware detected)",
                     b"\r\n>" in got, f"got {got!r}")
        got = tool.btn_send("=node.heap()")
        checks.check("then =node.heap() answers a number and the prompt",
                     re.fullmatch(rb"=node\.heap\(\)\r\n\d+\r\n> ", got) is not None, f"got {got!r}")

        mark = len(tool.transcript)
        ok = tool.save("esp.lua", SOURCE, run=True)
        checks.check("smart save: every line's echo comes back, so every line is sent", ok,
                     tool.transcript[mark:][-400:])
        want = "".join(line + "\n" for line in SOURCE.split("\n"))
        with open(flash.path("esp.lua"), "rb") as f:
            saved = f.read().decode()
        checks.check("smart save: the file in --fs is the editor's lines (indentation kept inside "
                     "w()'s long brackets), each ended by w()'s newline", saved == want,
                     f"got {saved!r}\nwant {want!r}")
        sent = tool.transcript[mark:]
        checks.check("smart save's dofile runs the saved file",
                     b"loaded\t3\t1\tclosing ]] and ]=] inside\t50" in sent, sent[-300:])
        smart_session = tool.transcript[mark:]

        mark = len(tool.transcript)
        ok = tool.save_turbo("turbo.lua", SOURCE * 3)
        got = tool.transcript[mark:]
        checks.check("turbo save: each 254-char piece is answered by '> ', then '--Done--'",
                     ok and b"--Done--" in got, got[-400:])
        with open(flash.path("turbo.lua"), "rb") as f:
            saved = f.read().decode()
        checks.check("turbo save: the file is the editor's text exactly (indentation kept)",
                     saved == SOURCE * 3, f"got {saved!r}")
        got = tool.btn_send("=1+1")
        checks.check("after turbo mode the console echoes again", got == b"=1+1\r\n2\r\n> ",
                     f"got {got!r}")

        mark = len(tool.transcript)
        files = tool.file_list()
        on_disk = {n: os.path.getsize(flash.path(n)) for n in os.listdir(flash.dir)}
        checks.check("Reload: the ~~~File list~~~ block parses to every file and its size",
                     files == on_disk, f"got {files!r}, flash {on_disk!r}")
        list_session = tool.transcript[mark:]

        size = os.path.getsize(flash.path("turbo.lua"))
        mark = len(tool.transcript)
        data = tool.download("turbo.lua", size)
        with open(flash.path("turbo.lua"), "rb") as f:
            checks.check("Download: every 1024-byte packet passes ESPlorer's checksum and the "
                         "file comes back byte-identical", data == f.read(), f"got {data!r}")

        got = tool.btn_send('r,u,t=file.fsinfo() print("Total : "..t.." bytes\\r\\nUsed  : "..u..'
                            '" bytes\\r\\nRemain: "..r.." bytes\\r\\n") r=nil u=nil t=nil')
        m = re.search(rb"Total : (\d+) bytes\r\nUsed  : (\d+) bytes\r\nRemain: (\d+) bytes\r\n", got)
        checks.check("FS info: the three lines, CR LF ended (the UART drops the script's CR)",
                     m is not None and int(m.group(1)) == int(m.group(2)) + int(m.group(3)),
                     f"got {got!r}")
        got = tool.btn_send("=node.chipid()")
        checks.check("Chip Id", re.fullmatch(rb"=node\.chipid\(\)\r\n\d+\r\n> ", got) is not None,
                     f"got {got!r}")
        got = tool.btn_send('dofile("esp.lua")')
        checks.check("dofile from the file's menu runs it",
                     b"loaded\t3\t1\tclosing ]] and ]=] inside\t50\r\n> " in got, f"got {got!r}")
        got = tool.btn_send("node.restart()", until=b"powered by Lua 5.")
        if b"powered by Lua 5." in got and not got.endswith(b"> "):
            got += tool.read_until(b"> ")  # the prompt, unless it came with the banner
        checks.check("Reset (node.restart()): the banner ESPlorer looks for, then the prompt",
                     b"powered by Lua 5." in got and got.endswith(b"> "), f"got {got!r}")
        got = tool.btn_send("=node.heap()")
        checks.check("the console answers after the restart",
                     re.fullmatch(rb"=node\.heap\(\)\r\n\d+\r\n> ", got) is not None, f"got {got!r}")
        if os.environ.get("ESPLORER_TRANSCRIPT"):
            with open(os.environ["ESPLORER_TRANSCRIPT"], "wb") as f:
                f.write(smart_session + b"\n----\n" + list_session)
    finally:
        wire.close()
        status = checks.finish()
        flash.remove()
    return status


if __name__ == "__main__":
    raise SystemExit(main())
