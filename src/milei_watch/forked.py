"""Pure work shared with a forked copy of this process: every other item is the child's.

A build's long pure steps (parsing ten thousand front matters, scoring related articles, keying
fifteen thousand pages) use one core while the other waits for the render pool. `interleaved`
gives a forked child every other item, does the rest here, and takes the child's results back
through a pipe: interleaved rather than halved, so that each process gets as many of the costly
items (long listings, long files) as the other. `Aside` gives a forked child work whose result
this process needs only later (saving the build's state while it plans).

The child inherits everything and hands back only the results, serialised (marshal, or pickle for
values marshal cannot hold). It never returns into the caller's code: whatever happens, it ends
with os._exit, so no cleanup of the parent's (a lock, a temporary folder) runs twice, and it dies
with its parent. Should it fail in any way, or no process be forked, this process does the child's
items itself, so an error is raised here as it would be without a child.
"""

from __future__ import annotations

import gc
import marshal
import os
import pickle
import select
import signal
import sys
from typing import Any, Callable, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def interleaved(work: Callable[[Sequence[Item]], list[Result]], items: Sequence[Item], *,
                pickled: bool = False) -> list[Result]:
    """`work(items)`, with every other item's result computed in a forked child: `work` must map a
    sequence of items to the list of their results, one each, in order, and be pure."""
    theirs, ours = items[1::2], items[::2]
    try:
        child = Forked(lambda: work(theirs), pickled=pickled)
    except OSError:  # no process to spare (EAGAIN, ENOMEM): every item is done here
        return work(items)
    try:
        mine = work(ours)
        rest = child.result()
    finally:
        child.reap()
    if not (isinstance(rest, list) and len(rest) == len(theirs)):
        rest = work(theirs)
    results: list[Any] = [None] * len(items)
    results[::2], results[1::2] = mine, rest
    return results


class Forked:
    """A function run in a forked copy of this process, its result sent back through a pipe."""

    def __init__(self, work: Callable[[], Any], *, pickled: bool = False) -> None:
        self.loads = pickle.loads if pickled else marshal.loads
        read_end, write_end = os.pipe()
        parent = os.getpid()
        try:
            self.pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            raise
        if self.pid == 0:
            status = 1
            try:
                os.close(read_end)
                _end_with(parent)
                gc.disable()  # the inherited heap is not this short life's to traverse
                result = work()
                data = pickle.dumps(result, pickle.HIGHEST_PROTOCOL) if pickled else marshal.dumps(result)
                view = memoryview(data)
                while view:
                    view = view[os.write(write_end, view):]
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        self.pipe = os.fdopen(read_end, "rb")

    def result(self) -> Any | None:
        """What the child computed, or None when it failed."""
        data = self.pipe.read()
        _pid, status = os.waitpid(self.pid, 0)
        self.pid = 0
        if status != 0:
            return None
        try:
            return self.loads(data)
        except Exception:  # cut short or damaged: the caller does the work itself
            return None

    def reap(self) -> None:
        """Stop and reap the child if its result was never asked for (the caller failed first)."""
        self.pipe.close()
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self.pid, 0)
            self.pid = 0


class Aside:
    """Work that a forked child does while this process goes on (when `fork`), in a `with` block
    whose end waits for the child; `result()` then gives what it computed, or computes it here
    should the child have failed, or none been forked. The work may write files (the build's
    state): a block left by an exception lets the child finish rather than kill it mid-write."""

    def __init__(self, work: Callable[[], Any], fork: bool, *, pickled: bool = False) -> None:
        self.work = work
        self.child: Forked | None = None
        self.answer: tuple | None = None  # (result,) once the child gave it
        if fork and hasattr(os, "fork"):
            try:
                self.child = Forked(lambda: (work(),), pickled=pickled)
            except OSError:  # no process to spare: done by result()
                pass

    def __enter__(self) -> Aside:
        return self

    def __exit__(self, *exc: object) -> None:
        child, self.child = self.child, None
        if child is not None:
            try:
                answer = child.result()
            finally:
                child.reap()
            self.answer = answer if isinstance(answer, tuple) and len(answer) == 1 else None

    def busy(self) -> bool:
        """True while the child is still at its work (it has sent nothing yet, nor ended)."""
        child = self.child
        if child is None:
            return False
        readable, _writable, _failed = select.select([child.pipe], [], [], 0)
        return not readable

    def result(self) -> Any:
        """The work's result: the child's, or computed here."""
        self.__exit__()
        return self.answer[0] if self.answer is not None else self.work()


def _end_with(parent: int) -> None:
    """In the child: be killed when the parent dies (Linux), so that a build killed mid-step leaves
    no process behind holding its lock; where that cannot be asked, the closed pipe ends the child
    once its work is done."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
