"""fieldops: field-service and spare-parts dispatch."""

from fieldops.app import create_app

__all__ = ["create_app"]
