import subprocess
import threading
import time

subprocess.Popen(["sleep", "7771"])
subprocess.Popen(["sleep", "7772"], start_new_session=True)  # escapes the process group
subprocess.Popen(["sh", "-c", "(setsid sleep 7773 &) ; sleep 7774"])


def spin():
    while True:
        time.sleep(0.01)


threading.Thread(target=spin, daemon=False).start()
