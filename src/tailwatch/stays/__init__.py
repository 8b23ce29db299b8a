"""stays stage."""
