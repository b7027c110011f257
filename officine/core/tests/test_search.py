from officine.core.search import build_document, strip_accents, tokens


def test_accents_and_case_are_folded():
    assert strip_accents("Università Città") == "Universita Citta"
    assert tokens("CITTÀ") == tokens("citta")


def test_italian_stemming_joins_singular_and_plural():
    assert tokens("imprese") == tokens("impresa")
    assert tokens("sindacati")[0] == tokens("sindacato")[0]


def test_document_is_space_delimited_and_unique():
    doc = build_document("Impresa impresa", None, "Lavoro")
    assert doc.startswith(" ") and doc.endswith(" ")
    assert doc.split() == [tokens("impresa")[0], tokens("lavoro")[0]]
    assert build_document("", None) == ""
