"""The wheel runs outside the checkout: code, templates, static files, migrations, the bank.

Builds the wheel once, installs it (without dependencies: the test's own environment has
them) into a folder of its own, and from a working directory outside the checkout runs
`flask db upgrade`, `flask bank import` and serves two pages.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from app.config import SOURCE_ROOT


def _canonical(name: str) -> str:
    """A project name as PEP 503 compares them (`ruamel.yaml` is pinned as `ruamel-yaml`)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _names(requirements: list[str]) -> set[str]:
    return {_canonical(re.split(r"[<>=!~\[; ]", item, maxsplit=1)[0]) for item in requirements}


@pytest.mark.parametrize(
    ("lock", "extras"), [("requirements.lock", ()), ("requirements-test.lock", ("test",))]
)
def test_the_lock_files_pin_every_dependency_with_hashes(lock, extras):
    """`make lock` was run after the last change to pyproject's dependencies."""
    project = tomllib.loads((SOURCE_ROOT / "pyproject.toml").read_text())["project"]
    wanted = _names(project["dependencies"])
    for extra in extras:
        wanted |= _names(project["optional-dependencies"][extra])
    text = (SOURCE_ROOT / lock).read_text()
    pinned = {_canonical(m.group(1)) for m in re.finditer(r"(?m)^([A-Za-z0-9_.-]+)==\S+ \\$", text)}
    assert wanted <= pinned, f"run `make lock`: {sorted(wanted - pinned)} not in {lock}"
    assert "--hash=sha256:" in text and "file://" not in text and "--find-links" not in text


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp), str(SOURCE_ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = tmp.glob("mockloop-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    sources = {str(path.relative_to(SOURCE_ROOT)) for path in (SOURCE_ROOT / "app").rglob("*.py")}
    assert sources <= names, f"left out of the wheel: {sorted(sources - names)[:10]}"
    site = tmp / "site"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(site),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return site


def run(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOCKLOOP_", "DATABASE"))}
    env.update(
        PYTHONPATH=str(site),
        MOCKLOOP_ENV="production",
        MOCKLOOP_ALLOW_SINGLE_HOST="1",
        SECRET_KEY="wheel-test",
        DATABASE_URL=f"sqlite:///{cwd / 'wheel.db'}",
        FLASK_APP="app:create_app()",
    )
    env.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
def test_the_installed_wheel_migrates_imports_the_bank_and_serves(installed, tmp_path):
    where = run(
        installed, tmp_path, "-c", "import app, app.config as c; print(app.__file__, c.ROOT)"
    )
    assert where.returncode == 0, where.stderr
    assert str(installed) in where.stdout and str(SOURCE_ROOT / "app") not in where.stdout

    upgraded = run(installed, tmp_path, "-m", "flask", "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr[-2000:]
    imported = run(installed, tmp_path, "-m", "flask", "bank", "import")
    assert imported.returncode == 0, imported.stderr[-2000:]

    pages = run(
        installed,
        tmp_path,
        "-c",
        "from app import create_app\n"
        "client = create_app().test_client()\n"
        "for path in ('/login', '/static/css/app.css', '/healthz'):\n"
        "    print(path, client.get(path).status_code)\n"
        "from app.accounts.passwords import password_problem\n"
        "print('common', bool(password_problem('password1234')))\n",
    )
    assert pages.returncode == 0, pages.stderr[-2000:]
    assert "/login 200" in pages.stdout and "/static/css/app.css 200" in pages.stdout
    assert "/healthz 200" in pages.stdout and "common True" in pages.stdout
