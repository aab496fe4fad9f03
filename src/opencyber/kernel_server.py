"""The process a build forks its notebooks' kernels from (``python -m opencyber.kernel_server``).

Started by :class:`opencyber.kernels.ForkServer` in the notebooks' folder, with the kernels'
environment, as ``python -m ipykernel_launcher`` would be: the interpreter, its path and its
startup variables are a kernel's. It imports, once, what every kernel would otherwise import for
itself (a second or so each), with the standard streams a kernel has (UTF-8, not a terminal;
what is written is dropped, as a kernel's is at that point):

- the kernel's own modules (ipykernel, IPython, zmq, tornado, debugpy), which a kernel imports
  before it has a shell, just as here;
- the heavy packages the library's modules import (pandas, pandera, geopandas), with ``get_ipython``
  answering as it does while a kernel's cell runs: pandas sets its default column limit by asking
  whether it runs in a Jupyter kernel. Whoever else asks is reported to the build, which then
  starts its kernels the usual way (it cannot know what such a module would have done in a kernel),
  as it does if a package started a thread (a forked kernel would not have it).

Then, for each request from the build (a line of JSON on the socket it was given: the kernel's
command, environment and folder; the environment must be the server's own when it started), it
forks; the child becomes that kernel by running ``ipykernel_launcher`` as ``python -m`` would, and
the server answers with the child's pid. Each child leads a session of its own, as jupyter_client
starts kernels (Ctrl-C in the terminal reaches the build, which stops them). When the build closes
the socket (done, or gone), the server kills the children still running and exits.

Nothing of the library is imported here beyond the package's ``__init__`` and this module: a
notebook imports the library's modules itself, in its kernel.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import signal
import socket
import sys

#: modules that may ask for ``get_ipython`` while the packages load, because all they do with the
#: answer is check for a kernel (``pandas.core.config_init.is_terminal``)
KERNEL_CHECKERS = frozenset({"pandas.core.config_init"})


class _KernelShell:
    """What ``get_ipython()`` gives while the packages load: a shell that runs in a kernel, as
    the shell of a kernel's cell does. Only ``kernel`` is there (pandas looks for it): a module that
    would use more of the shell fails to load, and the build is told."""

    kernel = None


class _KernelStream(io.TextIOBase):
    """What ``sys.stdout`` and ``sys.stderr`` are in a kernel while it starts and while its cells run,
    as far as a package looks at them when it loads (pandas takes its display encoding from
    ``sys.stdout``): UTF-8, not a terminal, no file descriptor. What is written is dropped, as a
    kernel's is: what it prints while it starts (debugpy warns that Python's modules are frozen)
    and while the build's kernel runs its imports ahead is shown nowhere."""

    encoding = "UTF-8"

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        return len(text)


def _import_as_in_a_kernel(kernel_modules: list[str], modules: list[str]) -> list[str]:
    """Import ``kernel_modules`` as a kernel does before its shell exists, then ``modules`` as a
    kernel's cell would: ``get_ipython`` (the builtin a cell sees, and IPython's own) answers with
    a shell in a kernel. The standard streams are a kernel's throughout. Returns the modules that
    asked for the shell. A module that keeps the function to call later gets IPython's answer
    then, as it would in a kernel."""
    import builtins

    streams = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = _KernelStream()
    try:
        for name in kernel_modules:
            importlib.import_module(name)
        import IPython
        from IPython.core import getipython

        asked: set[str] = set()
        shell = _KernelShell()
        loading = True
        original = getipython.get_ipython

        def get_ipython():
            if not loading:
                return original()
            asked.add(sys._getframe(1).f_globals.get("__name__", "?"))
            return shell

        builtins.get_ipython = get_ipython  # type: ignore[attr-defined]
        IPython.get_ipython = getipython.get_ipython = get_ipython
        try:
            for name in modules:
                importlib.import_module(name)
        finally:
            loading = False
            del builtins.get_ipython  # type: ignore[attr-defined]
            IPython.get_ipython = getipython.get_ipython = original
    finally:
        sys.stdout, sys.stderr = streams
    return sorted(asked)


def _become_kernel(request: dict, sock: socket.socket, siblings: list[int]) -> None:
    """In the forked child: run the kernel ``request`` describes, then exit (never returns). The
    server's socket and its pidfds of the other kernels are closed first."""
    import atexit
    import runpy
    import traceback

    code = 1
    try:
        for fd in (sock.detach(), *siblings):  # detached: the reader made of the socket holds it too
            os.close(fd)
        os.setsid()  # a session of its own, as jupyter_client starts a kernel
        for signum in (signal.SIGCHLD, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.chdir(request["cwd"])
        sys.argv = ["ipykernel_launcher", *request["argv"]]
        runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - said on the kernel's stderr, as a spawned kernel would
        traceback.print_exc()
    finally:
        try:
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def serve(fd: int, kernel_modules: list[str], library_modules: list[str]) -> int:
    sock = socket.socket(fileno=fd)
    startup = dict(os.environ)  # a kernel's must be the same; the packages may then add to it as they load
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle; it closes the socket

    def say(message: dict) -> None:
        sock.sendall(json.dumps(message).encode() + b"\n")  # OSError if the build has gone

    try:
        asked = _import_as_in_a_kernel(kernel_modules, library_modules)
        import threading

        if threading.active_count() > 1:  # a thread would not be in the forked kernels
            names = ", ".join(t.name for t in threading.enumerate() if t is not threading.main_thread())
            raise RuntimeError(f"a package started a thread while loading ({names}): forking would lose it")
    except Exception as exc:  # noqa: BLE001 - the build says it and starts its kernels itself
        say({"error": f"{type(exc).__name__}: {exc}"})
        return 1
    try:
        say({"ready": True, "asked": asked})
    except OSError:  # the build was done (or gone) before the server was ready
        return 0
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernels that exit are reaped at once
    children: list[int] = []  # pidfds: a pid may be reused once its process is gone, a pidfd not
    with sock.makefile("rb") as requests:
        for line in requests:  # until the build closes the socket
            request = json.loads(line)
            if request["env"] != startup:  # its variables were not those the packages loaded with
                say({"error": "the kernel's environment is not the fork server's"})
                continue
            pid = os.fork()
            if pid == 0:
                _become_kernel(request, sock, children)
            try:
                children.append(os.pidfd_open(pid))
            except ProcessLookupError:  # it has already exited
                pass
            say({"pid": pid})
    for pidfd in children:
        try:
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.close(pidfd)
    return 0


if __name__ == "__main__":
    _fd, _kernel, _library = sys.argv[1:4]
    _code = serve(int(_fd), [m for m in _kernel.split(",") if m], [m for m in _library.split(",") if m])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_code)  # nothing to tidy: tearing the loaded packages down would keep the build waiting
