"""The data layer: where results come from and how they are checked and modelled."""
