"""One module per notebook question; each returns frames and dataclasses, never draws."""
