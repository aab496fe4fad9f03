"""The notebooks' kernels during a build: started ahead of the notebook that will run in each, one
kernel per notebook, and forked from a prepared process where the system allows it.

A kernel that starts as its own process spends a second or more importing: the kernel's own
modules (ipykernel, IPython, zmq, debugpy) and the heavy packages the library needs (pandas,
pandera, geopandas). On Linux the build starts one process that imports them once
(:mod:`opencyber.kernel_server`) and forks each kernel from it: a forked kernel answers in 0.1 to
0.2 s. The kernel that comes out is the kernel ``python -m ipykernel_launcher`` would have
started: same interpreter, command, environment, folder and module path, and the packages were
imported as they are in a kernel (see the server's docstring for how, and for what makes the
build fall back). Where fork is not available (Windows, macOS, whose system libraries are not
safe to fork), where the kernel's command, folder or environment differ from the server's, or
with ``--spawn-kernels``, each kernel is started as its own process, as papermill would.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .registry import PROJECT_ROOT

NOTEBOOKS = PROJECT_ROOT / "notebooks"

#: the kernel's own log: errors only (ipykernel warns on every start that its local TCP ports are
#: unencrypted, which is noise in a build's output)
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]

#: what a kernel imports before it has a shell (so importing them in the fork server is the same):
#: the kernel application, the kernel, its shell's class and its debugger (debugpy: a third of a
#: second of each kernel's start)
KERNEL_MODULES = (
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.comm", "ipykernel.debugger",
    "IPython.core.oinspect",
)
#: the heavy packages the library's modules import, imported in the fork server as in a kernel's
#: cell; the library's own modules (a few milliseconds) and the widget and chart packages (which
#: set themselves up for the kernel they find when imported) are imported by each notebook
LIBRARY_MODULES = ("numpy", "pandas", "pandera.pandas", "geopandas")


def fork_available() -> bool:
    """Whether kernels can be forked from a prepared process here: Linux (pidfds: Python 3.9, Linux
    5.3). macOS has fork, but its system frameworks are not safe to use in a forked child."""
    if not (sys.platform.startswith("linux") and hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal")):
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:  # an older kernel, or a sandbox that forbids it
        return False
    return True


class ForkedProcess:
    """A kernel forked by the server, as :class:`subprocess.Popen` would show it to jupyter_client.
    The kernel is the server's child, not the build's: it is watched through a pidfd (readable once
    the process is gone; a pid could be reused, a pidfd not). Its exit status is the server's to
    reap: ``returncode`` is the negated signal the build sent it, or 0."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._signal = 0
        try:
            self._pidfd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:  # gone already
            self._pidfd, self.returncode = None, 0

    def _gone(self, timeout: float | None) -> bool:
        """Whether the process is gone, waiting up to ``timeout`` seconds (None: as long as it takes)."""
        if self.returncode is None and self._pidfd is not None and select.select([self._pidfd], [], [], timeout)[0]:
            self.returncode = -self._signal
            os.close(self._pidfd)
            self._pidfd = None
        return self.returncode is not None

    def poll(self) -> int | None:
        self._gone(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if not self._gone(timeout):
            raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        if self._pidfd is None or self.poll() is not None:
            raise ProcessLookupError(3, "No such process")  # what jupyter_client expects of a dead kernel
        signal.pidfd_send_signal(self._pidfd, signum)
        self._signal = self._signal or signum

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def __del__(self) -> None:
        if getattr(self, "_pidfd", None) is not None:
            os.close(self._pidfd)


def kernel_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment jupyter_client gives a Python kernel it starts from this process (from
    ``env``, else this process's): without ``PYTHONEXECUTABLE``, with ``JPY_PARENT_PID``."""
    env = dict(os.environ if env is None else env)
    env.pop("PYTHONEXECUTABLE", None)
    env["JPY_PARENT_PID"] = str(os.getpid())
    return env


class ForkServer:
    """The build's fork server (:mod:`opencyber.kernel_server`), started with the environment the
    kernels will have, in the notebooks' folder. ``fork`` asks it for a kernel; ``close`` stops it
    (and with it any kernel still running). ``failed`` says why it could not be used, if so: the
    kernels are then started the usual way."""

    def __init__(self, cwd: Path | None = None) -> None:
        self.cwd = str(cwd or NOTEBOOKS)
        self.env = kernel_environment()
        self.lock = threading.Lock()
        self.failed = ""
        self.said_why = False
        self.process: subprocess.Popen | None = None
        ours, theirs = socket.socketpair()
        self.sock = ours
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "opencyber.kernel_server", str(theirs.fileno()),
                 ",".join(KERNEL_MODULES), ",".join(LIBRARY_MODULES)],
                cwd=self.cwd, env=self.env, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
            )
        except OSError as exc:
            self.failed = f"the fork server did not start: {exc}"
        finally:
            theirs.close()
        self.replies = ours.makefile("rb")
        self._ready = threading.Event()
        self._ready_thread = threading.Thread(target=self._wait_ready, name="fork-server", daemon=True)
        if self.failed:
            self._ready.set()
        else:
            self._ready_thread.start()

    def _wait_ready(self) -> None:
        from .kernel_server import KERNEL_CHECKERS

        try:
            said = self._reply()
            if "error" in said:
                self.failed = f"the fork server could not prepare the kernels' packages: {said['error']}"
            elif set(said.get("asked", [])) - KERNEL_CHECKERS:
                others = sorted(set(said["asked"]) - KERNEL_CHECKERS)
                self.failed = f"{', '.join(others)} asked for IPython's shell while loading, which a forked kernel cannot answer as its own would"
        except (OSError, ValueError) as exc:
            self.failed = f"the fork server stopped before it was ready: {exc}"
        finally:
            self._ready.set()

    def _reply(self) -> dict:
        line = self.replies.readline()
        if not line:
            raise OSError("no answer from the fork server")
        return json.loads(line)

    def ready(self) -> bool:
        """Wait for the server to be ready; False if it cannot be used (``failed`` says why)."""
        self._ready.wait()
        return not self.failed

    def why_not(self, cmd: list[str], env: dict[str, str], cwd: str | None) -> str:
        """Why the kernel of ``cmd``, ``env`` and ``cwd`` is not the kernel the server makes, or ""
        if it is: its command is ``python -m ipykernel_launcher`` with the server's interpreter, in
        the server's folder and environment (the server imported its modules with them)."""
        if cmd[:3] != [sys.executable, "-m", "ipykernel_launcher"]:
            return f"the kernel's command is not this Python's ipykernel_launcher: {' '.join(cmd[:3])}"
        if str(cwd or os.getcwd()) != self.cwd:
            return f"the kernel runs in {cwd}, the fork server in {self.cwd}"
        if env != self.env:
            changed = sorted(k for k in env.keys() | self.env.keys() if env.get(k) != self.env.get(k))
            return f"the kernel's environment differs from the fork server's: {', '.join(changed)}"
        return "" if self.ready() else self.failed

    def say_why(self, why: str) -> None:
        """Say once in the build's log why a kernel is started as its own process."""
        with self.lock:
            if self.said_why:
                return
            self.said_why = True
        from .render import log

        log(f"Kernels are started one by one, not forked: {why}")

    def fork(self, cmd: list[str], env: dict[str, str], cwd: str | None) -> ForkedProcess:
        with self.lock:
            self.sock.sendall(json.dumps({"argv": cmd[3:], "env": env, "cwd": str(cwd or self.cwd)}).encode() + b"\n")
            said = self._reply()
        if "error" in said:
            raise OSError(said["error"])
        return ForkedProcess(said["pid"])

    def close(self) -> None:
        if self.process is not None and not self._ready.is_set():  # still importing: not needed any more
            self.process.kill()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.replies.close()
        self.sock.close()
        if self.process is not None:
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._ready_thread.ident is not None:
            self._ready_thread.join()


