"""AIWebPOS pipelines: the history generator and the Prefect flows that train and release models."""
