"""The one format between the two sides: plain data that cannot run code on load."""
