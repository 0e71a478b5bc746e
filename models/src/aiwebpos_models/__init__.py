"""AIWebPOS models: features, forecasting, reorder, pricing and fraud (pure, on Polars frames)."""
