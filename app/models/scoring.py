"""Self-scoring against pinned rubric versions, and the practise-next schedule."""
