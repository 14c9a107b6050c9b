"""`GET /healthz` for load balancers: is this host able to serve?

200 `{"status": "ok", "database": "ok", "redis": "ok"}` when the database answers
`SELECT 1` and Redis (when configured) answers PING; 503 naming what failed otherwise.
No sign-in, no rate limit, no session cookie, no template: cheap enough for a probe
every 2 s.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.access import public
from app.extensions import db, limiter

bp = Blueprint("health", __name__)
REDIS_CLIENT = "mockloop.health_redis"


def database_status() -> str:
    """ "ok", or why the database did not answer."""
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except SQLAlchemyError as error:
        db.session.rollback()
        return f"error: {type(error.orig or error).__name__}"
    finally:
        db.session.remove()


def redis_status() -> str | None:
    """ "ok", why Redis did not answer, or None when no Redis is configured."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get(REDIS_CLIENT)
    if client is None:
        client = Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        current_app.extensions[REDIS_CLIENT] = client
    try:
        client.ping()
        return "ok"
    except RedisError as error:
        return f"error: {type(error).__name__}"


@bp.get("/healthz")
@public
@limiter.exempt
def healthz():
    """Health for a load balancer: 200 when every dependency answers, else 503."""
    body = {"database": database_status()}
    redis = redis_status()
    if redis is not None:
        body["redis"] = redis
    healthy = all(value == "ok" for value in body.values())
    body = {"status": "ok" if healthy else "unavailable", **body}
    response = jsonify(body)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
