"""Documents: PDF work orders and day sheets, and RFO reports with their review workflow."""
