"""One reader per upstream file format, each turning files at an explicit path into tidy data.

``analysis.data.readers.detect`` picks the reader for a file or directory (the ``audit``
command); the SWE-bench source readers feed the notebooks through ``analysis.frames``.
"""
