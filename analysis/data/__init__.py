"""The data layer: what upstream publishes (``sources``), the local cache (``download``),
one reader per upstream format (``readers``) and schema/consistency checks (``validation``)."""
