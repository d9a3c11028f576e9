"""Smoke run of scripts/fuzz.py (~10 s per target) and regressions for inputs the fuzzer found."""

from __future__ import annotations

import io
import logging
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from rag.errors import DocumentError
from rag.documents.readers import read_document

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("target", ["text", "pdf", "docx", "sections"])
def test_fuzz_smoke(target, tmp_path):
    """The fuzzer runs for a few seconds per target, tries inputs, and finds nothing but DocumentError."""
    proc = subprocess.run(
        [sys.executable, "-m", "tools.fuzz", "--seconds", "10", "--target", target,
         "--out", str(tmp_path / "failures")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert f"[{target}] inputs tried:" in proc.stdout, proc.stdout + proc.stderr
    tried = int(proc.stdout.split("inputs tried:")[1].split(",")[0])
    assert tried > 10
    assert proc.returncode == 0, proc.stdout + "\n" + proc.stderr


def test_docx_with_unknown_zip_version_is_a_document_error(tmp_path):
    """Fuzzer finding: a central directory entry needing zip version 8.0 made zipfile raise NotImplementedError."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    data = bytearray(buffer.getvalue())
    at = data.find(b"PK\x01\x02")  # first central directory header; "version needed" is at offset 6
    struct.pack_into("<H", data, at + 6, 80)
    path = tmp_path / "version8.docx"
    path.write_bytes(bytes(data))
    with pytest.raises(DocumentError, match="damaged zip"):
        read_document(path)
