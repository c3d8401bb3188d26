"""MedFed coordinator: the headless service that runs federation rounds (no torch)."""
