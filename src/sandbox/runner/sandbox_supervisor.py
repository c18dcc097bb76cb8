"""The sandbox's first process: imports the workspace, runs the code in a child, exports results.

The supervisor imports the workspace into /mnt/data (a size-limited tmpfs), forks the
user-code process with its resource limits, enforces the wall-time and total-memory limits and
the server's stop requests, then kills every straggler and exports what changed. The user code
can kill the supervisor (same uid): it then only loses its own outputs.
"""

import errno
import os
import select
import signal
import stat
import time

from sandbox_protocol import (
    CONFIG,
    CONTROL_FD,
    DATA,
    EXPORT_FD,
    FrameReader,
    diag,
    frame,
    parse_frames,
    safe_path,
    walk_files,
    write_all,
)
from sandbox_user_code import run_user_code


def import_workspace(reader):
    code, state = None, None
    while True:
        header = reader.header()
        if header is None:
            raise EOFError('import stream ended before its end frame')
        kind = header.get('kind')
        if kind == 'end':
            return code, state
        parts = []
        if kind == 'file':
            path = safe_path(header['name'])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'wb') as handle:
                reader.body(header['size'], handle.write)
        else:
            reader.body(header['size'], parts.append)
        if kind == 'code':
            code = b''.join(parts).decode('utf-8')
        elif kind == 'state':
            state = b''.join(parts)


