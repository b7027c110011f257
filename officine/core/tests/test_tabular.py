"""The header mapping and table reading every import shares (organisations, dispositions)."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone, translation

from officine.core import tabular
from officine.core.tabular import ColumnSpec, TableIssue, export_table, read_header, read_table, sort_issues

COLUMNS = (
    ColumnSpec("number", "numero", "number", True, ("n",)),
    ColumnSpec("reason", "motivazione", "reason", True),
    ColumnSpec("note", "nota", "note"),
)
IGNORED = (ColumnSpec("text", "contributo", "contribution"),)


def _csv(*lines: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(lines)
    return buffer.getvalue().encode("utf-8")


def test_header_maps_both_languages_and_aliases_to_fields():
    header, errors, warnings = read_header(["N", "Reason", "Nota"], COLUMNS)
    assert errors == [] and warnings == []
    assert header.field_to_index == {"number": 0, "reason": 1, "note": 2}
    assert header.position("reason") == ("Reason", "B")


def test_unknown_column_warns_and_ignored_column_does_not():
    header, errors, warnings = read_header(
        ["numero", "motivazione", "Contributo", "Colleague"], COLUMNS, IGNORED
    )
    assert errors == []
    assert [(w.line, w.column, w.letter) for w in warnings] == [(1, "Colleague", "D")]
    assert "text" not in header.field_to_index


def test_repeated_and_missing_required_columns_are_errors():
    with translation.override("en"):
        _header, errors, _warnings = read_header(["numero", "number", "nota"], COLUMNS)
    messages = {(e.column, e.letter): e.message for e in errors}
    assert messages[("number", "B")] == "This column repeats column A."
    assert (
        messages[("reason", "")] == "Required column missing: add a column named “motivazione” (or “reason”)."
    )
    assert len(errors) == 2


def test_position_of_an_absent_column_names_the_expected_header():
    header, _errors, _warnings = read_header(["numero", "motivazione"], COLUMNS)
    with translation.override("it"):
        assert header.position("note") == ("nota", "")
    assert header.position("not_a_column") == ("", "")


def test_value_is_trimmed_and_formula_escape_undone():
    header, _errors, _warnings = read_header(["numero", "motivazione"], COLUMNS)
    assert header.value(["  12 ", "'=SUM(A1)"], "number") == "12"
    assert header.value(["12", "'=SUM(A1)"], "reason") == "=SUM(A1)"
    assert header.value(["12"], "reason") == ""
    assert header.value(["12", "x"], "note") == ""


def test_read_table_skips_blank_lines_and_keeps_line_numbers():
    table = read_table(_csv(["numero", "motivazione"], ["1", "a"], ["", ""], ["2", "b"]), "csv", COLUMNS)
    assert table.errors == []
    assert table.rows == [(2, ["1", "a"]), (4, ["2", "b"])]


def test_read_table_gives_no_rows_when_the_header_is_wrong():
    table = read_table(_csv(["numero"], ["1"]), "csv", COLUMNS)
    assert [e.line for e in table.errors] == [1]
    assert table.rows == []


@pytest.mark.parametrize(
    "content, line",
    [(b"\x00\x01 not a zip", None), (_csv(["", ""], ["1", "a"]), 1)],
    ids=["unreadable", "blank header"],
)
def test_read_table_reports_an_unusable_file_as_one_error(content, line):
    table = read_table(content, "xlsx" if line is None else "csv", COLUMNS)
    assert [e.line for e in table.errors] == [line]
    assert table.header is None and table.rows == []


def test_read_table_refuses_too_many_rows(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_ROWS", 2)
    table = read_table(_csv(["numero", "motivazione"], *[[str(n), "a"] for n in range(3)]), "csv", COLUMNS)
    assert len(table.errors) == 1 and table.errors[0].line is None
    assert table.rows == []


def test_issues_sort_by_line_then_column_with_double_letters_last():
    issues = [
        TableIssue(3, "", "AA", "", ""),
        TableIssue(3, "", "B", "", ""),
        TableIssue(None, "", "", "", ""),
        TableIssue(2, "", "Z", "", ""),
    ]
    sort_issues(issues)
    assert [(i.line, i.letter) for i in issues] == [(None, ""), (2, "Z"), (3, "B"), (3, "AA")]


def test_export_table_names_the_file_with_the_date(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda: dt.date(2027, 3, 4))
    export = export_table(["a"], [["=1"], ["2"]], "csv", title="T", name="dispositions-7")
    assert export.filename == "dispositions-7-2027-03-04.csv"
    assert export.rows == 2 and export.format.extension == "csv"
    assert "'=1" in export.content.decode("utf-8-sig")
