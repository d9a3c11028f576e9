"""Documents: read a file (txt/md, pdf, docx) into lines, find its section tree and metadata, cut it into chunks.

Imports only `rag.text` and `rag.errors`: nothing here knows about indexes, duties or answers.
"""
