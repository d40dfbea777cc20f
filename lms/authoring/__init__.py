"""Authoring course content in the browser: drafts, review by a second expert, publishing,
version history with diffs and rollback, and export of the live content to courses/."""
