"""Coach review: coach links, reviews with per-criterion scores, and notifications."""
