"""Forms of the bank editor, one module per thing edited (see base.py for what they share)."""
