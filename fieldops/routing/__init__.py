"""Route planning: the routing core (problem, OR-Tools adapter, validator) and its uses."""
