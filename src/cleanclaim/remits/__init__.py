"""Remittances (835) and front-end responses (999, 277CA): model, explanations, store."""
