"""Pure work shared with a forked child: the same results as in one process, whatever the child does."""

from __future__ import annotations

import os
import signal
import time

import pytest

from milei_watch import forked
from tests.conftest import reaped


def _squares(part) -> list[int]:
    return [n * n for n in part]


@pytest.mark.parametrize("count", [0, 1, 2, 7, 1000])
def test_every_other_item_done_in_a_child_gives_the_results_of_one_process(forks, count: int) -> None:
    items = list(range(count))
    assert forked.interleaved(_squares, items) == _squares(items)
    assert len(forks) == 1 and reaped(forks[0])


def test_values_marshal_cannot_hold_come_back_pickled(forks) -> None:
    items = [frozenset({n}) for n in range(9)]

    def wrapped(part):
        return [(n, ValueError(str(n))) for n in part]

    results = forked.interleaved(wrapped, items, pickled=True)
    assert [n for n, _error in results] == items
    assert [str(error) for _n, error in results] == [str(n) for n in items]


def test_a_child_that_fails_has_its_items_done_here(forks) -> None:
    parent = os.getpid()

    def fails_in_the_child(part):
        if os.getpid() != parent:
            raise RuntimeError("the child's share fails")
        return _squares(part)

    assert forked.interleaved(fails_in_the_child, list(range(10))) == _squares(range(10))
    assert len(forks) == 1 and reaped(forks[0])


def test_an_error_in_the_childs_items_is_raised_here(forks) -> None:
    def refuses_odd(part):
        if any(n % 2 for n in part):
            raise TypeError("odd")
        return list(part)

    with pytest.raises(TypeError, match="odd"):
        forked.interleaved(refuses_odd, list(range(6)))
    assert len(forks) == 1 and reaped(forks[0])


def test_a_child_killed_before_it_answers_has_its_items_done_here(forks) -> None:
    parent = os.getpid()

    def killed_in_the_child(part):
        if os.getpid() != parent:
            os.kill(os.getpid(), 9)
        return _squares(part)

    assert forked.interleaved(killed_in_the_child, list(range(10))) == _squares(range(10))


def test_an_error_here_leaves_no_child(forks) -> None:
    parent = os.getpid()

    def fails_here(part):
        if os.getpid() == parent:
            raise KeyError("here")
        return list(part)

    with pytest.raises(KeyError):
        forked.interleaved(fails_here, list(range(6)))
    assert len(forks) == 1 and reaped(forks[0])


def test_everything_is_done_here_when_no_process_can_be_forked(monkeypatch) -> None:
    opened = len(os.listdir("/proc/self/fd"))

    def refused() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(forked.os, "fork", refused)
    assert forked.interleaved(_squares, list(range(10))) == _squares(range(10))
    assert len(os.listdir("/proc/self/fd")) == opened  # the pipe made for the child is closed


def test_a_child_dies_with_its_parent(tmp_path) -> None:
    """A build killed while its child works leaves no process behind (holding the build's lock)."""
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(
        "import os, sys, time\n"
        "from milei_watch import forked\n"
        "def slow(part):\n"
        "    if os.getpid() != parent:\n"
        "        print(os.getpid(), flush=True)\n"
        "    time.sleep(60)\n"
        "    return list(part)\n"
        "parent = os.getpid()\n"
        "forked.interleaved(slow, [1, 2])\n", "utf-8")
    process = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    child = int(process.stdout.readline())
    process.send_signal(signal.SIGKILL)
    process.wait()
    for _ in range(100):
        try:
            with open(f"/proc/{child}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    break  # dead, waiting for whoever adopted it to reap it
        except FileNotFoundError:
            break
        time.sleep(0.05)
    else:
        os.kill(child, signal.SIGKILL)
        raise AssertionError("the child outlived its parent")


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "here"])
def test_work_done_aside_gives_its_result_once_the_block_ends(forks, tmp_path, fork: bool) -> None:
    target = tmp_path / "written"

    def work():
        target.write_text("whole")  # the child's side effects are this process's too: one file system
        return ("token", [1, 2])

    with forked.Aside(work, fork) as aside:
        assert len(forks) == int(fork)
    assert not fork or reaped(forks[0])  # the block's end waited for the child
    assert aside.result() == ("token", [1, 2]) and target.read_text() == "whole"


def test_work_aside_whose_child_fails_is_done_here(forks) -> None:
    parent = os.getpid()
    done_here = []

    def work():
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        done_here.append(True)
        return None  # a result like any other, told apart from a failed child

    with forked.Aside(work, True) as aside:
        pass
    assert aside.result() is None and done_here == [True]
    assert len(forks) == 1 and reaped(forks[0])


def test_a_block_failing_while_work_is_aside_lets_the_child_finish(forks, tmp_path) -> None:
    target = tmp_path / "written"

    def work():
        time.sleep(0.3)  # still writing when the block fails
        target.write_text("whole")
        return True

    with pytest.raises(RuntimeError), forked.Aside(work, True):
        raise RuntimeError("the plan failed")
    assert len(forks) == 1 and reaped(forks[0])
    assert target.read_text() == "whole"  # finished, not killed half-way


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "here"])
def test_work_aside_is_busy_until_the_child_has_answered(forks, tmp_path, fork: bool) -> None:
    go = tmp_path / "go"

    def work():
        while not go.exists():  # held at its work until the test lets it go
            time.sleep(0.01)
        return "done"

    if not fork:
        go.touch()
    with forked.Aside(work, fork) as aside:
        if fork:
            assert aside.busy() and aside.busy()  # asking neither waits nor ends the child
            go.touch()
            deadline = time.monotonic() + 30
            while aside.busy() and time.monotonic() < deadline:
                time.sleep(0.01)
        assert not aside.busy()  # answered (or nothing forked: the work is done when asked for)
    assert aside.result() == "done"
    assert len(forks) == int(fork) and all(reaped(pid) for pid in forks)
