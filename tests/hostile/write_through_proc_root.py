# Write outside the scratch folder through the root of other processes (/proc/<pid>/root).
import os

for pid in ["1", "self", str(os.getppid())] + [p for p in os.listdir("/proc") if p.isdigit()]:
    for target in ("tmp/kit-hostile-sentinel/target.txt", "tmp/kit-pwned.txt"):
        try:
            with open(f"/proc/{pid}/root/{target}", "w") as handle:
                handle.write("pwned")
        except OSError:
            pass
