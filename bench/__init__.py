"""Benchmarks run by `make bench`: real HTTP servers over scratch databases, timed from outside.

`bench.tickets_api` times ticket creation and filtered lists through /api/v1 with 100,000
tickets in the database (DESIGN target: p95 under 50 ms on SQLite and on PostgreSQL).
"""
