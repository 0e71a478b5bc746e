"""Model releases (CONTRACTS.md §3, `aiwebpos/v1/models/{name}`): sign a model bundle, keep its artifact
and history in a folder, serve the artifacts over HTTP, and announce the release retained on MQTT."""
