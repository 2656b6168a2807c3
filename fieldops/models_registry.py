"""Imports every domain's models so metadata (and Alembic) sees all tables."""

from fieldops import idempotency, numbering, outbox
from fieldops.accounts import models as accounts_models
from fieldops.customers import models as customers_models
from fieldops.dispatch import models as dispatch_models
from fieldops.documents import models as documents_models
from fieldops.engineers import models as engineers_models
from fieldops.inbound import models as inbound_models
from fieldops.inventory import models as inventory_models
from fieldops.problems import models as problems_models
from fieldops.routing import models as routing_models
from fieldops.tickets import models as tickets_models

__all__ = [
    "accounts_models",
    "customers_models",
    "dispatch_models",
    "documents_models",
    "engineers_models",
    "idempotency",
    "inbound_models",
    "inventory_models",
    "numbering",
    "outbox",
    "problems_models",
    "routing_models",
    "tickets_models",
]
