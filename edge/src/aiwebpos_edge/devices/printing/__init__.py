"""Receipt printers: what a receipt or report looks like on paper, the durable print queue, the drivers."""
