"""Pricing: price elasticity from daily demand, and price and markdown recommendations that a manager
approves (nothing here changes a price by itself)."""
