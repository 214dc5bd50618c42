"""One reader per upstream file format, each returning a tidy DataFrame from an explicit path."""
