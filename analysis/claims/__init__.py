"""The claims ledger: ``types`` (what a measurement is, used by the analyses), ``ledger``
(loads ``data/claims/*.toml``, calls the measuring functions, judges) and ``format``."""
