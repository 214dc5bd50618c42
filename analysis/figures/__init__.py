"""Figures: the house style (``style``) and one module per notebook; notebooks call them."""
