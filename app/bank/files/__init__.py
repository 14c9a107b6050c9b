"""The question bank as YAML files: checks, schema, reading and writing (no Flask, no db)."""
