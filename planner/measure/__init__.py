"""What was measured, and how it corrects the performance model (``store``)."""
