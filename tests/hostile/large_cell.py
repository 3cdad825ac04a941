# Data pasted into a notebook (a base64 image, a table): one honest cell of about 20 MB after a
# correct solution. The test writes the literal in place of the placeholder below.
PASTED = "LARGE_CELL_PLACEHOLDER"
print(len(PASTED))
