"""``solarplan serve``: a local web app over the same pipeline functions as the command line."""
