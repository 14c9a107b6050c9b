"""An open-loop load generator: requests start at a fixed rate, whatever the server does.

A closed loop (wrk, N connections each waiting for its answer) slows down with the
server and so hides queueing; here request i is due at `start + i / rate`, and its
latency is measured from when it was due (not from when a connection was free), so a
server that falls behind shows it in the tail instead of in a lower request rate.
Plain asyncio and HTTP/1.1 keep-alive, no dependency.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_CONNECTIONS = 256  # like a proxy's upstream pool: more waiting requests queue here


@dataclass
class Outcome:
    sent: int
    latencies: list[float]  # seconds, from due time to the last byte of the answer
    statuses: dict[int, int]
    late_starts: int  # requests the generator itself started more than 5 ms late

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def _exchange(reader, writer, raw: bytes) -> int:
    writer.write(raw)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    if length:
        await reader.readexactly(length)
    return status


async def _run(port: int, make: Callable[[int], bytes], rate: float, seconds: float) -> Outcome:
    idle: list[tuple] = []
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    late = 0

    open_slots = asyncio.Semaphore(MAX_CONNECTIONS)

    async def one(index: int, due: float) -> None:
        async with open_slots:  # waiting for a slot counts: latency runs from the due time
            await _one(index, due)

    async def _one(index: int, due: float) -> None:
        reused = bool(idle)
        conn = idle.pop() if reused else await asyncio.open_connection("127.0.0.1", port)
        try:
            status = await _exchange(*conn, make(index))
        except (OSError, asyncio.IncompleteReadError):
            conn[1].close()
            if not reused:
                statuses[-1] = statuses.get(-1, 0) + 1  # a fresh connection failed: an error
                return
            # the server had closed this idle keep-alive connection: send on a new one
            conn = await asyncio.open_connection("127.0.0.1", port)
            try:
                status = await _exchange(*conn, make(index))
            except (OSError, asyncio.IncompleteReadError):
                conn[1].close()
                statuses[-1] = statuses.get(-1, 0) + 1
                return
        latencies.append(time.perf_counter() - due)
        statuses[status] = statuses.get(status, 0) + 1
        idle.append(conn)

    total = int(rate * seconds)
    start = time.perf_counter() + 0.05
    tasks = []
    for index in range(total):
        due = start + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -0.005:
            late += 1
        tasks.append(asyncio.create_task(one(index, due)))
    await asyncio.gather(*tasks)
    for _, writer in idle:
        writer.close()
    return Outcome(total, latencies, statuses, late)


def run(port: int, make: Callable[[int], bytes], rate: float, seconds: float) -> Outcome:
    """Send `rate` requests per second for `seconds`; `make(i)` builds request i's bytes."""
    return asyncio.run(_run(port, make, rate, seconds))
