"""Organisations and people: districts, institutions, staff records and roster import."""
