# Runs inside the bubblewrap sandbox as `python3 -I -u -B -c <this file> <config json>`.
#
# The sandbox never sees a host directory it can write to: the server streams the session's files,
# the code and the previous call's state into this process on stdin (fd 0), and this process
# streams back what changed on fd 3. Both directions use the same framing: one JSON header line,
# then `size` raw bytes. The server validates everything it receives; nothing here is trusted.
#
# Two processes: this one (the "supervisor") imports the workspace into /mnt/data (a size-limited
# tmpfs), forks the user-code process with its resource limits, enforces the wall-time and
# total-memory limits, then kills every straggler and exports the changed files. The user code
# can kill the supervisor (same uid); it then only loses its own outputs.

import ast
import builtins
import errno
import importlib
import importlib.abc
import importlib.machinery
import io
import json
import linecache
import os
import pickle
import resource
import select
import signal
import stat
import sys
import time
import traceback
import types

CONFIG = json.loads(sys.argv[1])
DATA = '/mnt/data'
CONTROL_FD = 0
EXPORT_FD = 3
CELL = '<cell>'
BACKEND = 'sandbox_inline_backend'


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


# ---------------------------------------------------------------- user-code process


class InlineBackendFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """`MPLBACKEND=module://sandbox_inline_backend`: Agg whose show() hands figures back."""

    def __init__(self, flush):
        self.flush = flush

    def find_spec(self, name, path=None, target=None):
        if name == BACKEND:
            return importlib.machinery.ModuleSpec(name, self)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        from matplotlib.backend_bases import FigureManagerBase
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        module.FigureCanvas = FigureCanvasAgg
        module.FigureManager = FigureManagerBase
        module.show = lambda *args, **kwargs: self.flush()


def limit_of(error):
    """The sandbox limit an uncaught exception comes from, if any."""
    if isinstance(error, MemoryError):
        return 'memory'
    if isinstance(error, OSError) and error.errno == errno.EFBIG:
        return 'file_size'
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return 'disk'
    if isinstance(error, BlockingIOError) and error.errno == errno.EAGAIN:
        return 'processes'  # fork() at RLIMIT_NPROC
    if isinstance(error, RuntimeError) and "can't start new thread" in str(error):
        return 'processes'
    return None


def display(*objects):
    """Notebook-style display(): models write it out of habit."""
    for value in objects:
        print(repr(value))


