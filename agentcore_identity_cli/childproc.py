"""Running a child process the way `run` does: its environment, its output masked, its signals.

The child inherits stdin (a terminal stays a terminal for what it reads) and, with masking,
writes stdout and stderr into pipes that this process reads, masks (masking.py) and copies
to its own. It stays in this process's group, as it would under a shell, so a terminal's
Ctrl-C reaches it directly.

Signals: SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 sent to this process are sent
on to the child. On Linux the signals are taken with sigwaitinfo, which says who sent each:
one that the terminal sent to the whole foreground group (Ctrl-C, Ctrl-\\, a hang-up) has
reached the child already and is not sent twice. Elsewhere every one is sent on.

The exit code is the child's, or 128+N when a signal N ended it, as shells report it;
127 when the command is not found and 126 when it cannot be executed, as env(1) does.
"""

from __future__ import annotations

import codecs
import logging
import os
import select
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from typing import IO, Any

from agentcore_identity_cli.masking import IDLE_SECONDS, StreamMasker

log = logging.getLogger(__name__)
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)
EXIT_NOT_FOUND = 127
EXIT_NOT_EXECUTABLE = 126
_SI_KERNEL = 0x80  # Linux: si_code of a signal the kernel sent (a terminal's, to its foreground group)
_CHUNK = 65536


class CommandStartError(Exception):
    """The command could not be started; carries the exit code a shell would give."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Sink:
    """Where one masked stream goes: a file descriptor, or a text stream without one (tests)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.fd: int | None = None
        try:
            self.fd = stream.fileno()
        except (AttributeError, OSError, ValueError):
            self.fd = None
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def write(self, data: bytes) -> None:
        """Write all of data; BrokenPipeError when the reader has gone."""
        if not data:
            return
        if self.fd is None:
            self.stream.write(self._decoder.decode(data))
            self.stream.flush()
            return
        view = memoryview(data)
        while view:
            try:
                written = os.write(self.fd, view)
            except InterruptedError:
                continue
            except BlockingIOError:
                waiter = select.poll()
                waiter.register(self.fd, select.POLLOUT)
                waiter.poll()
                continue
            view = view[written:]


def _pump(source: int, sink: Sink, masker: StreamMasker) -> None:
    """Copy one pipe to its sink, masked, until the child (and whatever inherited the pipe) closes it."""
    poller = select.poll()
    poller.register(source, select.POLLIN)
    try:
        while True:
            if not poller.poll(IDLE_SECONDS * 1000 if masker.holding else None):
                sink.write(masker.release())  # the child went quiet: let a held tail go
                continue
            try:
                data = os.read(source, _CHUNK)
            except InterruptedError:
                continue
            if not data:
                sink.write(masker.finish())
                return
            sink.write(masker.feed(data))
    except OSError:
        # Our own stdout or stderr failed (its reader went away, `| head`): stop copying. Closing
        # the pipe below ends the child's next write with SIGPIPE, as in a shell pipeline.
        return
    finally:
        os.close(source)


def _spawn(argv: Sequence[str], env: Mapping[str, str], actions: list[tuple[Any, ...]], mask: set[int]) -> int:
    """posix_spawnp the command with the signal mask it should have and default SIGPIPE/SIGXFSZ
    (Python ignores SIGPIPE; a child must not inherit that)."""
    defaults = [signal.SIGPIPE] + ([signal.SIGXFSZ] if hasattr(signal, "SIGXFSZ") else [])
    try:
        return os.posix_spawnp(
            argv[0], list(argv), dict(env), file_actions=actions, setsigmask=mask, setsigdef=defaults
        )
    except FileNotFoundError:
        raise CommandStartError(f"{argv[0]}: command not found", EXIT_NOT_FOUND) from None
    except PermissionError:
        raise CommandStartError(f"{argv[0]}: permission denied", EXIT_NOT_EXECUTABLE) from None
    except OSError as exc:
        raise CommandStartError(f"{argv[0]}: {exc.strerror}", EXIT_NOT_EXECUTABLE) from None


def exit_code(status: int) -> int:
    """The shell's exit code for a wait status: the code, or 128+N for signal N."""
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.waitstatus_to_exitcode(status)


