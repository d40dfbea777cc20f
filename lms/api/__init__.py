"""The JSON API for the city's smart-childcare platform (``/api/v1``), with bearer tokens."""
