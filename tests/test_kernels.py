"""The build's kernels: a kernel forked from the fork server is the kernel papermill would start."""

import json
import os
import sys

import pytest

from opencyber import kernels
from opencyber.kernels import ForkServer, KernelPool, fork_available, start_kernel

pytestmark = pytest.mark.skipif(not fork_available(), reason="kernels are forked on Linux only")

#: what a notebook could see of the process it runs in, and that must not depend on how its kernel
#: was started (the pid and the parent's pid do, by nature)
FINGERPRINT = r"""
(lambda json, os, signal, sys, warnings, pd, pio, comm, ip: json.dumps({
    "executable": sys.executable, "argv": sys.argv, "path": sys.path, "cwd": os.getcwd(),
    "flags": repr(sys.flags), "environ": dict(os.environ), "main": sys.modules["__main__"].__name__,
    "session leader": os.getsid(0) == os.getpid(), "group leader": os.getpgrp() == os.getpid(),
    "signals": {s: repr(signal.getsignal(getattr(signal, s))) for s in ("SIGINT", "SIGTERM", "SIGCHLD", "SIGPIPE", "SIGHUP")},
    "stdin": [sys.stdin.__class__.__name__, os.isatty(0)],
    "warnings": [repr(f) for f in warnings.filters],
    "pandas options": {k: repr(pd.get_option(k)) for k in sorted(pd._config.config._registered_options)},
    "plotly renderer": pio.renderers.default,
    "geopandas options": repr(__import__("geopandas").options),
    "pandera config": repr(__import__("pandera.config", fromlist=["config"]).get_config_context()),
    "encodings": [sys.getdefaultencoding(), sys.getfilesystemencoding(), sys.stdout.encoding, repr(__import__("locale").getlocale())],
    "numpy print options": repr(__import__("numpy").get_printoptions()),
    "hooks": [f"{h.__module__}.{getattr(h, '__qualname__', type(h).__qualname__)}" for h in (sys.breakpointhook, sys.excepthook, sys.displayhook, __import__("threading").excepthook)],
    "threads": sorted(__import__("re").sub(r"-[0-9]+$", "-N", t.name) for t in __import__("threading").enumerate()),  # anonymous ones numbered as made
    "modules with pydevd": sorted(m for m in sys.modules if "pydevd" in m)[:3],
    "comm targets": sorted(comm.get_comm_manager().targets),
    "shell": [type(ip).__name__, type(ip.kernel).__name__],
    "parent handle": __import__("ipykernel.kernelapp").kernelapp.IPKernelApp.instance().parent_handle,
    "poller": type(getattr(__import__("ipykernel.kernelapp").kernelapp.IPKernelApp.instance(), "poller", None)).__name__,
}, sort_keys=True))(
    __import__("json"), __import__("os"), __import__("signal"), __import__("sys"), __import__("warnings"),
    __import__("pandas"), __import__("plotly.io", fromlist=["io"]), __import__("comm"), get_ipython())
"""


def _fingerprint(km) -> dict:
    kc = km.blocking_client()
    kc.start_channels()
    try:
        msg_id = kc.execute("", silent=True, user_expressions={"f": FINGERPRINT})
        while (reply := kc.get_shell_msg(timeout=60))["parent_header"].get("msg_id") != msg_id:
            pass
    finally:
        kc.stop_channels()
    said = reply["content"]["user_expressions"]["f"]
    assert said["status"] == "ok", said
    found = json.loads(eval(said["data"]["text/plain"]))  # the repr of a str
    found["argv"] = [a if not a.endswith(".json") else "<connection file>" for a in found["argv"]]
    return found


