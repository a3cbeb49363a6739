"""make run under a terminal: Ctrl-C reaches the server alone, so make exits 0, not 130."""

import os
import pty
import time

from tests.conftest import ROOT

CHILD = """#!/usr/bin/env bash
trap 'echo stopped cleanly; exit 0' INT
echo serving
while true; do sleep 0.05; done
"""


def _make_under_a_terminal(tmp_path, recipe: str) -> tuple[str, int]:
    """Run ``make`` with a pseudo-terminal, press Ctrl-C once it serves; (output, exit code)."""
    child = tmp_path / "child.sh"
    child.write_text(CHILD)
    child.chmod(0o755)
    (tmp_path / "Makefile").write_text(f"run:\n\t@{recipe} {child}\n")
    pid, terminal = pty.fork()
    if pid == 0:  # the child: make, in the terminal's foreground like a user's
        os.chdir(tmp_path)
        os.execvp("make", ["make", "-s", "run"])
    output = b""
    deadline = time.monotonic() + 10
    while b"serving" not in output and time.monotonic() < deadline:
        output += os.read(terminal, 1024)
    os.write(terminal, b"\x03")
    while time.monotonic() < deadline:
        try:
            data = os.read(terminal, 1024)
        except OSError:  # the terminal closed: every process on it ended
            break
        if not data:
            break
        output += data
    _, status = os.waitpid(pid, 0)
    return output.decode(errors="replace"), os.waitstatus_to_exitcode(status)


def test_ctrl_c_stops_a_server_started_through_foreground_and_make_exits_0(tmp_path):
    output, code = _make_under_a_terminal(tmp_path, ROOT / "scripts" / "foreground")

    assert "stopped cleanly" in output
    assert code == 0
    assert "***" not in output  # no make error line


def test_without_foreground_make_itself_ends_by_the_ctrl_c(tmp_path):
    """Why foreground exists: the same server straight under make, and make dies by SIGINT."""
    output, code = _make_under_a_terminal(tmp_path, "exec")

    assert "stopped cleanly" in output
    assert code == -2
