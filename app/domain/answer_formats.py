"""A question's pinned prompt and the candidate's answer in the report's exports (issue 18).

Pure: reads the `AnswerRecord` the learning area puts on each `QuestionInput`. The exports
are the candidate's archive of what they wrote, so the text goes in whole, with its line
breaks: in Markdown each line ends in a hard break (outside code) and code answers sit in
a fence; user text stays defused as untrusted (app.domain.untrusted).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.domain.untrusted import export_markdown


@dataclass(frozen=True)
class AnswerRecord:
    """What the candidate saved for one question, and the prompt as it was pinned."""

    prompt_md: str = ""
    text: str = ""
    # the prompt as sanitised HTML, stored with the version (a markupsafe.Markup for pages)
    prompt_html: str = ""
    number: float | None = None
    unit: str | None = None
    links: tuple[str, ...] = field(default_factory=tuple)
    is_code: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.text.strip() and self.number is None and not self.links


def as_dict(record: AnswerRecord | None) -> dict | None:
    """The JSON export's `prompt` and `answer` of one question."""
    if record is None:
        return None
    return {
        "prompt": record.prompt_md,
        "answer": {
            "text": record.text,
            "kind": "code" if record.is_code else "text",
            "number": record.number,
            "unit": record.unit,
            "links": list(record.links),
        },
    }


def _fence(text: str) -> list[str]:
    """Code in a fence longer than any backtick run inside it."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return [ticks, *text.rstrip("\n").split("\n"), ticks]


# a line that opens a block of its own (list item, heading, quote, table row): a break
# before or after it is already a break, and a backslash there would show as text
_BLOCK_START = re.compile(r"^\s*([-*+]\s|\d+[.)]\s|#|>|\||`{3}|~{3})")


def hard_breaks(markdown: str) -> str:
    """Markdown whose single line breaks stay line breaks when rendered (a trailing
    backslash), leaving blank lines, fenced code and indented code alone."""
    out, fence = [], None
    lines = markdown.replace("\r\n", "\n").split("\n")
    for i, line in enumerate(lines):
        marker = re.match(r"^ {0,3}(`{3,}|~{3,})", line)
        if fence is None and marker:
            fence = marker.group(1)
        elif fence is not None and marker and marker.group(1).startswith(fence[0] * len(fence)):
            fence = None
            out.append(line)
            continue
        following = lines[i + 1] if i + 1 < len(lines) else ""
        breakable = (
            fence is None
            and line.strip()
            and following.strip()
            and not line.startswith("    ")
            and not line.endswith("\\")
            and not line.lstrip().startswith(("#", "|"))
            and not _BLOCK_START.match(following)
        )
        out.append(line + "\\" if breakable else line)
    return "\n".join(out)


def markdown_lines(record: AnswerRecord | None) -> list[str]:
    """The Markdown sections "The question" and "Your answer" of one question."""
    if record is None:
        return []
    lines = ["#### The question", "", export_markdown(record.prompt_md.strip()) or "-", ""]
    lines += ["#### Your answer", ""]
    if record.is_empty:
        return [*lines, "No answer was saved.", ""]
    if record.text.strip():
        if record.is_code:
            lines += _fence(record.text)
        else:
            lines.append(hard_breaks(export_markdown(record.text.strip())))
        lines.append("")
    if record.number is not None:
        unit = f" {export_markdown(record.unit)}" if record.unit else ""
        lines += [f"Estimate: {record.number:g}{unit}", ""]
    if record.links:
        lines += [f"- <{export_markdown(link)}>" for link in record.links]
        lines.append("")
    return lines


def csv_rows(record: AnswerRecord | None) -> list[tuple[str, str]]:
    """(key, detail) rows for the CSV: the prompt and the answer text, line breaks kept."""
    if record is None:
        return []
    rows = [("prompt", record.prompt_md), ("answer_text", record.text)]
    if record.number is not None:
        rows.append(("answer_number", f"{record.number:g} {record.unit or ''}".strip()))
    if record.links:
        rows.append(("answer_links", "\n".join(record.links)))
    return rows
