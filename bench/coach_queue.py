"""Time /coach/queue and /coach/ in-process against a scale-seeded PostgreSQL database.

    python -m bench.coach_queue 1k|100k [--noseed]   (database: BENCH_DATABASE_URL)

"before" approximates the old page (no count cap, every linked candidate in the select)
through the app config; "after" is the default (capped count, search box above 150).
"""

import os
import statistics
import sys
import time

from sqlalchemy import event

from app import create_app
from app.extensions import db
from bench import scale
from tests import factories

URL = "postgresql+psycopg://postgres@127.0.0.1:5432/mockloop_queue14_bench"


def main() -> None:
    size = sys.argv[1]
    url = os.environ.get("BENCH_DATABASE_URL", URL)
    app = create_app(
        {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False}
    )
    if "--noseed" not in sys.argv:
        started = time.perf_counter()
        scale.seed(app, size)
        print(f"seeded {size} in {time.perf_counter() - started:.0f}s", flush=True)
    client = app.test_client()
    login = {"email": "coach@example.com", "password": factories.PASSWORD}
    assert client.post("/login", data=login).status_code == 302
    with app.app_context():
        engine = db.engine

    def timeit(label, cfg, path="/coach/queue", n=15):
        app.config.update(cfg)
        client.get(path)
        seen = []

        def count(*_args, **_kwargs):
            seen.append(1)

        event.listen(engine, "before_cursor_execute", count)
        response = client.get(path)
        event.remove(engine, "before_cursor_execute", count)
        times = []
        for _ in range(n):
            started = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - started)
        print(
            f"{size} {label:<34} {path:<22} p50 {statistics.median(times) * 1000:7.1f} ms"
            f"  min {min(times) * 1000:6.1f}  SQL {len(seen)}  {response.status_code}"
            f" {len(response.get_data()) // 1024} KiB",
            flush=True,
        )

    old = {"COACH_QUEUE_COUNT_CAP": 10**9, "COACH_FILTER_SELECT_MAX": 10**6}
    new = {"COACH_QUEUE_COUNT_CAP": 1000, "COACH_FILTER_SELECT_MAX": 150}
    for _ in range(2):
        timeit("before (uncapped, full select)", old)
        timeit("after (capped, search if >150)", new)
    timeit("after, search q=bench", new, "/coach/queue?q=bench")
    timeit("after, page 40", new, "/coach/queue?page=40")
    timeit("dashboard, uncapped", old, "/coach/")
    timeit("dashboard, capped", new, "/coach/")


if __name__ == "__main__":
    main()
