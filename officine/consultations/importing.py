"""Turn an uploaded DOCX, ODT or Markdown file into draft sections, for staff to review before saving.

Headings of level 1-3 start sections (Word's "Heading N"/"Titolo N" styles, ODF's ``text:h`` outline
levels, Markdown's ``#``); paragraphs become Markdown text, keeping bold, italic and bullet lists, which is
all a section body supports. Nothing is saved here: the caller shows the result and saves on confirmation.
"""

import io
import re
import zipfile
from xml.sax import SAXException

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lxml.etree import XMLSyntaxError

from .text import DraftSection, split_markdown

MAX_LEVEL = 3
_HEADING_STYLE = re.compile(r"^(heading|titolo|title)\s*(\d)$", re.IGNORECASE)


def sections_from_upload(content: bytes, extension: str, preamble_heading: str) -> list[DraftSection]:
    """Read the file by its (already verified) extension; a translated ValidationError if nothing is found."""
    readers = {
        "docx": _docx_markdown,
        "odt": _odt_markdown,
        "md": _plain_markdown,
        "markdown": _plain_markdown,
    }
    if extension not in readers:
        raise ValidationError(_("Documents can be imported from DOCX, ODT or Markdown files."))
    try:
        markdown = readers[extension](content)
    except (zipfile.BadZipFile, KeyError, ValueError, SAXException, AttributeError, XMLSyntaxError) as exc:
        raise ValidationError(
            _("The file could not be read as %(kind)s.") % {"kind": extension.upper()}
        ) from exc
    sections = split_markdown(markdown, preamble_heading=preamble_heading)
    if not sections:
        raise ValidationError(_("The file contains no text."))
    return sections


def _plain_markdown(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252")


def _escape(text: str) -> str:
    """Keep literal characters that Markdown would read as formatting or headings."""
    text = re.sub(r"([\\*_`])", r"\\\1", text)
    return re.sub(r"^(#)", r"\\\1", text)


def _inline(runs) -> str:
    out = []
    for text, bold, italic in runs:
        if not text:
            continue
        piece = _escape(text)
        core = piece.strip()
        if core and (bold or italic):
            mark = "**" if bold and not italic else "*" if italic and not bold else "***"
            lead = piece[: len(piece) - len(piece.lstrip())]
            tail = piece[len(piece.rstrip()) :]
            piece = f"{lead}{mark}{core}{mark}{tail}"
        out.append(piece)
    return "".join(out).strip()


def _docx_markdown(content: bytes) -> str:
    import docx  # python-docx

    document = docx.Document(io.BytesIO(content))
    lines: list[str] = []
    for paragraph in document.paragraphs:
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        text = _inline((r.text, bool(r.bold), bool(r.italic)) for r in paragraph.runs)
        if not text:
            continue
        match = _HEADING_STYLE.match(style.strip())
        if match and 1 <= int(match.group(2)) <= MAX_LEVEL:
            lines += ["", "#" * int(match.group(2)) + " " + paragraph.text.strip(), ""]
        elif style.lower().startswith(("list", "elenco")):
            lines.append(f"- {text}")
        else:
            lines += [text, ""]
    return "\n".join(lines)


def _odt_markdown(content: bytes) -> str:
    from odf import teletype
    from odf.namespaces import TEXTNS
    from odf.opendocument import load

    document = load(io.BytesIO(content))
    lines: list[str] = []

    def walk(element, in_list: bool = False) -> None:
        for child in element.childNodes:
            qname = getattr(child, "qname", None)
            if qname == (TEXTNS, "h"):
                level = int(child.getAttrNS(TEXTNS, "outline-level") or 1)
                text = teletype.extractText(child).strip()
                if text and level <= MAX_LEVEL:
                    lines.extend(["", "#" * level + " " + text, ""])
                elif text:
                    lines.extend([_escape(text), ""])
            elif qname == (TEXTNS, "p"):
                text = _escape(teletype.extractText(child).strip())
                if text:
                    lines.append(f"- {text}" if in_list else text)
                    if not in_list:
                        lines.append("")
            elif qname == (TEXTNS, "list"):
                walk(child, in_list=True)
                lines.append("")
            elif qname is not None:
                walk(child, in_list)

    walk(document.text)
    return "\n".join(lines)
