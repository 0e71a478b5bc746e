"""Serial peripherals of a till: barcode scanner, Toledo 8217 scale and CD5220 pole display, each on a port
that reconnects by itself after an unplug."""
