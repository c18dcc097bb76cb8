"""The process that runs the model's code: limits, notebook-like execution, state between calls.

Forked by the supervisor (sandbox_supervisor.py) inside the sandbox, one per call.
"""

import ast
import builtins
import errno
import importlib
import importlib.abc
import importlib.machinery
import io
import linecache
import os
import pickle
import resource
import signal
import sys
import traceback
import types

from sandbox_protocol import CONFIG, DATA, EXPORT_FD, diag, frame, write_all

CELL = '<cell>'
BACKEND = 'sandbox_inline_backend'


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

