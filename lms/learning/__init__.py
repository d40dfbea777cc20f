"""Learning: course content, the free-training programme, cohorts, enrolment and study."""
