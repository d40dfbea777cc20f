"""Background work with progress: in-process by default, Celery workers on Redis when
LMS_REDIS_URL is set. A job kind plans its work as idempotent parts, so a job interrupted by a
crash is resumed by running it again."""
