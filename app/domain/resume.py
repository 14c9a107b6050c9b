"""Résumé questions (issue 18): which questions ask about the candidate's own résumé.

Recruiter-screen questions say "on your résumé..."; a candidate practising without one
answers about their own projects instead, and the round page shows their "My projects"
text (Settings) above such a question. A question asks about the résumé when it is tagged
`resume` or its prompt names the résumé or CV.
"""

from __future__ import annotations

import re

_RESUME = re.compile(r"\b(r[ée]sum[ée]s?|cv)\b", re.IGNORECASE)


def asks_about_resume(prompt: str | None, tags: list | tuple | None) -> bool:
    """Whether a question version's prompt or tags are about the candidate's résumé."""
    if any(str(tag).lower() in {"resume", "résumé", "cv"} for tag in tags or ()):
        return True
    return bool(_RESUME.search(prompt or ""))