def _forked_provisioner(km, server: ForkServer):
    """A provisioner for ``km`` that launches its kernel from ``server`` when it can (else as
    jupyter_client's own provisioner does)."""
    from jupyter_client.provisioning import LocalProvisioner

    class ForkedProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd, **kwargs):
            env, cwd = kernel_environment(kwargs.get("env")), kwargs.get("cwd")
            why = server.why_not(cmd, env, cwd)
            if why:
                server.say_why(why)
                return await super().launch_kernel(cmd, **kwargs)
            try:
                self.process = server.fork(cmd, env, cwd)
            except OSError as exc:
                server.say_why(str(exc))
                return await super().launch_kernel(cmd, **kwargs)
            self.pid = self.pgid = self.process.pid  # the kernel leads a session of its own
            return self.connection_info

    km.kernel_id = km.kernel_id or str(uuid.uuid4())
    return ForkedProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)


def _client_classes() -> dict[str, type]:
    """The kernel clients of the build's kernel managers: ``PromptKernelClient`` (asynchronous, the
    one nbclient runs a notebook with) and ``PromptBlockingKernelClient`` (the one that starts a
    kernel and runs its warm-up). Their ``wait_for_ready`` is jupyter_client's, without the last
    step: after the kernel answered on its shell channel and IOPub delivered a message (both
    connected), jupyter_client waits 0.2 s more for IOPub messages that do not come, once per
    kernel, while the build waits for it. What IOPub has already delivered is taken, without
    waiting (nbclient keeps only the replies to its own requests)."""
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.blocking import BlockingKernelClient
    from jupyter_client.utils import ensure_async, run_sync

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                msg = await ensure_async(self.shell_channel.get_msg(timeout=1))
            except Empty:
                msg = None
            if msg is not None and msg["msg_type"] == "kernel_info_reply":
                try:
                    await ensure_async(self.iopub_channel.get_msg(timeout=0.2))
                except Empty:
                    pass  # IOPub not connected yet: ask again
                else:
                    self._handle_kernel_info_reply(msg)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
        while True:
            try:
                await ensure_async(self.iopub_channel.get_msg(timeout=0))
            except Empty:
                break

    return {
        "PromptKernelClient": type("PromptKernelClient", (AsyncKernelClient,), {"wait_for_ready": wait_for_ready}),
        "PromptBlockingKernelClient": type(
            "PromptBlockingKernelClient", (BlockingKernelClient,), {"wait_for_ready": run_sync(wait_for_ready)}
        ),
    }


