"""A deterministic demo world modelled on the city."""
