"""A client for an OpenAI-compatible chat-completions server (Ollama, llama.cpp's server,
vLLM…), with the standard library only: one POST, a timeout, and every way it can go
wrong turned into `ModelUnavailable` with a short reason.

Off unless `LLM_BASE_URL` and `LLM_MODEL` are set (`settings_from`). Only background jobs
call it (`app.jobs`); no web request ever waits for a model.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

REPLY_MAX_BYTES = 256 * 1024


class ModelUnavailable(Exception):
    """No usable reply: a timeout, a refused connection, an HTTP error, a broken envelope."""


@dataclass(frozen=True)
class ModelSettings:
    base_url: str
    model: str
    api_key: str
    timeout: float


@dataclass(frozen=True)
class Reply:
    content: str  # what the model wrote (the message content)
    body: str  # the whole HTTP body, as received


def settings_from(config: Mapping) -> ModelSettings | None:
    """The model settings of an app config, or None when no model is configured."""
    base_url = (config.get("LLM_BASE_URL") or "").strip().rstrip("/")
    model = (config.get("LLM_MODEL") or "").strip()
    if not base_url or not model:
        return None
    return ModelSettings(
        base_url=base_url,
        model=model,
        api_key=config.get("LLM_API_KEY") or "",
        timeout=float(config.get("LLM_TIMEOUT_SECONDS") or 60),
    )


def chat(settings: ModelSettings, messages: list[dict]) -> Reply:
    """POST the messages to `{base_url}/chat/completions` (temperature 0, JSON replies)."""
    body = json.dumps(
        {
            "model": settings.model,
            "messages": messages,
            "temperature": 0,
            "stream": False,
            "response_format": {"type": "json_object"},
        }
    ).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if settings.api_key:
        headers["Authorization"] = f"Bearer {settings.api_key}"
    request = urllib.request.Request(
        f"{settings.base_url}/chat/completions", data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.timeout) as response:  # noqa: S310
            raw = response.read(REPLY_MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise ModelUnavailable(f"the model server answered HTTP {error.code}") from error
    except TimeoutError as error:
        raise ModelUnavailable(f"no reply within {settings.timeout:g} s") from error
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise ModelUnavailable(f"no reply within {settings.timeout:g} s") from error
        raise ModelUnavailable(f"the model server could not be reached: {reason}") from error
    except (ConnectionError, OSError) as error:
        raise ModelUnavailable(f"the model server could not be reached: {error}") from error
    if len(raw) > REPLY_MAX_BYTES:
        raise ModelUnavailable(f"the reply is longer than {REPLY_MAX_BYTES} bytes")
    text = raw.decode("utf-8", errors="replace")
    try:
        content = json.loads(text)["choices"][0]["message"]["content"]
    except (ValueError, LookupError, TypeError) as error:
        raise ModelUnavailable("the reply is not a chat-completions response") from error
    if not isinstance(content, str):
        raise ModelUnavailable("the reply's message content is not text")
    return Reply(content=content, body=text)
