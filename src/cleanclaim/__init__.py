"""cleanclaim: a linter for US outpatient professional claims."""

__version__ = "0.1.0"
