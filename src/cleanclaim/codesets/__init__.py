"""Code sets: compact public sources shipped in the package, compiled into SQLite."""
