"""The report: notebook display helpers, execution, sanitising, provenance and the HTML site."""
