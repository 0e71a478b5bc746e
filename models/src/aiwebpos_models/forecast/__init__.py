"""Daily demand forecasting: features, a global gradient-boosted model, baselines and backtests.

A forecast is made at an *origin*: the first day it forecasts. Everything before the origin is known
history; the days origin … origin + horizon − 1 are forecast. Every forecaster answers a frame with
columns store_id, sku, date, forecast (non-negative units per day).
"""