def run_child(
    argv: Sequence[str],
    env: Mapping[str, str],
    *,
    secrets: Sequence[bytes],
    stdout: IO[str],
    stderr: IO[str],
    masking: bool = True,
) -> int:
    """Run argv with env, masking `secrets` in its output unless masking is off; its exit code."""
    for stream in (stdout, stderr):
        stream.flush()
    wanted: set[int] = {*FORWARDED, signal.SIGCHLD}
    main = threading.current_thread() is threading.main_thread()
    watch = hasattr(signal, "sigwaitinfo") and main
    # A SIGCHLD ignored by whoever started us would reap the child before we could wait for it.
    reaped = main and signal.getsignal(signal.SIGCHLD) == signal.SIG_IGN
    if reaped:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    # Blocked before the child exists, so that no signal for it can slip by; the child gets
    # the mask this process had.
    original = signal.pthread_sigmask(signal.SIG_BLOCK, wanted) if watch else set()
    try:
        pid, pumps = _start(argv, env, set(original), [(stdout, secrets), (stderr, secrets)] if masking else [])
        status = _wait(pid, watch)
    finally:
        if watch:
            _drain_pending(wanted)
            signal.pthread_sigmask(signal.SIG_SETMASK, original)
        if reaped:
            signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    for pump in pumps:
        while pump.is_alive():  # until the pipes close; Ctrl-C still ends the wait
            pump.join(0.1)
    return exit_code(status)


def _start(
    argv: Sequence[str], env: Mapping[str, str], mask: set[int], masked: list[tuple[IO[str], Sequence[bytes]]]
) -> tuple[int, list[threading.Thread]]:
    """Spawn the child, its stdout and stderr into pipes when masked; start a pump for each pipe."""
    actions: list[tuple[Any, ...]] = []
    ours: list[int] = []
    theirs: list[int] = []
    try:
        for target, _ in enumerate(masked, start=1):
            read_end, write_end = os.pipe()  # both close-on-exec; dup2 gives the child its own
            ours.append(read_end)
            theirs.append(write_end)
            actions.append((os.POSIX_SPAWN_DUP2, write_end, target))
        pid = _spawn(argv, env, actions, mask)
    except BaseException:
        for fd in ours:
            os.close(fd)
        raise
    finally:
        for fd in theirs:
            os.close(fd)
    pumps: list[threading.Thread] = []
    for fd, (stream, secrets) in zip(ours, masked, strict=True):
        pump = threading.Thread(target=_pump, args=(fd, Sink(stream), StreamMasker(secrets)), daemon=True)
        pump.start()
        pumps.append(pump)
    return pid, pumps


def _wait(pid: int, watch: bool) -> int:
    if watch:
        return _wait_forwarding(pid)
    if threading.current_thread() is threading.main_thread():
        return _wait_with_handlers(pid)
    return os.waitpid(pid, 0)[1]  # signal handlers can only be set on the main thread


def _wait_forwarding(pid: int) -> int:
    """Wait for the child, sending on the signals this process receives (Linux: sigwaitinfo)."""
    wanted: set[int] = {*FORWARDED, signal.SIGCHLD}
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        info = signal.sigwaitinfo(wanted)
        if info.si_signo == signal.SIGCHLD:
            continue
        name = signal.Signals(info.si_signo).name
        if info.si_code == _SI_KERNEL and sys.platform.startswith("linux"):
            # The terminal signalled the whole foreground group: the child has it already.
            log.debug("%s came from the terminal to the whole process group; not sent again", name)
            continue
        log.debug("%s received: sending it to the child (pid %d)", name, pid)
        _send(pid, info.si_signo)


def _wait_with_handlers(pid: int) -> int:
    """Wait for the child, sending on every forwarded signal (no sigwaitinfo on this platform)."""
    previous: dict[signal.Signals, Any] = {}

    def forward(signum: int, _frame: Any) -> None:
        log.debug("%s received: sending it to the child (pid %d)", signal.Signals(signum).name, pid)
        _send(pid, signum)

    for signum in FORWARDED:
        previous[signum] = signal.signal(signum, forward)
    try:
        while True:
            try:
                _, status = os.waitpid(pid, 0)
                return status
            except InterruptedError:
                continue
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


def _send(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass  # it has just ended; waitpid reports how


def _drain_pending(wanted: set[int]) -> None:
    """Take signals that arrived after the child ended, so that unblocking them does nothing."""
    while signal.sigtimedwait(wanted, 0) is not None:
        pass