def test_a_forked_kernel_is_the_kernel_papermill_would_start():
    """The report notebook's kernel, forked and spawned, after its warm-up imports (widgets, maps,
    charts, pandas): the same interpreter state as far as a notebook can see."""
    server = ForkServer()
    try:
        assert server.ready(), server.failed
        spawned, _ = start_kernel("03_report.ipynb")
        forked, _ = start_kernel("03_report.ipynb", server=server)
        try:
            assert type(forked.provisioner.process).__name__ == "ForkedProcess"
            assert type(spawned.provisioner.process).__name__ == "Popen"
            a, b = _fingerprint(spawned), _fingerprint(forked)
            # The one known difference: ipykernel adds a filter of its own (a RuntimeWarning of
            # Trio's) when it starts, so after the filters numpy adds as it loads in a spawned
            # kernel, before them in a forked one. The same filters; no warning meets both.
            assert sorted(a["warnings"]) == sorted(b["warnings"])
            a["warnings"], b["warnings"] = ([w for w in f["warnings"] if "Trio's signal" not in w] for f in (a, b))
            for key in a:
                assert a[key] == b[key], key
            assert a.keys() == b.keys() and len(a["pandas options"]) > 50
            assert a["plotly renderer"].startswith("plotly_mimetype") and "jupyter.widget" in a["comm targets"]
            assert a["pandas options"]["display.max_columns"] == "20"  # pandas knew it ran in a kernel
        finally:
            spawned.shutdown_kernel(now=True)
            forked.shutdown_kernel(now=True)
        assert forked.provisioner is None or not forked.has_kernel
    finally:
        server.close()


def test_closing_the_server_stops_the_kernels_it_forked():
    server = ForkServer()
    km, _ = start_kernel("01_curation.ipynb", server=server)
    process = km.provisioner.process
    assert process.poll() is None  # running
    server.close()
    assert process.wait(timeout=10) is not None
    km.cleanup_resources()


def test_the_server_refuses_a_package_that_asks_for_the_shell_while_loading(tmp_path, monkeypatch, capsys):
    """A package that looks at IPython's shell when imported (as plotly and ipywidgets do) would set
    itself up for the fork server, not for the kernel: the build starts its kernels the usual way,
    and says why."""
    (tmp_path / "shell_minded.py").write_text("from IPython import get_ipython\nSHELL = get_ipython()\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    monkeypatch.setattr(kernels, "LIBRARY_MODULES", (*kernels.LIBRARY_MODULES, "shell_minded"))
    server = ForkServer()
    pool = KernelPool(1, server=server)
    try:
        assert not server.ready()
        assert server.failed.startswith("shell_minded asked for IPython's shell")
        km, _ = pool.take("x/02_scoring.ipynb")
        assert type(km.provisioner.process).__name__ == "Popen"
        pool.release(km)
    finally:
        pool.close()
        server.close()
    assert "Kernels are started one by one, not forked: shell_minded asked" in capsys.readouterr().out


def test_a_kernel_with_another_environment_is_not_forked(monkeypatch):
    server = ForkServer()
    try:
        env = kernels.kernel_environment()
        cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", "x.json"]
        assert server.why_not(cmd, env, server.cwd) == ""
        env["PYTHONHASHSEED"] = "1"
        assert server.why_not(cmd, env, server.cwd) == "the kernel's environment differs from the fork server's: PYTHONHASHSEED"
        assert "not this Python's" in server.why_not(["/usr/bin/python3", *cmd[1:]], kernels.kernel_environment(), server.cwd)
        assert server.why_not(cmd, kernels.kernel_environment(), "/tmp").startswith("the kernel runs in /tmp")
    finally:
        server.close()


def test_the_server_refuses_a_package_that_starts_a_thread_while_loading(tmp_path, monkeypatch):
    """A thread is not copied into a forked process: the kernels would lack it."""
    (tmp_path / "threaded.py").write_text(
        "import threading, time\nthreading.Thread(target=time.sleep, args=(30,), name='poller', daemon=True).start()\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(tmp_path) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    monkeypatch.setattr(kernels, "LIBRARY_MODULES", (*kernels.LIBRARY_MODULES, "threaded"))
    server = ForkServer()
    try:
        assert not server.ready()
        assert "a package started a thread while loading (poller)" in server.failed
    finally:
        server.close()