def __getattr__(name: str):
    """The kernel client classes of :func:`_client_classes`, made when first asked for: jupyter_client
    is imported then, not by a build that starts no kernel."""
    if name in ("PromptKernelClient", "PromptBlockingKernelClient"):
        globals().update(_client_classes())
        return globals()[name]
    raise AttributeError(name)


def _warm_up_code(notebook: Path) -> str:
    """The import statements that open a notebook's first code cell after its parameters: a kernel
    started ahead runs them while it waits, so the notebook finds its modules imported. Nothing else
    runs ahead: the notebook's own code, in its own order, is what makes its outputs."""
    import ast

    nb = nbformat.read(notebook, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    if not code:
        return ""
    try:
        body = ast.parse(code[0].source).body
    except SyntaxError:
        return ""
    imports = []
    for node in body:
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            break
        imports.append(ast.unparse(node))
    return "\n".join(imports)


@dataclass
class KernelCheck:
    """What the input check run in a curation notebook's kernel said: its summary line, or the
    error it raised (``ename``: the exception's class name; ``evalue``: its message)."""

    summary: str = ""
    ename: str = ""
    evalue: str = ""
    traceback: str = ""


#: the input check, as the kernel of an edition's curation notebook runs it before the notebook
#: (an expression: it binds no name in the notebook's namespace)
_CHECK_EXPRESSION = "__import__('opencyber.check', fromlist=['check']).build_check({!r}, {!r}, {!r})"


def start_kernel(
    source: str, check: tuple[str, Path, Path] | None = None, server: ForkServer | None = None, notebooks: Path | None = None
):
    """A kernel for the notebook ``source`` of ``notebooks`` (default: the project's notebooks/),
    started as nbclient would start it (same arguments, working folder that of the notebook,
    history in memory), forked from ``server`` if given and it can, with the notebook's opening
    imports already run silently (no output, no execution count). Returns ``(kernel manager,
    KernelCheck or None)``.

    ``check`` (edition id, data folder, build folder): run the edition's input check
    (:func:`opencyber.check.build_check`) in the kernel too, once its imports are done. The checks of
    several editions then run at once, each in its own process, ahead of the notebooks; the curation
    they make is in the build's cache when the notebook asks for it."""
    import ast
    import re

    import zmq
    from jupyter_client.manager import KernelManager

    km = KernelManager(
        kernel_name="python3", client_class="opencyber.kernels.PromptKernelClient",
        blocking_class="opencyber.kernels.PromptBlockingKernelClient",
    )
    if server is not None:
        km.provisioner = _forked_provisioner(km, server)
    notebooks = notebooks or NOTEBOOKS
    km.start_kernel(extra_arguments=KERNEL_ARGUMENTS + ["--HistoryManager.hist_file=:memory:"], cwd=str(notebooks))
    kc = km.blocking_client()
    result = None
    try:
        kc.start_channels()
        kc.shell_channel.socket.setsockopt(zmq.SNDTIMEO, 30_000)  # a request never waits forever to be sent
        kc.wait_for_ready(timeout=60)
        code = _warm_up_code(notebooks / source)
        expressions = {"check": _CHECK_EXPRESSION.format(*map(str, check))} if check else {}
        # an import that fails here fails again, with its message, in the notebook
        msg_id = kc.execute(code, silent=True, store_history=False, user_expressions=expressions)
        reply = _shell_reply(km, kc, msg_id)
        if check:
            said = reply["content"].get("user_expressions", {}).get("check")
            if said is None:  # the imports failed: the expression was not evaluated
                c = reply["content"]
                said = {"status": "error", "ename": c.get("ename", ""), "evalue": c.get("evalue", ""),
                        "traceback": c.get("traceback", [])}
            if said.get("status") == "ok":
                result = KernelCheck(summary=ast.literal_eval(said["data"]["text/plain"]))
            else:
                trace = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(said.get("traceback", [])))
                result = KernelCheck(ename=said.get("ename", ""), evalue=said.get("evalue", ""), traceback=trace)
    except Exception:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        raise
    kc.stop_channels()
    return km, result


