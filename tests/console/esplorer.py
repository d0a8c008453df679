#!/usr/bin/env python3
"""ESPlorer (the Java IDE for NodeMCU, 4refr0nt/ESPlorer, serial port through jSSC 2.9.4) against
the --serial pty, replayed byte for byte: what ESPlorer writes, and how it reads the answers
(jSSC hands it whatever has arrived when its event thread polls, and each of its readers decides
from those pieces when to send the next line). ESPlorer is a GUI that cannot run here; this
replays its exchanges from its source:

- open: jSSC's termios, TIOCEXCL; the firmware probe (an empty line; the first piece read must
  contain "\\r\\n>"), then "=node.heap()";
- "Save to ESP" (smart mode): file.remove/open/w(...) per line, each sent when the echo of the
  previous one came back (after stripping the prompts as ESPlorer does); the file in the flash
  folder is what the board would hold; "AutoRun" runs it; a line too long for the firmware's
  line buffer (244 characters and more) is lost as on a board;
- a file's "View" (a _view function through "Send to ESP");
- "Send to ESP": a block of lines with an unfinished statement (">> " prompts);
- "Save to ESP" in "Turbo Mode": the uart.on('data', '\\r') receiver, 254-byte pieces, "> " acks,
  ESP_cmd_close, "--Done--";
- "Reload" (file list: its _dir function, the START/END block parsed as ESPlorer parses it), then
  the FS info line it sends after;
- "Upload..." (binary, 250-byte packets to a uart.on('data', n) receiver, checksums back) and a
  file's "Download" (_dl: packets with lengths and checksums), every byte value;
- the buttons: Heap, Chip ID, dofile, Reset (node.restart(): banner and prompt come back);
- close: TIOCNXCL, the port opens again.

Waits are bounded (TIMEOUT); the only pauses are ESPlorer's own 10 ms between an answer and the
next line. ESPLORER_TRANSCRIPT=FILE writes the bytes seen on the pty (docs/console.md shows one).
Usage: esplorer.py path/to/nodemcu-emu   (prints "N passed, N failed"; exits 1 on a failure)"""

import errno
import fcntl
import os
import re
import select
import termios
import time

from serial_lib import TIMEOUT, serial_session

DELAY = 0.010  # ESPlorer's "Delay" slider at 0: 10 ms between an answer and the next line
SPEED = 115200  # the baud rate ESPlorer puts into uart.setup() in Turbo Mode
JAVA_BLANK = "".join(chr(c) for c in range(0x21))  # what String.trim() strips

# The file ESPlorer's editor holds, saved with "Save to ESP": long-string brackets, both quotes,
# leading and trailing blanks, an empty line; two newlines at the end (ESPlorer's split drops
# the trailing empty lines).
SCRIPT = ("-- saved by ESPlorer\n"
          "local t = {[[a]], \"b\", 'c'}  -- ]] and quotes\n"
          "    indented = \"four spaces\"\n"
          "\n"
          "\tlocal tabbed = 1   \n"
          "print(\"saved:\", #t, indented, [=[x]]y]=])\n\n")
SCRIPT_ON_FLASH = ("-- saved by ESPlorer\n"
                   "local t = {[[a]], \"b\", 'c'}  -- ]] and quotes\n"
                   "    indented = \"four spaces\"\n"
                   "\n"
                   "\tlocal tabbed = 1   \n"
                   "print(\"saved:\", #t, indented, [=[x]]y]=])\n")


def java_trim(s):
    return s.strip(JAVA_BLANK)


def java_split(text, pattern):
    """String.split(regex): trailing empty strings are dropped (a text with no match stays one)."""
    parts = re.split(pattern, text)
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return parts


def cmd_prep(cmd):
    """ESPlorer's cmdPrep: the lines of a command joined (trimmed, after a space) into pieces of
    at most 250 characters; every piece but the last ends in "\\r"."""
    pieces = [""]
    for sub in java_split(cmd, "\n"):
        if len(pieces[-1]) + len(java_trim(sub)) <= 250:
            pieces[-1] += " " + java_trim(sub)
        else:
            pieces[-1] += "\r"
            pieces.append(sub)
    return pieces


