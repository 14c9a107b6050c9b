"""`python -m bench.http_load` serves every app with each gunicorn worker on a listening
socket of its own (`--reuse-port`), so the kernel spreads wrk's connections over the
workers. On one shared socket a run could find all 16 connections on one worker and
measure half the server (bench/http_load.py, GUNICORN)."""

import os
import re
import shutil
import subprocess

import pytest

from bench.http_load import serve, stop, worker_pids


@pytest.mark.skipif(not shutil.which("ss"), reason="needs ss (iproute2) to list sockets")
def test_each_bench_worker_listens_on_a_socket_of_its_own(tmp_path):
    process, port = serve("bench.http_app:hello", dict(os.environ), tmp_path / "gunicorn.log")
    try:
        listed = subprocess.run(
            ["ss", "-ltnpH", f"( sport = :{port} )"], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        holders = [{int(pid) for pid in re.findall(r"pid=(\d+)", line)} for line in listed]
        workers = worker_pids(process)
        assert len(workers) == 2
        # one listening socket per worker, each held by that worker alone (not the master)
        assert sorted(map(sorted, holders)) == sorted([pid] for pid in workers)
    finally:
        stop(process)
