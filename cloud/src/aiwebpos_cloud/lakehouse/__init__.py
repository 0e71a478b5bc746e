"""The Delta lakehouse: table definitions, the writer, derived tables, read-only SQL, maintenance."""
