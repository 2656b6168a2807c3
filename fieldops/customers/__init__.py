"""Customers, their sites and services, and SLA plans."""