class UserProcess:
    def __init__(self, code, state_blob, results_fd):
        self.code = code
        self.state_blob = state_blob
        self.results_fd = results_fd
        self.figures = 0
        self.status = {'kind': 'status'}

    def send(self, header, body=b''):
        header['size'] = len(body)
        write_all(self.results_fd, frame(header, body))

    def set_limits(self):
        memory = CONFIG['memoryBytes']
        cpu = CONFIG['cpuSeconds']
        # Processes count per uid inside this user namespace: the sandbox's init and the
        # supervisor are two of them.
        processes = CONFIG['maxProcesses'] + 2
        file_size = CONFIG['fileSizeBytes']
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        # Model-written code yields the CPU to the server it shares a machine with.
        os.nice(10)
        # A write past RLIMIT_FSIZE then fails with EFBIG instead of killing the process.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    def flush_figures(self):
        pyplot = sys.modules.get('matplotlib.pyplot')
        if pyplot is None:
            return
        for number in pyplot.get_fignums():
            if self.figures >= CONFIG['maxFigures']:
                break
            buffer = io.BytesIO()
            try:
                pyplot.figure(number).savefig(buffer, format='png', bbox_inches='tight')
            except Exception as error:
                print('Could not render figure %s: %r' % (number, error), file=sys.stderr)
                continue
            if buffer.tell() <= CONFIG['figureMaxBytes']:
                self.figures += 1
                self.send({'kind': 'figure'}, buffer.getvalue())
        pyplot.close('all')

    def restore_state(self, namespace):
        """Re-imports modules, re-runs top-level defs, unpickles values; returns lost names."""
        if not self.state_blob:
            return {}, set()
        try:
            state = pickle.loads(self.state_blob)
        except Exception as error:
            diag('previous state unreadable: %r' % (error,))
            return {}, set()
        lost = set(state.get('lost', []))
        for name, module in state.get('modules', {}).items():
            try:
                namespace[name] = importlib.import_module(module)
            except Exception:
                lost.add(name)
        definitions = dict(state.get('definitions', []))
        failed = self.run_definitions(definitions, namespace)
        for name, blob in state.get('values', {}).items():
            try:
                namespace[name] = pickle.loads(blob)
            except Exception:
                lost.add(name)
        # A def whose decorator or default needed a restored value gets a second chance.
        lost.update(self.run_definitions({n: definitions[n] for n in failed}, namespace))
        return definitions, lost

    def run_definitions(self, definitions, namespace):
        failed = []
        for name, source in definitions.items():
            try:
                exec(compile(source, CELL, 'exec'), namespace)
            except Exception:
                failed.append(name)
        return failed

    def run_cell(self, namespace, definitions):
        code = self.code
        lines = code.splitlines(True)
        linecache.cache[CELL] = (len(code), None, lines, CELL)
        tree = ast.parse(code, CELL)
        kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        nodes = [node for node in tree.body if isinstance(node, kinds)]
        before = {node.name: namespace.get(node.name) for node in nodes}
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = tree.body.pop()
        try:
            exec(compile(tree, CELL, 'exec'), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), CELL, 'eval'), namespace)
                if value is not None:
                    print(repr(value))
        finally:
            # Top-level defs this cell really ran are kept as source: functions and classes
            # defined here cannot be pickled, so the next call runs their source again.
            for node in nodes:
                if namespace.get(node.name) is not before[node.name]:
                    start = min([node.lineno] + [d.lineno for d in node.decorator_list])
                    definitions.pop(node.name, None)
                    definitions[node.name] = ''.join(lines[start - 1 : node.end_lineno])

    def report(self, error, lost):
        trace = error.__traceback__
        while trace is not None and trace.tb_frame.f_code.co_filename != CELL:
            trace = trace.tb_next
        if isinstance(error, SyntaxError):
            trace = None
        sys.stderr.write(''.join(traceback.format_exception(type(error), error, trace)))
        name = getattr(error, 'name', None)
        if isinstance(error, NameError) and name in lost:
            sys.stderr.write(
                'Note: %r was defined in an earlier call but could not be carried over (only '
                'picklable values, imported modules and top-level functions and classes are '
                'kept between calls). Define it again.\n' % name
            )
        self.status['error'] = type(error).__name__
        limit = limit_of(error)
        if limit:
            self.status['limit'] = limit

    def save_state(self, namespace, definitions, lost):
        modules, values, kept = {}, {}, []
        for name, value in list(namespace.items()):
            if name.startswith('__'):
                continue
            if isinstance(value, types.ModuleType):
                modules[name] = value.__name__
                continue
            is_definition = isinstance(value, (types.FunctionType, type))
            if is_definition and value.__module__ == '__main__' and value.__name__ == name:
                if name in definitions:
                    kept.append((name, definitions[name]))
                else:
                    lost.add(name)
                continue
            try:
                values[name] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:
                lost.add(name)
        budget = CONFIG['stateMaxBytes']
        for name in sorted(values, key=lambda n: len(values[n])):
            budget -= len(values[name])
            if budget < 0:
                del values[name]
                lost.add(name)
        kept_names = {name for name, _ in kept}
        state = {
            'version': 1,
            'modules': modules,
            'definitions': kept,
            'values': values,
            # Names still unusable next call, for the NameError hint (a name defined again
            # and kept this time is no longer lost).
            'lost': sorted(lost - set(modules) - set(values) - kept_names),
        }
        self.send({'kind': 'state'}, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))

    def main(self):
        self.set_limits()
        os.chdir(DATA)
        sys.path.insert(0, DATA)
        sys.argv = ['']
        os.environ['MPLBACKEND'] = 'module://' + BACKEND
        sys.meta_path.insert(0, InlineBackendFinder(self.flush_figures))
        builtins.display = display
        module = types.ModuleType('__main__')
        module.__dict__['__builtins__'] = builtins
        sys.modules['__main__'] = module
        namespace = module.__dict__
        definitions, lost = self.restore_state(namespace)
        exit_code = 0
        try:
            self.run_cell(namespace, definitions)
        except SystemExit as error:
            exit_code = error.code if isinstance(error.code, int) else (0 if error.code is None else 1)
            if not isinstance(error.code, int) and error.code is not None:
                print(error.code, file=sys.stderr)
        except BaseException as error:
            exit_code = 1
            self.report(error, lost)
        try:
            self.flush_figures()
        except Exception as error:
            print('Could not render figures: %r' % (error,), file=sys.stderr)
        try:
            self.save_state(namespace, definitions, lost)
        except BaseException as error:
            diag('state not saved: %r' % (error,))
        self.status['exitCode'] = exit_code
        self.send(self.status)
        return exit_code


def run_user_code(code, state_blob, results_read, results_write):
    exit_code = 70
    try:
        os.close(results_read)
        os.close(EXPORT_FD)
        null = os.open('/dev/null', os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        # Logs are stdout and stderr interleaved in order, as a notebook shows them.
        os.dup2(1, 2)
        exit_code = UserProcess(code, state_blob, results_write).main()
    except BaseException as error:
        diag('user process failed: %r' % (error,))
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(exit_code)


# ---------------------------------------------------------------- supervisor


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
        try:
            os.kill(-1, signal.SIGKILL)
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
    changed = []
    current = walk_files()
    for name, info in sorted(current.items()):
        before = snapshot.get(name)
        if before == info:
            continue
        try:
            name.encode('utf-8')
        except UnicodeEncodeError:
            result['notes'].append('skipped a file whose name is not UTF-8')
            continue
        changed.append(name)
    for name in changed:
        if sent >= CONFIG['maxFiles']:
            result['notes'].append('more than %d changed files; the rest were not kept' % sent)
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


if __name__ == '__main__':
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.exit(74)