def checksum(data):
    """The checksum ESPlorer's upload and download exchange: sum of (byte * 20) % 19."""
    return sum((b * 20) % 19 for b in data)


class Port:
    """The port as jSSC opens it and as ESPlorer sees it: writeString/writeBytes, and
    readString(n) of the n bytes that have arrived when the event thread polls FIONREAD."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NDELAY)
        fcntl.ioctl(self.fd, termios.TIOCEXCL)
        fcntl.fcntl(self.fd, fcntl.F_SETFL, fcntl.fcntl(self.fd, fcntl.F_GETFL) & ~os.O_NDELAY)
        self.transcript = []  # ("<" sent by ESPlorer | ">" read by ESPlorer, bytes)
        self.params_ok = self.set_params()

    def set_params(self):
        """jSSC's setParams(115200, 8, 1, NONE, RTS, DTR): its termios changes, then RTS/DTR
        through TIOCMGET/TIOCMSET, whose failure makes it return false."""
        attrs = termios.tcgetattr(self.fd)
        iflag, oflag, cflag, lflag, _, _, cc = attrs
        cflag = (cflag & ~termios.CSIZE) | termios.CS8
        cflag &= ~(termios.CSTOPB | termios.CRTSCTS | termios.PARENB | termios.PARODD)
        cflag |= termios.CREAD | termios.CLOCAL
        lflag &= ~(termios.ICANON | termios.ECHO | termios.ECHOE | termios.ECHOK | termios.ECHONL |
                   termios.ECHOCTL | termios.ECHOPRT | termios.ECHOKE | termios.ISIG | termios.IEXTEN)
        iflag &= ~(termios.IXON | termios.IXOFF | termios.IXANY | termios.INPCK | termios.IGNPAR |
                   termios.PARMRK | termios.ISTRIP | termios.IGNBRK | termios.BRKINT | termios.INLCR |
                   termios.IGNCR | termios.ICRNL | termios.IUCLC)
        oflag &= ~termios.OPOST
        cc[termios.VMIN] = 0
        cc[termios.VTIME] = 0
        termios.tcsetattr(self.fd, termios.TCSANOW,
                          [iflag, oflag, cflag, lflag, termios.B115200, termios.B115200, cc])
        try:
            fcntl.ioctl(self.fd, termios.TIOCMGET, b"\0\0\0\0")
        except OSError:
            return False
        return True

    def write(self, data):
        data = data.encode("latin-1") if isinstance(data, str) else data
        self.transcript.append(("<", data))
        os.write(self.fd, data)

    def read(self, timeout):
        """The next piece ESPlorer's listener gets, or None after `timeout` s."""
        ready, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not ready:
            return None
        data = os.read(self.fd, 4096)
        self.transcript.append((">", data))
        return data

    def read_until(self, suffix, timeout=TIMEOUT):
        """Everything up to `suffix` (the terminal of ESPlorer shows it; the test reads it all)."""
        return self.settle(self.mark(), suffix, timeout)

    def mark(self):
        return len(self.transcript)

    def since(self, mark):
        return b"".join(data for direction, data in self.transcript[mark:] if direction == ">")

    def settle(self, mark, suffix, timeout=TIMEOUT):
        """Reads until what came since `mark` ends with `suffix` (an operation's last prompt, which
        ESPlorer's reader may or may not have seen before it finished); returns what came."""
        deadline = time.monotonic() + timeout
        while not self.since(mark).endswith(suffix):
            if self.read(deadline - time.monotonic()) is None:
                break
        return self.since(mark)

    def close(self):
        fcntl.ioctl(self.fd, termios.TIOCNXCL)
        os.close(self.fd)


