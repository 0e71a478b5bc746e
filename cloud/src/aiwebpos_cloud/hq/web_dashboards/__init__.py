"""The web side of HQ's dashboards: the JSON and download API (`DashboardController`, reading through
the app's `LakeReader` injected as `lake`) and the page that draws them (`dashboards_static`)."""

from aiwebpos_cloud.hq.web_dashboards.pages import PAGE_PATH, dashboards_static
from aiwebpos_cloud.hq.web_dashboards.reader import LakeDep, LakeReader
from aiwebpos_cloud.hq.web_dashboards.routes import PERMISSION, DashboardController

__all__ = ["PAGE_PATH", "PERMISSION", "DashboardController", "LakeDep", "LakeReader", "dashboards_static"]
