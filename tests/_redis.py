"""A real redis-server for the shared-state tests (no mock): started on a free loopback port in a
temp dir with persistence off, stopped at the end. ``.ci/run`` installs the Debian package.

Imported as ``from _redis import RedisServer`` (pytest puts ``tests/`` on ``sys.path``); the
``redis_server`` / ``redis_url`` fixtures live in conftest.py.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# exec the command after asking Linux for a SIGTERM when the test process dies (PR_SET_PDEATHSIG
# survives the exec): a killed pytest leaves no redis-server behind. Start it from the main thread.
_EXEC_DYING_WITH_PARENT = ("import ctypes, os, signal, sys; ctypes.CDLL(None).prctl(1, signal.SIGTERM); "
                           "os.execv(sys.argv[1], sys.argv[1:])")


def free_port() -> int:
    # redis-server cannot bind port 0 and report it: take a free port from the kernel first
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self) -> None:
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.dir = Path(tempfile.mkdtemp(prefix="claw-redis-"))
        self.port = 0
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, port: int | None = None) -> RedisServer:
        """Start (or restart on the same port, when ``port`` is given)."""
        if not Path(self.binary).exists():
            raise RuntimeError("the shared-state tests need redis-server: apt-get install -y redis-server "
                               "(.ci/run installs it)")
        for _ in range(5):  # another process may grab the free port between bind and start
            self.port = port or free_port()
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _EXEC_DYING_WITH_PARENT,
                 self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(self.dir), "--protected-mode", "yes",
                 "--loglevel", "warning"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if self._wait_ready():
                return self
            self.stop()
            if port:
                break
        raise RuntimeError("redis-server did not start")

    def _wait_ready(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as c:
                    c.sendall(b"PING\r\n")
                    if c.recv(16).startswith(b"+PONG"):
                        return True
            except OSError:
                pass
            time.sleep(0.02)
        return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def flush(self) -> None:
        import redis

        redis.Redis.from_url(self.url).flushall()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
