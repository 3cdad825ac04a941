# Leave a directory tree 1,500 levels deep, with a read-only top, a symlink out of the folder
# and a file the grading process cannot write (the old parent's rmtree crashed on it).
import os

top = os.getcwd()
for _ in range(1500):
    os.mkdir("d")
    os.chdir("d")
os.chdir(top)
os.symlink("/tmp/kit-hostile-sentinel", "escape")
with open("locked.txt", "w") as handle:
    handle.write("x")
os.chmod("locked.txt", 0)
os.chmod("d", 0o500)
