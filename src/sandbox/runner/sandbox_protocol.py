"""Shared by the sandbox's runner modules: its settings and the framing it speaks to the server.

Runs inside the bubblewrap sandbox. The server loads the runner's modules from source (see
bwrap-sandbox.ts): `python3 -I -u -B -c <bootstrap> <modules json> <config json>`.

The sandbox never sees a host directory it can write to: the server streams the session's files,
the code and the previous call's state in on stdin (fd 0), and the runner streams back what
changed on fd 3. Both directions use the same framing: one JSON header line with `kind` and
`size`, then `size` raw bytes. The server validates everything it receives; nothing here is
trusted.
"""

import json
import os
import stat
import sys

CONFIG = json.loads(sys.argv[2])
DATA = '/mnt/data'
CONTROL_FD = 0
EXPORT_FD = 3


def diag(message):
    os.write(2, ('sandbox-runner: %s\n' % message).encode('utf-8', 'replace'))


def write_all(fd, data):
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def frame(header, body=b''):
    return json.dumps(header).encode('ascii') + b'\n' + body


class FrameReader:
    """Frames from a file descriptor: a JSON header line, then `size` bytes."""

    def __init__(self, fd):
        self.fd = fd
        self.buffer = bytearray()
        self.eof = False

    def fill(self):
        chunk = os.read(self.fd, 65536)
        if not chunk:
            self.eof = True
            return False
        self.buffer += chunk
        return True

    def complete_header(self):
        index = self.buffer.find(b'\n')
        if index < 0:
            if len(self.buffer) > 65536:
                raise ValueError('frame header too long')
            return None
        line = bytes(self.buffer[:index])
        del self.buffer[: index + 1]
        return json.loads(line)

    def header(self):
        while True:
            found = self.complete_header()
            if found is not None:
                return found
            if not self.fill():
                return None

    def body(self, size, write):
        remaining = size
        while remaining:
            if not self.buffer and not self.fill():
                raise EOFError('stream ended inside a frame')
            take = min(remaining, len(self.buffer))
            write(bytes(self.buffer[:take]))
            del self.buffer[:take]
            remaining -= take


def parse_frames(data):
    """Complete frames in a byte string; a torn or garbled tail is dropped."""
    frames = []
    position = 0
    while True:
        index = data.find(b'\n', position)
        if index < 0:
            return frames
        try:
            header = json.loads(data[position:index])
            size = int(header.get('size', 0))
        except (ValueError, AttributeError, TypeError):
            return frames
        end = index + 1 + size
        if size < 0 or end > len(data):
            return frames
        frames.append((header, data[index + 1 : end]))
        position = end


def safe_path(name):
    parts = name.split('/')
    if not name or any(part in ('', '.', '..') or '\0' in part for part in parts):
        raise ValueError('bad file name %r' % name)
    return os.path.join(DATA, *parts)


def walk_files():
    """Regular files under /mnt/data: relative name -> (size, mtime_ns, inode)."""
    found = {}
    for root, dirs, files in os.walk(DATA):
        for name in files:
            full = os.path.join(root, name)
            try:
                info = os.lstat(full)
            except OSError:
                continue
            if not stat.S_ISREG(info.st_mode):
                continue
            found[os.path.relpath(full, DATA)] = (info.st_size, info.st_mtime_ns, info.st_ino)
    return found

