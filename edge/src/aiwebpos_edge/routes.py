"""Every controller of the node, registered in one place."""

from aiwebpos_edge.audit.routes import AuditController
from aiwebpos_edge.auth.routes import AuthController, UserController
from aiwebpos_edge.catalog.routes import ProductController
from aiwebpos_edge.config.routes import ConfigController
from aiwebpos_edge.customers.routes import CustomerController
from aiwebpos_edge.devices.routes import DeviceController, PrintController, PrintJobController
from aiwebpos_edge.inventory.routes import StockController
from aiwebpos_edge.returns.routes import ReturnController
from aiwebpos_edge.sales.routes import ReceiptController, SaleController
from aiwebpos_edge.scoring.forecast_routes import ForecastController
from aiwebpos_edge.scoring.routes import FraudController, ModelController
from aiwebpos_edge.shifts.routes import DrawerController, ShiftController
from aiwebpos_edge.sync.routes import SyncController

CONTROLLERS: list[type] = [
    AuthController,
    UserController,
    ConfigController,
    ProductController,
    ShiftController,
    DrawerController,
    CustomerController,
    StockController,
    SaleController,
    ReceiptController,
    ReturnController,
    AuditController,
    SyncController,
    ModelController,
    FraudController,
    ForecastController,
    DeviceController,
    PrintJobController,
    PrintController,
]
