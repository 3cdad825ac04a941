# A notebook larger than the engine's stated limit (README, "Limits"): the test writes about
# 41 MB in place of the placeholder below. Its result says the size and the limit.
PASTED = "OVER_LIMIT_PLACEHOLDER"
