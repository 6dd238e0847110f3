"""Models: arithmetic on quantities. A model never prints; renderers show its results."""
