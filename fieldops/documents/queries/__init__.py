"""Document reads: what each PDF shows (gathered into documents.content dataclasses), RFOs
as the desk and the customer see them, and the PDFs already rendered."""

from fieldops.documents.queries.rendered import find_rendered
from fieldops.documents.queries.rfos import (
    RfoView,
    find_rfo,
    get_rfo,
    list_rfos,
    rfo_content,
    rfo_counts,
)
from fieldops.documents.queries.work_orders import (
    day_sheet_content,
    work_order_content,
)

__all__ = [
    "RfoView",
    "day_sheet_content",
    "find_rendered",
    "find_rfo",
    "get_rfo",
    "list_rfos",
    "rfo_content",
    "rfo_counts",
    "work_order_content",
]
