"""One module per paper: its claims, each with a negative control, and their tests."""
