"""The WordLlama sentence embeddings behind app.domain.matching.Matcher, offline.

The `wordllama` wheel ships its weights (wordllama/weights/l2_supercat_256.safetensors)
and its tokenizer config, but `WordLlama.load()` looks for the tokenizer under
`tokenizer/` while the wheel has `tokenizers/`, so by default it downloads it. Here the
config is copied into `<cache_dir>/tokenizers/` and the model loaded with downloads
disabled: a missing file is a FileNotFoundError, never a network call (tests/domain/
test_insights_model.py runs the load with sockets refused).

`shared_matcher(cache_dir)` loads the model once per process, at first use, and keeps it;
embeddings of the texts it has seen (labels, phrases) are kept too, so scoring many
answers to the same question embeds its points once.
"""

from __future__ import annotations

import logging

_root = logging.getLogger()
_ROOT_STATE = (list(_root.handlers), _root.level)

import functools  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import wordllama  # noqa: E402
from wordllama import WordLlama, WordLlamaInference  # noqa: E402

# `import wordllama` calls logging.basicConfig(level=INFO): undo it so the app's logging
# is what the app (or gunicorn) configured, not a stderr handler added by a library.
_root.handlers[:], _root.level = _ROOT_STATE[0], _ROOT_STATE[1]

TOKENIZER_CONFIG = "l2_supercat_tokenizer_config.json"
PACKAGE_DIR = Path(wordllama.__file__).parent
EMBED_CACHE_MAX = 20_000


def load_wordllama(cache_dir: Path) -> WordLlamaInference:
    """The 256-dimension WordLlama model from the wheel's own files, downloads disabled."""
    target = Path(cache_dir) / "tokenizers"
    target.mkdir(parents=True, exist_ok=True)
    if not (target / TOKENIZER_CONFIG).exists():
        # Copied under a temporary name, then renamed: another worker loading at the same
        # moment sees the whole file or none (a half-copied one failed to parse: HTTP 500).
        handle, temporary = tempfile.mkstemp(dir=target, prefix=".config-")
        os.close(handle)
        shutil.copyfile(PACKAGE_DIR / "tokenizers" / TOKENIZER_CONFIG, temporary)
        os.replace(temporary, target / TOKENIZER_CONFIG)
    return WordLlama.load(cache_dir=Path(cache_dir), dim=256, disable_download=True)


class WordLlamaMatcher:
    """Cosine similarity of average-pooled WordLlama embeddings (app.domain.matching.Matcher)."""

    def __init__(self, model: WordLlamaInference) -> None:
        self.model = model
        self._cache: dict[str, np.ndarray] = {}

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if todo:
            if len(self._cache) + len(todo) > EMBED_CACHE_MAX:
                self._cache.clear()
            vectors = self.model.embed(todo, norm=True)
            self._cache.update(zip(todo, np.nan_to_num(vectors), strict=True))
        return np.stack([self._cache[t] for t in texts])

    def similarities(self, left: Sequence[str], right: Sequence[str]) -> list[list[float]]:
        """Cosine similarity of each text of `left` with each of `right` (rows: left)."""
        if not left or not right:
            return [[] for _ in left]
        return (self._vectors(left) @ self._vectors(right).T).astype(float).tolist()


_LOADING = threading.Lock()


def shared_matcher(cache_dir: Path) -> WordLlamaMatcher:
    """One matcher per process and cache folder, loaded at first use (by one thread: the
    others wait for it rather than load a second copy)."""
    with _LOADING:
        return _matcher(Path(cache_dir))


@functools.cache
def _matcher(cache_dir: Path) -> WordLlamaMatcher:
    return WordLlamaMatcher(load_wordllama(cache_dir))
