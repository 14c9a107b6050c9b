"""The README's commands work when pasted as written (issue 18).

Outside the production sections every `flask` command carries `MOCKLOOP_ENV=development`
itself (pasted alone, a command would otherwise run as production and refuse to start), the
Makefile's `run` honours `PORT`, and the accounts block really runs against a fresh
development database.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PRODUCTION_SECTIONS = ("Production: one host", "Running several hosts")
FLASK = re.compile(r"(?:^|[\s`|])(?:\.venv/bin/)?flask\s+(?:--app\s+\S+\s+)?[a-z]")


def _sections() -> dict[str, str]:
    parts = re.split(r"^## (.+)$", README, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _blocks(text: str) -> list[str]:
    return re.findall(r"^```(?:sh)?\n(.*?)^```", text, flags=re.M | re.S)


def test_every_development_command_block_sets_the_environment_inline():
    missing = []
    for title, body in {"intro": README.split("\n## ", 1)[0], **_sections()}.items():
        if title in PRODUCTION_SECTIONS:
            continue
        for block in _blocks(body):
            for line in block.splitlines():
                if FLASK.search(line) and "MOCKLOOP_ENV=development" not in line:
                    missing.append((title, line))
    assert missing == []


def _dry_run(*args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PORT"}
    result = subprocess.run(
        ["make", "-n", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_serves_on_port_5000_or_the_port_given():
    assert "flask run --host 127.0.0.1 --port 5000" in _dry_run("run")
    assert "flask run --host 127.0.0.1 --port 5001" in _dry_run("run", "PORT=5001")


def test_make_demo_seeds_the_development_database():
    lines = _dry_run("demo").splitlines()
    assert any("MOCKLOOP_ENV=development" in line and "flask demo seed" in line for line in lines)
    assert "make demo" in README


def test_the_accounts_block_runs_as_pasted(tmp_path):
    block = _blocks(_sections()["Accounts and roles"])[0]
    runnable = [line.split("  #")[0] for line in block.splitlines() if "prompts" not in line]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOCKLOOP_", "DATABASE"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'readme.db'}"
    env.pop("REDIS_URL", None)
    script = "set -e\nMOCKLOOP_ENV=development .venv/bin/flask --app wsgi db upgrade\n"
    script += "MOCKLOOP_ENV=development .venv/bin/flask --app wsgi users create "
    script += "someone@example.com --password-stdin <<< 'another long passphrase'\n"
    script += "\n".join(runnable) + "\n"
    result = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Created coach coach@example.com" in result.stdout
