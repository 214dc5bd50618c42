"""The data layer: what upstream publishes (``sources``), the local cache (``download``),
one reader per upstream format (``readers``), the general results model (``results``) and
schema/consistency checks (``validation``)."""
