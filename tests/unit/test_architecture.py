"""The shape of the code: layers import only downwards, there is no import cycle, and every module imports on its
own in a fresh interpreter (an import that only works after another module was loaded first is a hidden cycle)."""

import subprocess
import sys

from tests.support.index import ROOT
from tools import check_imports


def test_no_module_imports_a_layer_above_and_no_cycle():
    assert check_imports.problems() == []


def test_the_checker_sees_cycles_and_upward_imports(monkeypatch):
    assert check_imports.cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    real = check_imports.imports_of

    def with_upward(name, path, known):  # pretend normalization imported the assistant
        found = real(name, path, known)
        return found | {"rag.answering.assistant"} if name == "rag.text.normalize" else found

    monkeypatch.setattr(check_imports, "imports_of", with_upward)
    found = check_imports.problems()
    assert any(p.startswith("rag.text.normalize imports rag.answering.assistant") for p in found)
    assert any(p.startswith("import cycle:") and "rag.text.normalize" in p for p in found)


def test_every_module_imports_alone_in_a_fresh_interpreter():
    names = sorted(n for n in check_imports.modules() if not n.endswith("__main__"))  # __main__ runs the CLI
    script = (
        "import importlib, sys\n"
        "failed = []\n"
        f"for name in {names!r}:\n"
        "    for loaded in [m for m in sys.modules if m.split('.')[0] in ('rag', 'ui', 'tools')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as exc:\n"
        "        failed.append(f'{name}: {exc!r}')\n"
        "print('\\n'.join(failed))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", proc.stdout
    assert len(names) > 50
