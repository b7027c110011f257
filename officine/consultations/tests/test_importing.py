import io

import docx
import pytest
from django.core.exceptions import ValidationError
from odf.opendocument import OpenDocumentText
from odf.text import H, List, ListItem, P

from officine.consultations.importing import sections_from_upload
from officine.consultations.text import render_body


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("Nota introduttiva al programma.")
    document.add_heading("Obiettivi", level=1)
    paragraph = document.add_paragraph("Ridurre la ")
    paragraph.add_run("povertà educativa").bold = True
    paragraph.add_run(" nelle aree ")
    paragraph.add_run("interne").italic = True
    document.add_paragraph("Servizi per l'infanzia", style="List Bullet")
    document.add_paragraph("Contrasto alla dispersione", style="List Bullet")
    document.add_heading("Azioni *prioritarie*", level=2)
    document.add_paragraph("Un testo con l'asterisco * letterale.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def odt_bytes() -> bytes:
    document = OpenDocumentText()
    document.text.addElement(P(text="Premessa."))
    document.text.addElement(H(outlinelevel=1, text="Governance"))
    document.text.addElement(P(text="Il partenariato partecipa."))
    items = List()
    for text in ("Comitato di Sorveglianza", "Gruppi di lavoro"):
        item = ListItem()
        item.addElement(P(text=text))
        items.addElement(item)
    document.text.addElement(items)
    document.text.addElement(H(outlinelevel=2, text="Calendario"))
    document.text.addElement(P(text="Due riunioni l'anno."))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def test_docx_headings_become_sections_and_formatting_is_kept():
    sections = sections_from_upload(docx_bytes(), "docx", preamble_heading="Introduzione")
    assert [(s.level, s.heading) for s in sections] == [
        (1, "Introduzione"),
        (1, "Obiettivi"),
        (2, "Azioni *prioritarie*"),
    ]
    body = sections[1].body
    assert "**povertà educativa**" in body and "*interne*" in body
    assert "- Servizi per l'infanzia" in body
    html = render_body(sections[1].body)
    assert "<strong>povertà educativa</strong>" in html and "<li>Contrasto alla dispersione</li>" in html
    assert "<em>" not in render_body(sections[2].body)  # a literal asterisk stays literal


def test_odt_outline_levels_become_sections_with_lists():
    sections = sections_from_upload(odt_bytes(), "odt", preamble_heading="Introduzione")
    assert [(s.level, s.heading) for s in sections] == [
        (1, "Introduzione"),
        (1, "Governance"),
        (2, "Calendario"),
    ]
    assert "- Comitato di Sorveglianza" in sections[1].body


def test_markdown_file_in_utf8_with_bom_or_cp1252():
    text = "# Priorità\nInclusione sociale.\n"
    for content in (("\ufeff" + text).encode("utf-8"), text.encode("cp1252")):
        sections = sections_from_upload(content, "md", preamble_heading="Introduzione")
        assert [s.heading for s in sections] == ["Priorità"]


@pytest.mark.parametrize(
    ("content", "extension"),
    [(b"not a zip", "docx"), (b"PK\x03\x04broken", "odt"), (b"", "md"), (b"%PDF-1.7", "pdf")],
)
def test_unreadable_or_empty_files_get_a_clear_error(content, extension):
    with pytest.raises(ValidationError) as excinfo:
        sections_from_upload(content, extension, preamble_heading="Introduzione")
    assert excinfo.value.messages[0]
