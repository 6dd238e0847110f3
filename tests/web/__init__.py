"""The local web app (`flopbook serve`), in a real browser and without one."""
