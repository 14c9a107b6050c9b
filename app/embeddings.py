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

import functools
import importlib
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from wordllama import WordLlamaInference

TOKENIZER_CONFIG = "l2_supercat_tokenizer_config.json"
EMBED_CACHE_MAX = 20_000


@functools.cache
def _libraries():
    """numpy and wordllama, imported at the first load of the model, not with the app:
    every process the app starts (each `flask` command, each gunicorn worker) would pay
    about half a second of CPU for them, and most never compute an embedding.

    `import wordllama` calls logging.basicConfig(level=INFO): that is undone, so the
    app's logging is what the app (or gunicorn) configured, not a stderr handler added
    by a library."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    numpy = importlib.import_module("numpy")
    wordllama = importlib.import_module("wordllama")
    root.handlers[:], root.level = handlers, level
    return numpy, wordllama


def load_wordllama(cache_dir: Path) -> WordLlamaInference:
    """The 256-dimension WordLlama model from the wheel's own files, downloads disabled."""
    wordllama = _libraries()[1]
    package_dir = Path(wordllama.__file__).parent
    target = Path(cache_dir) / "tokenizers"
    target.mkdir(parents=True, exist_ok=True)
    if not (target / TOKENIZER_CONFIG).exists():
        # Copied under a temporary name, then renamed: another worker loading at the same
        # moment sees the whole file or none (a half-copied one failed to parse: HTTP 500).
        handle, temporary = tempfile.mkstemp(dir=target, prefix=".config-")
        os.close(handle)
        shutil.copyfile(package_dir / "tokenizers" / TOKENIZER_CONFIG, temporary)
        os.replace(temporary, target / TOKENIZER_CONFIG)
    return wordllama.WordLlama.load(cache_dir=Path(cache_dir), dim=256, disable_download=True)


class WordLlamaMatcher:
    """Cosine similarity of average-pooled WordLlama embeddings (app.domain.matching.Matcher)."""

    def __init__(self, model: WordLlamaInference) -> None:
        self.model = model
        self._cache: dict[str, np.ndarray] = {}

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        np = _libraries()[0]
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
