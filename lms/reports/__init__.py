"""The licensed-to-work rate, dashboards, exports and the monthly report."""
