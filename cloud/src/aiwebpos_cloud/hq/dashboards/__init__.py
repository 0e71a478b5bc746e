"""The query layer of HQ's dashboards: `connect` a lakehouse, call a dashboard with `Filters`, get Polars
frames; `refresh_rollups` is the maintenance step that keeps them fast (see rollups.py)."""

from aiwebpos_cloud.hq.dashboards.export import to_csv, to_parquet
from aiwebpos_cloud.hq.dashboards.filters import Filters, local_today
from aiwebpos_cloud.hq.dashboards.rollups import RefreshReport, refresh_rollups
from aiwebpos_cloud.hq.dashboards.service import (
    ProductRanking,
    basket_stats,
    cashier_activity,
    forecast_vs_actual,
    fraud_alerts,
    product_ranking,
    sales_by_category,
    sales_by_hour,
    sales_today,
    tender_mix,
    vat_collected,
)
from aiwebpos_cloud.hq.dashboards.views import connect

__all__ = [
    "Filters",
    "ProductRanking",
    "RefreshReport",
    "basket_stats",
    "cashier_activity",
    "connect",
    "forecast_vs_actual",
    "fraud_alerts",
    "local_today",
    "product_ranking",
    "refresh_rollups",
    "sales_by_category",
    "sales_by_hour",
    "sales_today",
    "tender_mix",
    "to_csv",
    "to_parquet",
    "vat_collected",
]
