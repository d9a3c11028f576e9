"""The help of every `rag` command a user runs is Vietnamese (`rag bench` is developer tooling and stays English)."""

from __future__ import annotations

import pytest

from rag.cli.main import main
from tests.ui.english import english_words

# The command words themselves (`rag index build`, `rag feedback export`) are names typed as they are, not prose.
COMMAND_WORDS = {"rag", "index", "ask", "duties", "units", "eval", "feedback", "ui", "bench", "build", "add", "remove",
                 "list", "export", "embed"}


def prose_english(text: str) -> list[str]:
    return [w for w in english_words(text) if w.lower() not in COMMAND_WORDS]


@pytest.mark.parametrize("command", [[], ["index"], ["ask"], ["duties"], ["units"], ["eval"], ["feedback"], ["ui"]])
def test_help_is_vietnamese(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([*command, "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    assert "cách dùng:" in text and "tùy chọn:" in text
    assert prose_english(text) == [], text


def test_argument_errors_are_vietnamese(capsys):
    with pytest.raises(SystemExit):
        main(["feedback", "lisst"])
    err = capsys.readouterr().err
    assert "lỗi" in err and prose_english(err.replace("lisst", "")) == [], err