def _shell_reply(km, kc, msg_id: str, timeout: float = 600):
    """The reply to the request ``msg_id``, as long as the kernel lives (up to ``timeout`` seconds)."""
    from queue import Empty

    deadline = time.monotonic() + timeout
    while True:
        try:
            reply = kc.get_shell_msg(timeout=1)
        except Empty:
            if not km.is_alive():
                raise RuntimeError("the kernel died before it replied") from None
            if time.monotonic() > deadline:
                raise TimeoutError(f"the kernel did not reply in {timeout:g} s") from None
            continue
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


class KernelPool:
    """Kernels started ahead of the notebooks that will run in them, one per notebook (a notebook
    never runs in a kernel another notebook used). ``prepare`` starts one in the background (for a
    curation notebook, with the edition's input check, ``checks[edition id]``); ``take`` hands it
    over with the check's result (starting it then if it was not prepared); a used kernel is
    stopped at once. ``close`` shuts down any kernel prepared but not taken (a failed build).

    ``server``: the :class:`ForkServer` to fork the kernels from (its owner closes it); None
    starts each kernel as its own process. ``notebooks``: the folder of the notebooks (default:
    the project's)."""

    def __init__(
        self, workers: int, checks: dict[str, tuple[str, Path, Path]] | None = None,
        server: ForkServer | None = None, notebooks: Path | None = None,
    ) -> None:
        from .build import STAGES

        self.first = STAGES[0][0]
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kernel")
        self.futures: dict[str, object] = {}
        self.checks = checks or {}
        self.lock = threading.Lock()
        self.notebooks = notebooks or NOTEBOOKS
        self.server = server

    def _start(self, source: str, check):
        server = self.server
        if server is not None and not server.ready():
            server.say_why(server.failed)
            server = None
        if server is None:
            return start_kernel(source, check, None, self.notebooks)
        try:
            return start_kernel(source, check, server, self.notebooks)
        except Exception as exc:  # noqa: BLE001 - said, then the kernel is started the usual way
            from .render import log

            log(f"  (the kernel forked for {source} did not start: {type(exc).__name__}: {exc}; starting it as its own process)")
            return start_kernel(source, check, None, self.notebooks)

    def prepare(self, step: str) -> None:
        ed_id, source = step.split("/", 1)
        with self.lock:
            if step not in self.futures:
                check = self.checks.get(ed_id) if source == self.first else None
                self.futures[step] = self.pool.submit(self._start, source, check)

    def take(self, step: str):
        self.prepare(step)
        with self.lock:
            future = self.futures[step]
            self.futures[step] = None  # taken
        return future.result()

    def release(self, km) -> None:
        """Stop a kernel whose notebook is done (its outputs are all in): at once, since a graceful
        shutdown made the build wait up to two seconds at its end for nothing."""
        km.shutdown_kernel(now=True)

    def close(self) -> None:
        with self.lock:
            left = [f for f in self.futures.values() if f is not None]
        for f in left:
            try:
                f.result()[0].shutdown_kernel(now=True)
            except Exception:  # noqa: BLE001 - it failed to start: nothing to shut down
                pass
        self.pool.shutdown(wait=True)
