from officine.consultations.text import diff_html, render_body, split_markdown, word_diff


def test_render_body_keeps_formatting_and_drops_scripts_and_raw_html():
    html = render_body("Testo **importante** e *corsivo*.\n\n- uno\n- due\n\n<script>alert(1)</script>")
    assert "<strong>importante</strong>" in html and "<em>corsivo</em>" in html
    assert "<li>uno</li>" in html
    assert "<script>" not in html  # raw HTML is escaped, never executed


def test_render_body_links_get_rel_and_javascript_urls_are_dropped():
    html = render_body("[sito](https://www.example.org) e [male](javascript:alert(1))")
    assert 'href="https://www.example.org"' in html and "noopener" in html
    assert 'href="javascript' not in html  # left as plain text, never a link


def test_split_markdown_cuts_at_headings_and_keeps_the_preamble():
    text = (
        "Premessa del testo.\n\n# Obiettivi\nPrimo paragrafo.\n\n"
        "## Azioni\nSecondo.\n```\n# non un titolo\n```\n"
    )
    sections = split_markdown(text, preamble_heading="Introduzione")
    assert [(s.level, s.heading) for s in sections] == [(1, "Introduzione"), (1, "Obiettivi"), (2, "Azioni")]
    assert sections[0].body == "Premessa del testo."
    assert "# non un titolo" in sections[2].body


def test_split_markdown_of_empty_text_is_empty():
    assert split_markdown("", preamble_heading="Introduzione") == []


def test_word_diff_marks_words_added_and_removed():
    pieces = word_diff("Il fondo sostiene le imprese.", "Il fondo sostiene le piccole imprese del Sud.")
    assert pieces[0].op == "equal" and pieces[0].text == "Il fondo sostiene le "
    inserted = "".join(p.text for p in pieces if p.op == "insert")
    assert "piccole" in inserted and "Sud" in inserted
    assert (
        "".join(p.text for p in pieces if p.op != "delete") == "Il fondo sostiene le piccole imprese del Sud."
    )
    assert "".join(p.text for p in pieces if p.op != "insert") == "Il fondo sostiene le imprese."


def test_diff_html_escapes_text():
    html = diff_html("a <b>", "a <i>")
    assert "<del>&lt;b&gt;</del>" in html and "<ins>&lt;i&gt;</ins>" in html
