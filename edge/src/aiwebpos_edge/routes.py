"""Every controller of the node, registered in one place."""

from aiwebpos_edge.auth.routes import AuthController, UserController
from aiwebpos_edge.config.routes import ConfigController

CONTROLLERS: list[type] = [AuthController, UserController, ConfigController]
