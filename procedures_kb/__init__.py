"""The national procedure catalogue: importer, clean records, search, fees, staff CLI."""
