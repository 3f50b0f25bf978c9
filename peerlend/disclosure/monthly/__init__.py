"""Monthly operating data: figures as of a month-end (``figures``) and their publication (``publish``)."""
