"""One module per question the notebooks and commands answer; each returns frames and
dataclasses, never draws."""
