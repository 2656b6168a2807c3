"""The helpdesk: ticket intake, lifecycle, work log, tiers and assignment."""
