"""Field engineers: who they are, what they can do, where they are based."""
