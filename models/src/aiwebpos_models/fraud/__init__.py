"""Fraud: exception rules plus an IsolationForest over transactions (sales, returns) and cashier shifts."""

from aiwebpos_models.fraud.model import FraudModel
from aiwebpos_models.fraud.shifts import SHIFT_FEATURES, shift_features
from aiwebpos_models.fraud.transactions import TRANSACTION_FEATURES, transaction_features

__all__ = ["SHIFT_FEATURES", "TRANSACTION_FEATURES", "FraudModel", "shift_features", "transaction_features"]
