"""The WordLlama matcher, loaded once per test session (about half a second)."""

from __future__ import annotations

import pytest

from app.embeddings import WordLlamaMatcher, load_wordllama


@pytest.fixture(scope="session")
def matcher(tmp_path_factory) -> WordLlamaMatcher:
    return WordLlamaMatcher(load_wordllama(tmp_path_factory.mktemp("wordllama")))
