"""The offline test: predictions on the test split against each stage's targets (next issues)."""
