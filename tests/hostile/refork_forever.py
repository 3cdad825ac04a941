# Helpers that re-fork themselves faster than a sweep of /proc can catch them.
import subprocess

subprocess.Popen(["sh", "-c", "while :; do (sleep 7775 &) ; sleep 0.05; done"],
                 start_new_session=True)
subprocess.Popen(["sh", "-c", "(while :; do sh -c 'sleep 7776 &'; sleep 0.02; done) &"])
