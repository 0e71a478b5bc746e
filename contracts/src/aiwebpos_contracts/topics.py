"""MQTT topic names (CONTRACTS.md §3). Build them here; never format a topic by hand elsewhere."""

PREFIX = "aiwebpos/v1"


def event_topic(store_id: str, event_type: str) -> str:
    return f"{PREFIX}/stores/{store_id}/events/{event_type}"


def status_topic(store_id: str) -> str:
    return f"{PREFIX}/stores/{store_id}/status"


def commands_topic(store_id: str) -> str:
    return f"{PREFIX}/stores/{store_id}/commands"


def model_topic(model_name: str) -> str:
    return f"{PREFIX}/models/{model_name}"


ALL_EVENTS = f"{PREFIX}/stores/+/events/#"
