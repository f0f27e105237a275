"""The web process's end of a query worker's socket: length-prefixed messages, read ahead.

The framing is ``multiprocessing.connection.Connection.send_bytes``'s (a 4-byte signed big-endian
length, then the bytes), so the worker keeps its ``Connection``. This side is different: the socket
stays non-blocking, and whatever has arrived is read in one system call into a buffer, which
then yields whole messages. ``Connection.recv_bytes`` needed two reads per message (length, then
body) and a blocking socket, which an event loop watching the socket (``hand_off``) had to switch
back and forth with two ``fcntl`` calls per wait.

A worker serves one request at a time, so one thread (or the event loop) reads a channel at a time.
"""

from __future__ import annotations

import os
import select
import time
from collections.abc import Callable

#: The most bytes taken from the socket per read (a big answer arrives in 64 KiB chunks anyway).
READ_BYTES = 256 * 1024


class Channel:
    """Messages to and from one worker over a non-blocking stream socket ``fd`` (owned: ``close`` closes it)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        os.set_blocking(fd, False)
        self._buffer = bytearray()
        self._ended = False  # the worker closed its end
        self.closed = False

    def fileno(self) -> int:
        return self._fd

    def send(self, data: bytes) -> None:
        """Write one message whole (the worker reads it at once; a full socket buffer is waited out)."""
        view = memoryview(len(data).to_bytes(4, "big", signed=True) + data)
        while view:
            try:
                view = view[os.write(self._fd, view):]
            except BlockingIOError:
                _ready(self._fd, select.POLLOUT, 1.0)

    def has_message(self) -> bool:
        """Whether a whole message, or the end of the stream, is already here."""
        buffer = self._buffer
        return self._ended or (len(buffer) >= 4 and len(buffer) >= 4 + int.from_bytes(buffer[:4], "big", signed=True))

    def fill(self) -> None:
        """Read whatever has arrived (nothing when nothing has: the socket does not block)."""
        try:
            data = os.read(self._fd, READ_BYTES)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            self._buffer += data
        else:
            self._ended = True

    def poll(self, timeout_s: float, wait_readable: Callable[[int, float], bool] | None = None) -> bool:
        """Whether a whole message (or the end) is here within ``timeout_s``: waiting blocks this thread,
        or is ``wait_readable(fd, seconds)`` (an event loop's wait, ``hand_off.wait_readable``)."""
        wait = wait_readable or _readable
        deadline = time.monotonic() + timeout_s
        while not self.has_message():
            if not wait(self._fd, max(deadline - time.monotonic(), 0.0)):
                return False
            self.fill()
        return True

    def receive(self) -> bytes:
        """The next whole message; EOFError when the worker is gone (call after ``has_message``)."""
        buffer = self._buffer
        if len(buffer) >= 4:
            size = int.from_bytes(buffer[:4], "big", signed=True)
            if len(buffer) >= 4 + size:
                message = bytes(buffer[4:4 + size])
                del buffer[:4 + size]
                return message
        raise EOFError("query worker closed its socket")

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self._fd)


def _ready(fd: int, events: int, timeout_s: float) -> bool:
    """Whether ``fd`` became ready for ``events`` within ``timeout_s`` (poll: any descriptor number)."""
    poller = select.poll()
    poller.register(fd, events)
    return bool(poller.poll(max(timeout_s, 0.0) * 1000))


def _readable(fd: int, timeout_s: float) -> bool:
    return _ready(fd, select.POLLIN, timeout_s)
