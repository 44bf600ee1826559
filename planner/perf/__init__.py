"""What one configuration does: the roofline performance model (``roofline``), the candidate
configuration table it predicts over (``configs``) and its fitted factors (``factors``)."""
