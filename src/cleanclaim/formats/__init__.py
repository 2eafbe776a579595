"""Readers that turn claim files (X12 837P, CSV, FHIR R4 Claim) into model.Claim objects."""
