"""Section text: Markdown-like source rendered to sanitised HTML, splitting of a whole text into sections,
and a word-by-word comparison of two versions of a section."""

import difflib
import re
from dataclasses import dataclass

import nh3
from django.utils.html import escape
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "a", "h4", "h5", "h6"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")
_HEADING = re.compile(r"^(#{1,3})\s+(.+?)\s*#*\s*$")
_TOKEN = re.compile(r"\s+|[^\s]+")


def render_body(source: str) -> str:
    """HTML for a section body: Markdown without raw HTML or images, then sanitised by an allow-list."""
    html = _MARKDOWN.render(source or "")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel="noopener nofollow")


@dataclass(frozen=True)
class DraftSection:
    level: int
    heading: str
    body: str


def split_markdown(text: str, preamble_heading: str) -> list[DraftSection]:
    """Cut a Markdown text into sections at its headings (#, ##, ###).

    Text before the first heading becomes a section titled ``preamble_heading`` so that nothing is lost.
    """
    sections: list[DraftSection] = []
    level, heading, lines = 1, None, []

    def flush() -> None:
        body = "\n".join(lines).strip()
        if heading is not None or body:
            sections.append(DraftSection(level, heading if heading is not None else preamble_heading, body))

    in_fence = False
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        if line.strip().startswith("```"):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match:
            flush()
            level, heading, lines = len(match.group(1)), match.group(2).strip(), []
        else:
            lines.append(line)
    flush()
    return sections


@dataclass(frozen=True)
class DiffPiece:
    op: str  # "equal", "insert" or "delete"
    text: str


def word_diff(old: str, new: str) -> list[DiffPiece]:
    """Word-by-word differences (whitespace kept), merged into runs, for showing a change inline."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    pieces: list[DiffPiece] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(DiffPiece("equal", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            pieces.append(DiffPiece("delete", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(DiffPiece("insert", "".join(b[j1:j2])))
    return pieces


def diff_html(old: str, new: str) -> str:
    """The word diff as escaped HTML with <del>/<ins>, readable without colour (the tags say what changed)."""
    out = []
    for piece in word_diff(old, new):
        text = escape(piece.text)
        if piece.op == "equal":
            out.append(text)
        elif piece.op == "delete":
            out.append(f"<del>{text}</del>")
        else:
            out.append(f"<ins>{text}</ins>")
    return "".join(out)
