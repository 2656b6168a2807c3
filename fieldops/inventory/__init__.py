"""Spare-parts inventory: the catalogue, stock per depot and van, reservations, the ledger."""
