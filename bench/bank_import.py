"""Time `flask bank validate/import/export` on the real bank (question_bank/).

Run: `.venv/bin/python -m bench.bank_import [--database-url URL]` (SQLite in a temporary
folder by default; a given database must be empty). Prints the median of a few runs for
each step; no assertions.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from app import create_app
from app.bank import transfer
from app.bank.files import reading
from app.clock import utcnow
from app.extensions import db


def timed(fn, runs: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
        source = app.config["QUESTION_BANK_DIR"]
        with app.app_context():
            db.create_all()
            read_s, files = timed(lambda: reading.read_bank(source))
            assert files.ok, [str(p) for p in files.problems[:5]]
            first_s, report = timed(lambda: transfer.import_bank(files, now=utcnow()), runs=1)
            again_s, again = timed(
                lambda: transfer.import_bank(reading.read_bank(source), now=utcnow())
            )
            export_s, _ = timed(lambda: transfer.export_bank(Path(tmp) / "export"))
            db.session.remove()
        print(f"bank: {len(files.questions)} questions, {len(files.rubrics)} rubrics")
        print(f"validate (read + check):        {read_s * 1000:8.1f} ms")
        print(f"first import (empty database):  {first_s * 1000:8.1f} ms")
        print(f"re-import (validate + no-op):   {again_s * 1000:8.1f} ms  {again.lines()[3]}")
        print(f"export:                         {export_s * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