def sandbox_memory(exclude):
    """Proportional memory (bytes) of every process in the sandbox but `exclude`."""
    total = 0
    for entry in os.listdir('/proc'):
        if not entry.isdigit() or int(entry) in exclude:
            continue
        try:
            with open('/proc/%s/smaps_rollup' % entry) as handle:
                for line in handle:
                    if line.startswith('Pss:'):
                        total += int(line.split()[1]) * 1024
                        break
        except (OSError, ValueError):
            try:
                with open('/proc/%s/statm' % entry) as handle:
                    total += int(handle.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')
            except (OSError, ValueError, IndexError):
                pass
    return total


def kill_others():
    """SIGKILLs every sandbox process but init and us, and waits until they are gone."""
    me = os.getpid()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        # Stopped first, so a fork bomb cannot refill the slots the kills free.
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            try:
                os.kill(-1, sig)
            except ProcessLookupError:
                pass
        others = [p for p in os.listdir('/proc') if p.isdigit() and int(p) not in (1, me)]
        alive = []
        for pid in others:
            try:
                with open('/proc/%s/stat' % pid) as handle:
                    if handle.read().rsplit(')', 1)[1].split()[0] != 'Z':
                        alive.append(pid)
            except OSError:
                pass
        if not alive:
            return
        time.sleep(0.01)


def supervise(child, pidfd, control, results_read, results, results_cap):
    """Waits for the user process to end; returns why it was stopped, or None if it ended."""
    deadline = time.monotonic() + CONFIG['timeoutMs'] / 1000
    watch = [pidfd, results_read] + ([CONTROL_FD] if not control.eof else [])
    exclude = {1, os.getpid()}
    next_memory_check = 0.0
    reason = None
    while reason is None:
        now = time.monotonic()
        if now >= deadline:
            return 'time'
        readable, _, _ = select.select(watch, [], [], min(deadline - now, 0.1))
        if results_read in readable:
            chunk = os.read(results_read, 65536)
            if not chunk:
                watch.remove(results_read)
            elif len(results) + len(chunk) <= results_cap:
                results += chunk
        if CONTROL_FD in readable:
            if not control.fill():
                watch.remove(CONTROL_FD)
            while reason is None:
                header = control.complete_header()
                if header is None:
                    break
                if header.get('kind') == 'stop':
                    reason = str(header.get('reason', 'cancelled'))
        if pidfd in readable and reason is None:
            return None
        if reason is None and time.monotonic() >= next_memory_check:
            next_memory_check = time.monotonic() + 0.1
            if sandbox_memory(exclude) > CONFIG['memoryBytes']:
                reason = 'memory'
    return reason


def drain(fd, results, cap):
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return
        if len(results) + len(chunk) <= cap:
            results += chunk


def export(snapshot, results, result):
    sent = 0
    unnamed = 0
    changed = []
    current = walk_files()
    for name, info in sorted(current.items()):
        before = snapshot.get(name)
        if before == info:
            continue
        try:
            name.encode('utf-8')
        except UnicodeEncodeError:
            unnamed += 1
            continue
        changed.append(name)
    if unnamed:
        # One note, however many: the result frame holds at most 20.
        result['notes'].append('%d files whose names are not UTF-8 were not kept.' % unnamed)
    for index, name in enumerate(changed):
        if sent >= CONFIG['maxFiles']:
            result['notes'].append(
                'More than %d files changed in /mnt/data; the other %d were not kept.'
                % (sent, len(changed) - index))
            break
        path = os.path.join(DATA, name)
        try:
            # Never a symlink, and no blocking on a FIFO swapped in after the walk.
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        with open(fd, 'rb', buffering=0) as handle:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                continue
            size = info.st_size
            write_all(EXPORT_FD, frame({'kind': 'file', 'name': name, 'size': size}))
            remaining = size
            while remaining:
                chunk = handle.read(min(remaining, 1 << 20)) or b'\0' * min(remaining, 1 << 20)
                write_all(EXPORT_FD, chunk)
                remaining -= len(chunk)
        sent += 1
    for name in sorted(set(snapshot) - set(current)):
        write_all(EXPORT_FD, frame({'kind': 'deleted', 'name': name, 'size': 0}))
    for header, body in parse_frames(bytes(results)):
        kind = header.get('kind')
        if kind in ('state', 'figure'):
            write_all(EXPORT_FD, frame({'kind': kind, 'size': len(body)}, body))
        elif kind == 'status':
            for key in ('exitCode', 'error', 'limit'):
                if key in header:
                    result[key] = header[key]


def main():
    control = FrameReader(CONTROL_FD)
    result = {'kind': 'result', 'notes': []}
    try:
        code, state = import_workspace(control)
    except OSError as error:
        if error.errno == errno.ENOSPC:
            result['error'] = 'workspace_full'
        diag('import failed: %r' % (error,))
        write_all(EXPORT_FD, frame(dict(result, size=0)) + frame({'kind': 'end', 'size': 0}))
        return 75
    snapshot = walk_files()
    write_all(EXPORT_FD, frame({'kind': 'started', 'size': 0}))

    results_read, results_write = os.pipe()
    child = os.fork()
    if child == 0:
        run_user_code(code, state, results_read, results_write)
    os.close(results_write)

    pidfd = os.pidfd_open(child)
    results = bytearray()
    cap = CONFIG['stateMaxBytes'] + CONFIG['maxFigures'] * CONFIG['figureMaxBytes'] + 65536
    reason = supervise(child, pidfd, control, results_read, results, cap)
    if reason is not None:
        try:
            os.kill(child, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _, status, usage = os.wait4(child, 0)
    kill_others()
    if reason is None:
        drain(results_read, results, cap)
    else:
        # A killed process may have sent half a state: keep its figures, never that state.
        kept = [frame(h, b) for h, b in parse_frames(bytes(results)) if h.get('kind') == 'figure']
        results = bytearray(b''.join(kept))
    os.close(results_read)
    os.close(pidfd)

    if os.WIFSIGNALED(status):
        result['signal'] = signal.Signals(os.WTERMSIG(status)).name
        result['exitCode'] = None
    else:
        result['exitCode'] = os.WEXITSTATUS(status)
    if reason is None and os.WIFSIGNALED(status):
        cpu = usage.ru_utime + usage.ru_stime
        if os.WTERMSIG(status) == signal.SIGXCPU or cpu >= CONFIG['cpuSeconds']:
            reason = 'cpu'
    export(snapshot, results, result)
    if reason is not None:
        result['reason'] = reason
        result['exitCode'] = None
    result['size'] = 0
    write_all(EXPORT_FD, frame(result) + frame({'kind': 'end', 'size': 0}))
    return 0


def run():
    try:
        return main()
    except BrokenPipeError:
        # The server went away or stopped reading: nothing left to report to.
        return 74
