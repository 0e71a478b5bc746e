"""The store's peripherals: receipt printers and cash drawers, serial scanners, scales and pole displays."""
