"""The fiscal proxy: runs ATOL JSON tasks queued in Odoo on the register next to it (see ../README.md)."""
