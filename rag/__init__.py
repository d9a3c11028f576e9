"""Vietnamese directive Q&A: section-aware ingestion, hybrid retrieval and cited extractive answers.

The public face:

    from rag import Library
    library = Library("index")               # the one service that changes the index
    library.build(["corpus/"])
    answer = library.assistant().ask("Ban Tổ chức Thành ủy phải làm gì trước 31/8/2025?")
    print(answer.answer)                     # lines cited [n]; answer.citations name document, section, page

Names are imported on first use, so `import rag.text.normalize` (parse workers, tools) does not load the whole
package.
"""

from importlib import import_module

__version__ = "0.1.0"

_EXPORTS = {
    "Assistant": "rag.answering.assistant",
    "Question": "rag.answering.question",
    "Conversation": "rag.answering.question",
    "Answer": "rag.answering.models",
    "Citation": "rag.answering.models",
    "Library": "rag.library",
    "BuildReport": "rag.index.build",
    "Duty": "rag.duties.model",
    "DutyQuery": "rag.duties.query",
    "RagError": "rag.errors",
    "DocumentError": "rag.errors",
    "IndexStoreError": "rag.errors",
    "EmbedderError": "rag.errors",
    "InputError": "rag.errors",
    "TestsetError": "rag.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'rag' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
