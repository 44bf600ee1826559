"""Which configurations a request allows (``candidates``) and which of them can win (``prune``)."""
