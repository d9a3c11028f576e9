"""Answering: read the question once (`question`), answer it from the duty table (`duty_answer`) or by retrieval
with extractive, cited passages (`answer`, `citations`), in one `Assistant` over a loaded index (`assistant`)."""
