# Make / writable again, then write outside the scratch folder.
import pathlib
import subprocess

for command in (["mount", "-o", "remount,rw", "/"], ["mount", "-o", "remount,rw", "/tmp"],
                ["umount", "-l", "/"], ["unshare", "-r", "-m", "sh", "-c",
                                        "mount -o remount,rw / && touch /tmp/kit-pwned.txt"]):
    try:
        subprocess.run(command, capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        pass
for target in ("/tmp/kit-hostile-sentinel/target.txt", "/tmp/kit-pwned.txt",
               "/etc/kit-pwned", "/usr/kit-pwned"):
    try:
        pathlib.Path(target).write_text("pwned")
    except OSError:
        pass
