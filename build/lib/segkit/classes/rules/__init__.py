"""User-defined rules: a YAML rule file (:mod:`~segkit.classes.rules.parsing`, checked when
read, into the model of :mod:`~segkit.classes.rules.model`) applied to the feature table with a
reason for every customer (:mod:`~segkit.classes.rules.apply`)."""

from segkit.classes.rules.apply import NO_MATCH, OPERATORS, RuleSet, load_rules

__all__ = ["NO_MATCH", "OPERATORS", "RuleSet", "load_rules"]
