"""The MQTT ingest: shared subscription → validation → LakehouseWriter → acknowledgement."""
