"""Demo data and its generators: `fieldops seed --demo` and `fieldops seed --tickets N`.

`seed.loader` reads the JSON files beside it (one per section of the demo world) and applies
them through the domain services; `seed.history` bulk-inserts realistic historical tickets
built by the pure `seed.timeline`. The data doubles as the smoke-test dataset.
"""
