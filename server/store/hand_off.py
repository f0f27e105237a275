"""Blocking store code run on an asyncio event loop: waits become awaits, without a thread.

The plain functions that answer ``/sparql``, documents and the API are synchronous (Flask's views
call them in a thread each). The production front runs the same functions with :func:`call`, in a
greenlet on the event loop thread: where the query pool would block — waiting for an idle worker,
for a worker's socket to become readable — it asks :func:`suspended` whether it runs in such a
greenlet and, if so, hands an awaitable to the loop (:func:`wait_readable`, :class:`Waker`) and is
resumed with its result. Other requests run meanwhile; no thread hop, no executor.

Rule for callers: never suspend while holding a ``threading`` lock (another greenlet of the same
thread would deadlock on it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from greenlet import getcurrent, greenlet

T = TypeVar("T")


class _OnLoop(greenlet):  # type: ignore[misc]
    """A greenlet started by :func:`call`: its waits may suspend to the event loop."""

    loop: asyncio.AbstractEventLoop


async def call(function: Callable[..., T], *args: Any) -> T:
    """Run ``function(*args)`` on this event loop; its waits (see :func:`suspended`) are awaited here."""
    child = _OnLoop(function)
    child.loop = asyncio.get_running_loop()
    request = child.switch(*args)
    while not child.dead:
        try:
            value = await request
        except BaseException as exc:  # cancellation too: the blocked code sees it where it waited
            request = child.throw(exc)
        else:
            request = child.switch(value)
    result: T = request
    return result


def suspended() -> asyncio.AbstractEventLoop | None:
    """The event loop when the calling code runs under :func:`call` (its waits must suspend), else None."""
    current = getcurrent()
    return current.loop if isinstance(current, _OnLoop) else None


def wait(awaitable: Awaitable[T]) -> T:
    """Await ``awaitable`` from code running under :func:`call` (suspends this greenlet only)."""
    parent = getcurrent().parent
    assert parent is not None
    result: T = parent.switch(awaitable)
    return result


def wait_readable(fd: int, timeout_s: float) -> bool:
    """Under :func:`call`: whether ``fd`` (non-blocking: the loop makes it so) became readable within
    ``timeout_s`` (the loop watches it)."""
    return wait(_readable(fd, timeout_s))


async def _readable(fd: int, timeout_s: float) -> bool:
    loop = asyncio.get_running_loop()
    done: asyncio.Future[bool] = loop.create_future()
    loop.add_reader(fd, _settle, done, True)
    timer = loop.call_later(max(timeout_s, 0.0), _settle, done, False)
    try:
        return await done
    finally:
        loop.remove_reader(fd)
        timer.cancel()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop running in this thread, if any."""
    return asyncio._get_running_loop()


def _settle(future: asyncio.Future[bool], value: bool) -> None:
    if not future.done():
        future.set_result(value)


class Waker:
    """A wake-up call for code under :func:`call` that waits for a condition other threads may change:
    register it where they notify, then :meth:`sleep`; :meth:`wake` may be called from any thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._future: asyncio.Future[bool] = loop.create_future()

    def wake(self) -> None:
        if self._loop is _running_loop():  # woken on the loop's own thread: no self-pipe write needed
            _settle(self._future, True)
        else:
            self._loop.call_soon_threadsafe(_settle, self._future, True)

    def sleep(self, timeout_s: float) -> None:
        """Until :meth:`wake` (or ``timeout_s``); call without holding a lock."""
        wait(self._sleep(timeout_s))

    async def _sleep(self, timeout_s: float) -> None:
        timer = self._loop.call_later(max(timeout_s, 0.0), _settle, self._future, False)
        try:
            await self._future
        finally:
            timer.cancel()
