"""CP-SAT models and what they explain: the shared solver helpers (``cpsat``), the single-request
chooser (``chooser``) and the explanations of choices and conflicts (``explain``)."""
