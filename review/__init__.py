"""QA review: acceptance sampling of submitted batches, verdicts, gold items (next issues)."""
