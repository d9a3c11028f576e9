"""Duties: who must do what, by when. Extracted from each document's section tree at indexing time (`extract`),
stored as a feature table of the index (`table.TABLE`), selected by unit, document and window (`query`), exported as
CSV, XLSX and ICS (`export`)."""
