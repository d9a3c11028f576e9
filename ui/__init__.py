"""Web interface (Gradio) of the directive assistant: `rag ui`. See `docs/ui.md`."""
