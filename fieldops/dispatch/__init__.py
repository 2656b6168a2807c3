"""Dispatch: hardware faults become field jobs, matched to engineers, with parts reserved."""
