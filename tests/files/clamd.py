"""A private ClamAV daemon for the test session.

It listens on a free port of 127.0.0.1 and its database holds one signature
only: the EICAR test file's MD5, made at run time with ``sigtool``. The EICAR
string is put together here from two halves, so it is in no file of the
repository (a virus scanner on a developer's machine would flag it).
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

EICAR_SIGNATURE = "Eicar-Test-Signature"
"""The name our database gives the EICAR hash."""
REPORTED_SIGNATURE = f"{EICAR_SIGNATURE}.UNOFFICIAL"
"""What clamd reports: it marks signatures outside its official databases."""
STREAM_MAX_BYTES = 20 * 1024 * 1024
"""The daemon's ``StreamMaxLength``: small, so exceeding it is quick to test."""
START_SECONDS = 60.0

_EICAR_HALVES = (r"X5O!P%@AP[4\PZX54(P^)7CC)7}$", "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")
_HDB_LINE = re.compile(rf"^[0-9a-f]{{32}}:68:{EICAR_SIGNATURE}$")


def eicar() -> bytes:
    """The 68 bytes of the EICAR anti-virus test file."""
    return "".join(_EICAR_HALVES).encode("ascii")


@dataclass
class Clamd:
    """A running private clamd."""

    process: subprocess.Popen[bytes]
    port: int
    directory: Path

    @property
    def url(self) -> str:
        return f"clamd://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """Terminate the daemon and wait for it (kill it if it lingers)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log(self) -> str:
        """The daemon's log and console output, for failure messages."""
        parts = (self.directory / "clamd.log", self.directory / "console.log")
        return "\n".join(p.read_text(errors="replace") for p in parts if p.exists())


def start_clamd(directory: Path) -> Clamd:
    """Start clamd in ``directory`` and return once it answers ``PING``.

    Raises ``RuntimeError`` (so the tests fail, not skip) when ClamAV is not
    installed or the daemon does not come up."""
    clamd = _binary("clamd")
    database = directory / "db"
    database.mkdir()
    _write_eicar_database(database, directory)
    port = _free_port()
    config = directory / "clamd.conf"
    config.write_text(_config(directory, database, port))
    with (directory / "console.log").open("wb") as console:
        process = subprocess.Popen(  # noqa: S603 - our own arguments
            [clamd, "--config-file", str(config)], stdout=console, stderr=subprocess.STDOUT
        )
    daemon = Clamd(process, port, directory)
    _wait_until_answering(daemon)
    return daemon


def _binary(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if found is None:
        raise RuntimeError(f"{name} is not installed: run scripts/ensure-services.sh")
    return found


def _write_eicar_database(database: Path, work: Path) -> None:
    # sigtool names the signature after the file it hashed, as given.
    (work / EICAR_SIGNATURE).write_bytes(eicar())
    line = subprocess.run(  # noqa: S603 - our own arguments
        [_binary("sigtool"), "--md5", EICAR_SIGNATURE],
        cwd=work,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not _HDB_LINE.match(line):
        raise RuntimeError(f"unexpected sigtool --md5 output: {line!r}")
    (database / "eicar.hdb").write_text(line + "\n")
    (work / EICAR_SIGNATURE).unlink()


def _config(directory: Path, database: Path, port: int) -> str:
    # No LocalSocket and no User: a TCP socket of our own, run as whoever
    # runs the tests. MaxFileSize/MaxScanSize match the stream limit so the
    # limit that trips is StreamMaxLength.
    return "\n".join(
        [
            "Foreground yes",
            f"TCPSocket {port}",
            "TCPAddr 127.0.0.1",
            f"DatabaseDirectory {database}",
            f"LogFile {directory / 'clamd.log'}",
            "LogTime yes",
            f"PidFile {directory / 'clamd.pid'}",
            f"StreamMaxLength {STREAM_MAX_BYTES // (1024 * 1024)}M",
            f"MaxFileSize {STREAM_MAX_BYTES // (1024 * 1024)}M",
            f"MaxScanSize {STREAM_MAX_BYTES // (1024 * 1024)}M",
            "",
        ]
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_answering(daemon: Clamd) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if daemon.process.poll() is not None:
            raise RuntimeError(f"clamd exited with {daemon.process.returncode}:\n{daemon.log()}")
        if _pong(daemon.port):
            return
        time.sleep(0.1)
    daemon.stop()
    raise RuntimeError(f"clamd did not answer PING within {START_SECONDS:g} s:\n{daemon.log()}")


def _pong(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"zPING\0")
            return connection.recv(16) == b"PONG\0"
    except OSError:
        return False