class ESPlorer:
    """ESPlorer's senders and readers, one method per feature, in the order its code runs."""

    def __init__(self, port):
        self.port = port

    def btn_send(self, cmd, until=b"> "):
        """btnSend: the command with CR LF (OptionNodeMCU); the terminal shows the answer."""
        self.port.write(cmd + "\r\n")
        return self.port.read_until(until)

    def check_comm(self):
        """CheckComm/PortReader: with nothing heard from the device 3 s after opening, ESPlorer
        sends an empty line (here at once: the device has nothing to say). The first piece read
        decides: "\\r\\n>>>" MicroPython, "\\r\\n>" NodeMCU (then "=node.heap()"), "\\r\\nERR" AT."""
        self.port.write("\r\n")
        first = self.port.read(TIMEOUT) or b""
        if b"\r\n>>>" in first:
            return "MicroPython", first
        if b"\r\n>" in first:
            return "NodeMCU", first
        if b"\r\nERR" in first:
            return "AT", first
        return None, first

    def run_sender(self, items, form, reader, last_answer_ends=True):
        """SendTimerStart and its kin: a one-shot timer sends item j DELAY after the answer to
        item j-1; the serial listener `reader(piece, j)` says when an answer came ("answer") or
        that the operation ended ("stop"). An answer that comes while the next item is still
        pending is dropped, as ESPlorer's `timer.isRunning() || sendPending` drops it; an answer
        once j is the last item ends the operation (StopSend: even before that item went out),
        unless `last_answer_ends` is False (the file list and download readers only stop their
        timer there and listen on). Returns True when it ended so, False on timeout."""
        j = 0
        send_at = time.monotonic() + DELAY
        deadline = time.monotonic() + TIMEOUT * max(1, len(items) // 20)
        while True:
            now = time.monotonic()
            if send_at is not None and now >= send_at:
                self.port.write(form(items[j]))
                send_at = None
                continue
            wait = deadline - now if send_at is None else min(send_at, deadline) - now
            piece = self.port.read(wait)
            if piece is None:
                if time.monotonic() >= deadline:
                    return False
                continue
            event = reader(piece, j)
            if event == "stop":
                return True
            if event == "answer":
                if j >= len(items) - 1:
                    if last_answer_ends:
                        return True
                    continue
                if send_at is None:
                    j += 1
                    send_at = time.monotonic() + DELAY

    def send_smart(self, items):
        """"Smart mode" (SendTimerStart + PortExtraReader): each item trimmed, with CR LF; the
        next goes once the pieces read, with ">> ", ">>", "\\r\\n> " removed and "\\r\\n\\r\\n"
        made "\\r\\n" (piece by piece), contain the trimmed item. "powered by Lua 5." means the
        module rebooted: ESPlorer stops with an error."""
        state = {"rcv": "", "reboot": False}

        def reader(piece, j):
            data = piece.decode("latin-1")
            data = data.replace(">> ", "").replace(">>", "").replace("\r\n> ", "")
            data = data.replace("\r\n\r\n", "\r\n")
            state["rcv"] += data
            if java_trim(items[j]) in state["rcv"]:
                state["rcv"] = ""
                return "answer"
            if "powered by Lua 5." in state["rcv"]:
                state["reboot"] = True
                return "stop"
            return None

        done = self.run_sender(items, lambda item: java_trim(item) + "\r\n", reader)
        return done and not state["reboot"]

    def save_to_esp(self, name, text, autorun):
        """nodeSaveFileESP: the file written with w([==[line]==]) per line of the editor."""
        items = [f'file.remove("{name}");', "open = file.open or io.open;",
                 f'fh = open("{name}","w+");', 'w = function (s) fh:write(s) fh:write("\\n") end;\r\n']
        items += ["w([==[" + line + "]==]);" for line in java_split(text, "\r?\n")]
        items.append("fh:flush();fh:close();")
        if autorun:
            items.append(f'dofile("{name}");')
        return self.send_smart(items)

    def send_to_esp(self, text):
        """"Send to ESP" (SendToESP): the editor's lines, as typed."""
        return self.send_smart(java_split(text, "\r?\n"))

    def view(self, name):
        """ViewFile (a file's View, the click on a text file): a _view function in cmdPrep pieces
        through "Send to ESP"; the terminal shows the file between two marker lines."""
        cmd = ("_view=function()\n"
               "local _line\n"
               "local open = file.open or io.open\n"
               f"local fh = open(\"{name}\",\"r\")\n"
               "if fh then \n"
               "    print(\"--FileView start\")\n"
               "    repeat _line = fh:read(1024) \n"
               "        if (_line~=nil) then \n"
               "            uart.write(0, _line) \n"
               "        end \n"
               "    until _line==nil\n"
               "    fh:close() \n"
               "    print(\"--FileView done.\") \n"
               "else\n"
               "  print(\"\\r--FileView error: can't open file\")\n"
               "end\n"
               "end\n"
               "_view()\n"
               "_view=nil\n")
        return self.send_smart(cmd_prep(cmd))

    def save_turbo(self, name, text, autorun):
        """nodeSaveFileESPTurbo + SendTurboTimerStart + PortTurboReader: items with CR only,
        untrimmed; the next goes once "> " was read."""
        items = [f'local FILE="{name}" file.remove(FILE) open=file.open or io.open; '
                 f'fh = open(FILE,"w+") uart.setup(0,{SPEED},8,0,1,0)',
                 "ESP_Receiver=function(rcvBuf) if string.match(rcvBuf,\"^ESP_cmd_close\")==nil then "
                 "fh:write(string.gsub(rcvBuf, '\\r', '')) uart.write(0, \"> \") else uart.on(\"data\") ",
                 "fh:flush() fh:close() fh=nil open=nil FILE=nil rcvBuf=nil ESP_Receiver=nil "
                 f"uart.setup(0,{SPEED},8,0,1,1) str=\"\\r\\n--Done--\\r\\n> \" print(str) str=nil "
                 "collectgarbage() end end uart.on(\"data\",'\\r',ESP_Receiver,0)"]
        pos = 0
        while pos <= len(text):  # a text of 254 * k characters ends with an empty piece
            items.append(text[pos:pos + 254])
            pos += 254
        items += ["ESP_cmd_close", "\r\n"]
        if autorun:
            items.append(f'dofile("{name}")')
        state = {"rcv": ""}

        def reader(piece, _j):
            state["rcv"] += piece.decode("latin-1")
            if "> " in state["rcv"]:
                state["rcv"] = ""
                return "answer"
            return None

        return self.run_sender(items, lambda item: item + "\r", reader)

    def list_files(self):
        """NodeListFiles + PortNodeFilesReader: the _dir function in cmdPrep pieces, each with CR,
        the next after "> "; once "~~~File list END~~~" came, the block after START (+23) is split
        into lines, sorted, and each "name : size bytes" parsed. Returns {name: size} or None."""
        cmd = ("_dir=function()\n"
               "     local k,v,l\n"
               "     print(\"~~~File \"..\"list START~~~\")\n"
               "     for k,v in pairs(file.list()) do \n"
               "          l = string.format(\"%-15s\",k) \n"
               "          print(l..\" : \"..v..\" bytes\") \n"
               "     end \n"
               "     print(\"~~~File \"..\"list END~~~\")\n"
               "end\n"
               "_dir()\n"
               "_dir=nil")
        state = {"rcv": "", "rx": "", "files": None}

        def reader(piece, _j):
            data = piece.decode("latin-1")
            state["rcv"] += data
            state["rx"] += data
            event = None
            if "> " in state["rcv"]:
                state["rcv"] = ""
                event = "answer"
            rx = state["rx"]
            if "~~~File list END~~~" in rx:
                block = rx[rx.index("~~~File list START~~~") + 23:rx.index("~~~File list END~~~")]
                files = {}
                for row in sorted(java_split(block, "\r?\n")):
                    parts = row.split(":")
                    if java_trim(parts[0]):
                        files[java_trim(parts[0])] = int(java_trim(parts[1]).split(" ")[0])
                state["files"] = files
                return "stop"
            return event

        self.run_sender(cmd_prep(cmd), lambda item: item + "\r", reader, last_answer_ends=False)
        return state["files"]

    def fs_info(self):
        """NodeFileSystemInfo, sent right after the file list (its "> " may still be coming)."""
        cmd = ('r,u,t=file.fsinfo() print("Total : "..t.." bytes\\r\\nUsed  : "..u.." bytes\\r\\n'
               'Remain: "..r.." bytes\\r\\n") r=nil u=nil t=nil')
        return self.btn_send(cmd, until=b"bytes\r\n\r\n> ")

    def upload(self, name, data):
        """UploadFilesStart + PortFilesUploader: the _up function (cmdPrep pieces, CR), then
        _up(packets, first size, last size), then the raw packets of 250 bytes; each packet is
        answered with ~~~CRC-START~~~n~~~CRC-END~~~, checked; "_up=nil" at the end. Returns
        the list of checksum results (True per packet that matched)."""
        cmd = ("_up=function(n,l,ll)\n"
               "     local cs = 0\n"
               "     local i = 0\n"
               "     local open = file.open or io.open\n"
               "     print(\">\"..\" \")\n"
               "     uart.on(\"data\", l, function(b) \n"
               "          i = i + 1\n"
               f"          local fh = open(\"{name}\",'a+')\n"
               "          fh:write(b)\n"
               "          fh:close()\n"
               "          cs=0\n"
               "          for j=1, l do\n"
               "               cs = cs + (b:byte(j)*20)%19\n"
               "          end\n"
               "          uart.write(0,\"~~~CRC-\"..\"START~~~\"..cs..\"~~~CRC-\"..\"END~~~\")\n"
               "          if i == n then\n"
               "               uart.on(\"data\")\n"
               "          end\n"
               "          if i == n-1 and ll>0 then\n"
               "               _up(1,ll,ll)\n"
               "          end\n"
               "          end,0)\n"
               "end\n"
               f"file.remove(\"{name}\")\n")
        packets = [data[i:i + 250] for i in range(0, len(data), 250)]
        lines = cmd_prep(cmd)
        first = len(packets[-1]) if len(packets) == 1 else 250
        lines.append(f"_up({len(packets)},{first},{len(packets[-1])})")
        items = [line + "\r" for line in lines] + packets
        state = {"rcv": "", "rx": "", "crc": []}

        def reader(piece, j):
            data_ = piece.decode("latin-1")
            state["rcv"] += data_
            state["rx"] += data_
            answer = False
            if "> " in state["rcv"] and j < len(lines):
                state["rcv"] = ""
                answer = True
            rx = state["rx"]
            if "~~~CRC-END~~~" in rx:
                answer = True
                got = int(rx[rx.index("~~~CRC-START~~~") + 15:rx.index("~~~CRC-END~~~")])
                state["rx"] = rx[rx.index("~~~CRC-END~~~") + 13:]
                state["crc"].append(got == checksum(packets[j - len(lines)]))
            return "answer" if answer else None

        done = self.run_sender(items, lambda item: item, reader)
        self.port.write("_up=nil\r")
        return state["crc"] if done else None

    def download(self, name, size):
        """FileDownload + PortFileDownloader: the _dl function line by line (CR, each after
        "> " or ">> "); packets ~~~DATA-START~~~bytes~~~DATA-LENGTH~~~n~~~DATA-N~~~i~~~DATA-CRC~~~
        sum~~~DATA-END~~~ are taken from the raw bytes and checked; the file once
        ~~~DATA-TOTAL-END~~~ came. Returns the bytes, or None if a checksum failed."""
        cmd = ("_dl=function() "
               "  local open=file.open or io.open"
               f"  local fh = open(\"{name}\", \"r\")\n"
               "  local buf "
               "  local i=0 "
               "  local checksum\n"
               "  repeat "
               "     buf = fh:read(1024) "
               "     if buf ~= nil then "
               "          i = i + 1 "
               "          checksum = 0 "
               "          for j=1, string.len(buf) do\n"
               "               checksum = checksum + (buf:byte(j)*20)%19 "
               "          end "
               "          buf='~~~'..'DATA-START~~~'..buf..'~~~'..'DATA-LENGTH~~~'..string.len(buf)..'~~~'..'DATA-N~~~'..i..'~~~'..'DATA-CRC~~~'..checksum..'~~~'..'DATA-END~~~'\n"
               "          uart.write(0,buf) "
               "     end "
               "     if tmr.wdclr then tmr.wdclr() end "
               "  until(buf == nil) "
               "  fh:close()\n"
               "  buf='~~~'..'DATA-TOTAL-START~~~'..i..'~~~'..'DATA-TOTAL-END~~~'\n"
               "  uart.write(0,buf) "
               "end "
               "_dl() "
               "_dl=nil\n")
        packets = (size + 1023) // 1024
        state = {"rcv": "", "raw": b"", "file": b"", "count": 0, "ok": True}
        start = b"~~~DATA-START~~~"
        packet = re.compile(rb"~~~DATA-START~~~(.*?)~~~DATA-LENGTH~~~(\d+)~~~DATA-N~~~(\d+)"
                            rb"~~~DATA-CRC~~~(\d+)~~~DATA-END", re.S)

        def reader(piece, _j):
            state["rcv"] += piece.decode("latin-1")
            state["raw"] += piece
            event = None
            if "> " in state["rcv"]:
                state["rcv"] = ""
                event = "answer"
            # The nth packet's bytes start after the nth marker in the raw bytes (FindPacketID).
            found = list(packet.finditer(state["raw"]))
            while state["count"] < len(found):
                m = found[state["count"]]
                length = int(m.group(2))
                begin = m.start() + len(start)
                body = state["raw"][begin:begin + length]
                if int(m.group(4)) != checksum(body):
                    state["ok"] = False
                    return "stop"
                state["file"] += body
                state["count"] += 1
            if b"~~~DATA-TOTAL-END~~~" in state["raw"] and state["count"] == packets:
                return "stop"
            return event

        self.run_sender(java_split(cmd, "\r?\n"), lambda item: item + "\r", reader,
                        last_answer_ends=False)
        return state["file"] if state["ok"] else None


def connect(checks, esp):
    checks.check("jSSC's setParams returns false on a pty (TIOCMGET: no modem lines); ESPlorer "
                 "only logs it and goes on", not esp.port.params_ok)
    kind, first = esp.check_comm()
    checks.check("the firmware probe: the first piece read after an empty line holds '\\r\\n>' "
                 "(NodeMCU detected)", kind == "NodeMCU", f"first piece: {first!r}")
    heap = esp.btn_send("=node.heap()")
    checks.check("... then '=node.heap()' answers a number", re.fullmatch(rb"=node\.heap\(\)\r\n\d+\r\n> ", heap),
                 heap)
    split = []
    for _ in range(100):
        kind, first = esp.check_comm()
        if kind != "NodeMCU":
            split.append(first)
            esp.port.read_until(b"> ")
    checks.check("the echo of an empty line and its prompt come in one piece, every time (100 probes)",
                 not split, f"{len(split)} split, e.g. {split[:3]!r}")


def smart_save(checks, esp, flash):
    mark = esp.port.mark()
    ok = esp.save_to_esp("esplorer.lua", SCRIPT, autorun=False)
    esp.port.settle(mark, b"fh:flush();fh:close();\r\n> ")
    checks.check("Save to ESP: every line's echo came back before the next was sent", ok)
    got = flash.read("esplorer.lua") if flash.exists("esplorer.lua") else None
    checks.check("... the file in the flash folder is the editor's text, each line ending in \\n",
                 got == SCRIPT_ON_FLASH.encode(), f"got {got!r}")
    ran = esp.btn_send('dofile("esplorer.lua")')
    checks.check("dofile (the file's button, the Reload list's click): it runs",
                 ran == b'dofile("esplorer.lua")\r\nsaved:\t3\tfour spaces\tx]]y\r\n> ', ran)
    mark = esp.port.mark()
    ok = esp.save_to_esp("auto.lua", 'print("autorun " .. 6 * 7)\n', autorun=True)
    tail = esp.port.settle(mark, b'dofile("auto.lua");\r\nautorun 42\r\n> ')
    checks.check("Save to ESP with AutoRun: the file is saved and runs",
                 ok and tail.endswith(b'dofile("auto.lua");\r\nautorun 42\r\n> '), tail[-200:])
    # w([==[...]==]); adds 12 characters: a line of 243 fits the firmware's line buffer
    # (LUA_MAXINPUT, 256: 255 characters); one of 244 does not, and the buffer starts again
    # after 255, so the interpreter gets only the tail. The echo is whole, so ESPlorer goes on.
    fits, too_long = "-- " + "f" * 240, "-- " + "z" * 241
    mark = esp.port.mark()
    ok = esp.save_to_esp("long.lua", f"{fits}\n{too_long}\nb = 2\n", autorun=False)
    tail = esp.port.settle(mark, b"fh:flush();fh:close();\r\n> ")
    got = flash.read("long.lua") if flash.exists("long.lua") else None
    checks.check("Save to ESP: a line of 243 characters is saved; one of 244 is lost to the firmware's "
                 "255-byte line buffer (an error shows) while ESPlorer goes on, as on a board",
                 ok and got == f"{fits}\nb = 2\n".encode() and b"stdin:1: unexpected symbol near ';'" in tail,
                 f"{got!r}\n{tail[-400:]!r}")


def view(checks, esp):
    mark = esp.port.mark()
    ok = esp.view("esplorer.lua")
    tail = esp.port.settle(mark, b"--FileView done.\r\n> ")
    shown = tail[tail.find(b"--FileView start\r\n") + 18:tail.rfind(b"--FileView done.")]
    checks.check("View: the file comes between the markers as it is in the flash (uart.write: "
                 "no CR added)", ok and shown == SCRIPT_ON_FLASH.encode(), tail[-400:])


def send_block(checks, esp):
    mark = esp.port.mark()
    ok = esp.send_to_esp("function twice(a)\n  return a * 2\nend\nprint(twice(21))\n")
    tail = esp.port.settle(mark, b"print(twice(21))\r\n42\r\n> ")
    checks.check("Send to ESP: a function over three lines ('>> ' prompts stripped), then its call",
                 ok and tail.endswith(b">> end\r\n> print(twice(21))\r\n42\r\n> "), tail)


TURBO_END = b"\r\n--Done--\r\n> \r\n\r\n> \r\n> "


def turbo_save(checks, esp, flash):
    text = "".join(f'print("turbo line {i:03d}: {"x" * (i % 40)}")\n' for i in range(30))
    mark = esp.port.mark()
    ok = esp.save_turbo("turbo.lua", text, autorun=False)
    tail = esp.port.settle(mark, TURBO_END)
    checks.check(f"Turbo Mode: {len(text)} bytes in 254-byte pieces, each acknowledged with '> ', "
                 "then --Done--", ok and tail.endswith(TURBO_END), tail[-300:])
    got = flash.read("turbo.lua") if flash.exists("turbo.lua") else None
    checks.check("... the file is the text byte for byte", got == text.encode(),
                 f"{len(got or b'')} bytes of {len(text)}")
    exact = ("x = 1 -- " + "y" * 245 + "\n")[:254]
    mark = esp.port.mark()
    ok = esp.save_turbo("exact.lua", exact, autorun=True)
    tail = esp.port.settle(mark, TURBO_END + b'dofile("exact.lua")\r\n> ')
    got = flash.read("exact.lua") if flash.exists("exact.lua") else None
    checks.check("Turbo Mode, 254 bytes (an empty last piece), with AutoRun",
                 ok and got == exact.encode() and tail.endswith(b'dofile("exact.lua")\r\n> '),
                 f"{got!r}\n{tail[-300:]!r}")
    echo = esp.btn_send("=x")
    checks.check("... the echo is back on after --Done--, and the file ran", echo == b"=x\r\n1\r\n> ", echo)


def reload_and_info(checks, esp, flash):
    mark = esp.port.mark()
    files = esp.list_files()
    esp.port.settle(mark, b"~~~File list END~~~\r\n> ")
    on_disk = {name: os.path.getsize(flash.path(name)) for name in os.listdir(flash.dir)}
    checks.check("Reload: the START/END block parses into every file of the flash folder with its size",
                 files == on_disk, f"parsed {files}\nfolder {on_disk}")
    info = esp.fs_info()
    m = re.fullmatch(rb"r,u,t=file\.fsinfo\(\) [^\r]*\r\nTotal : (\d+) bytes\r\nUsed  : (\d+) bytes\r\n"
                     rb"Remain: (\d+) bytes\r\n\r\n> ", info)
    checks.check("FS info: Total/Used/Remain lines (the string's '\\r\\n': uart0_putc drops the CR)",
                 m and int(m[1]) == int(m[2]) + int(m[3]), info)


def upload_download(checks, esp, flash):
    data = bytes(range(256)) * 2 + b"\r\n\r\x7f\b\0" * 20  # every byte value, 632 bytes
    mark = esp.port.mark()
    crc = esp.upload("bytes.bin", data)
    tail = esp.port.settle(mark, b"_up=nil\r\n> ")
    checks.check("Upload: 3 packets (250, 250, 132), every checksum answered and right",
                 crc == [True, True, True] and tail.endswith(b"_up=nil\r\n> "), crc)
    got = flash.read("bytes.bin") if flash.exists("bytes.bin") else None
    checks.check("... the file in the flash folder is byte-identical", got == data,
                 f"{len(got or b'')} bytes")
    big = bytes((i * 7 + 3) % 256 for i in range(2500))
    flash.write("big.bin", big)
    mark = esp.port.mark()
    got = esp.download("big.bin", len(big))
    tail = esp.port.settle(mark, b"~~~DATA-TOTAL-END~~~> ")
    checks.check("Download: 3 packets of up to 1024 bytes, checksums right, byte-identical",
                 got == big and tail.endswith(b"~~~DATA-TOTAL-END~~~> "), f"{len(got or b'')} bytes")


def buttons_and_restart(checks, esp):
    chip = esp.btn_send("=node.chipid()")
    checks.check("Chip ID", re.fullmatch(rb"=node\.chipid\(\)\r\n\d+\r\n> ", chip), chip)
    heap = esp.btn_send("print(node.heap())")
    checks.check("Heap (the snippet form)", re.fullmatch(rb"print\(node\.heap\(\)\)\r\n\d+\r\n> ", heap), heap)
    got = esp.btn_send("node.restart()", until=b"init.lua ran, boot 2\r\n> ")
    # The banner per --firmware: one line (1.5.4.1, 2.2.1), or the build details over several
    # (3.0); "powered by Lua 5." in it is how ESPlorer's "Save to ESP" notices a reboot.
    checks.check("Reset (node.restart()): prompt, the banner, init.lua, the prompt",
                 re.fullmatch(rb"node\.restart\(\)\r\n> \r\nNodeMCU \d[^\n]*\r\n([\t ][^\n]*\r\n)*"
                              rb"init\.lua ran, boot 2\r\n> ", got), got)
    heap = esp.btn_send("=node.heap()")
    checks.check("... and the buttons work on the new boot", re.fullmatch(rb"=node\.heap\(\)\r\n\d+\r\n> ", heap),
                 heap)


def reopen(checks, link, esp):
    if os.geteuid() != 0:
        try:
            os.close(os.open(link, os.O_RDWR | os.O_NOCTTY))
            busy = False
        except OSError as e:
            busy = e.errno == errno.EBUSY
        checks.check("while ESPlorer has the port (TIOCEXCL) another open gets EBUSY", busy)
    else:
        checks.skip("while ESPlorer has the port (TIOCEXCL) another open gets EBUSY", "root bypasses TIOCEXCL")
    esp.port.close()
    again = Port(link)
    kind, first = ESPlorer(again).check_comm()
    checks.check("after ESPlorer closed the port (TIOCNXCL) it opens again and the probe answers",
                 kind == "NodeMCU", first)
    again.close()


def write_transcript(path, transcript):
    with open(path, "w") as out:
        for direction, data in transcript:
            out.write(f"{direction} {data!r}\n")


def session(checks, _exe, flash, _emu, link):
    esp = ESPlorer(Port(link))
    connect(checks, esp)
    smart_save(checks, esp, flash)
    view(checks, esp)
    send_block(checks, esp)
    turbo_save(checks, esp, flash)
    reload_and_info(checks, esp, flash)
    upload_download(checks, esp, flash)
    buttons_and_restart(checks, esp)
    if os.environ.get("ESPLORER_TRANSCRIPT"):
        write_transcript(os.environ["ESPLORER_TRANSCRIPT"], esp.port.transcript)
    reopen(checks, link, esp)


def main():
    return serial_session(session)


if __name__ == "__main__":
    raise SystemExit(main())
