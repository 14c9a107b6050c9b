"""Markdown is rendered once per text (a version's prompt), still sanitised every time."""

from app import markdown


def test_a_prompt_is_rendered_once_and_stays_sanitised():
    prompt = "Design **a queue** <script>alert(1)</script> [x](javascript:alert(1)) #cache-test"
    before = markdown._render_cached.cache_info()
    first = markdown.render_markdown(prompt)
    second = markdown.render_markdown(prompt)
    after = markdown._render_cached.cache_info()
    assert first == second and "<strong>a queue</strong>" in first
    assert "<script" not in first and 'href="javascript' not in first
    assert after.hits >= before.hits + 1


def test_long_texts_are_not_kept():
    long_answer = "word " * (markdown.CACHED_CHARS // 5 + 10)
    before = markdown._render_cached.cache_info().currsize
    assert "word" in markdown.render_markdown(long_answer)
    assert markdown._render_cached.cache_info().currsize == before
    assert markdown.render_markdown(None) == markdown.render_markdown("")
