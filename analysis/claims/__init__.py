"""The claims ledger in four modules: ``types`` (Measurement, ClaimEntry) and ``entries``
(the committed ``data/claims/*.toml``, read lazily) sit below the analyses; ``ledger`` (calls
each claim's ``"module:function"``, judges) and ``format`` (how the ledger reads) sit above."""
