"""Readers: one module per upstream results format, each turning files into tidy data.

``analysis.data.readers.detect`` picks the reader for a file or directory.
"""
