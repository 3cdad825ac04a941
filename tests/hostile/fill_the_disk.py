# Write until the disk is full.
try:
    with open("big.bin", "wb") as handle:
        for _ in range(4096):
            handle.write(b"\0" * (1 << 20))
except OSError:
    pass
