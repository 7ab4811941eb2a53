"""Derivatives: numerical (:mod:`.numeric`) and symbolic (:mod:`.symbolic`). The method names
are defined here, where importing them loads nothing (the CLI's help lists them)."""

#: the numerical methods
METHODS = ("forward", "central", "richardson", "complex")
#: every method a derivative can be asked for: exact (symbolic or given) or numerical
DERIVATIVE_METHODS = ("exact",) + METHODS
