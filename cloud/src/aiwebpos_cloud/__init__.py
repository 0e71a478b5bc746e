"""AIWebPOS cloud: the MQTT ingest and the Delta lakehouse."""
