"""The WordLlama model loads from the wheel's own files without any network call."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter, with every socket refused before anything is imported, so
# a download attempt anywhere (requests, huggingface_hub, tokenizers) raises.
NO_NETWORK = textwrap.dedent(
    """
    import logging, socket, sys
    from pathlib import Path

    class NoNetwork(OSError):
        pass

    def refuse(*args, **kwargs):
        raise NoNetwork("network call attempted")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.socket.sendto = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse

    from app.embeddings import shared_matcher

    assert logging.getLogger().handlers == [], logging.getLogger().handlers
    matcher = shared_matcher(Path(sys.argv[1]))
    assert shared_matcher(Path(sys.argv[1])) is matcher
    on, off = matcher.similarities(
        ["Two billion a day is about 23k queries per second on average and 58k at peak."],
        ["Converts daily volume into average and peak QPS", "Talks about the team culture"],
    )[0]
    print(round(on, 3), round(off, 3))
    """
)


def run_offline(cache_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", NO_NETWORK, str(cache_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def test_model_loads_and_embeds_with_sockets_refused(tmp_path):
    result = run_offline(tmp_path)
    assert result.returncode == 0, result.stderr
    on, off = map(float, result.stdout.split())
    assert on > off + 0.1
    assert (tmp_path / "tokenizers" / "l2_supercat_tokenizer_config.json").exists()


def test_the_guard_would_catch_a_download(tmp_path):
    """The same guard makes wordllama's default load (which downloads) fail."""
    code = NO_NETWORK.replace(
        "from app.embeddings import shared_matcher",
        "from wordllama import WordLlama\nWordLlama.load(cache_dir=Path(sys.argv[1]))",
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0
    assert "network call attempted" in result.stderr or "NoNetwork" in result.stderr


CONCURRENT = textwrap.dedent(
    """
    import sys, threading
    from pathlib import Path

    from app.embeddings import shared_matcher

    found, failed = [], []

    def load():
        try:
            found.append(shared_matcher(Path(sys.argv[1])))
        except Exception as error:  # what a worker thread would have turned into a 500
            failed.append(repr(error))

    threads = [threading.Thread(target=load) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failed, failed
    assert len({id(matcher) for matcher in found}) == 1  # loaded once, shared
    print("ok")
    """
)


def test_workers_loading_at_the_same_moment_all_get_the_model(tmp_path):
    """Two worker processes, each with six threads, load into one fresh folder at once:
    none sees a half-copied tokenizer file (once an HTTP 500), each process loads once."""
    command = [sys.executable, "-c", CONCURRENT, str(tmp_path)]
    env = {"HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    workers = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    for worker in workers:
        out, err = worker.communicate(timeout=180)
        assert worker.returncode == 0, err
        assert out.strip() == "ok"
    left = sorted(p.name for p in (tmp_path / "tokenizers").iterdir())
    assert left == ["l2_supercat_tokenizer_config.json"]  # no temporary file left behind
