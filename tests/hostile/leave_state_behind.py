# Leave state for the next submission graded under this uid: a key in the uid's persistent
# keyring, SysV shared memory, a semaphore set and a message queue readable by everyone, a POSIX
# message queue, and files in /tmp and /dev/shm (find_state_left_behind.py looks for them).
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
MARK = b"kit-left-behind"
KEY = 0x4B170019
for name in ("/tmp/kit-left-behind", "/dev/shm/kit-left-behind", "/var/tmp/kit-left-behind"):
    try:
        with open(name, "wb") as handle:
            handle.write(MARK)
        os.chmod(name, 0o666)
    except OSError:
        pass
try:   # keyctl(KEYCTL_GET_PERSISTENT, -1, KEY_SPEC_PROCESS_KEYRING), then add_key into it
    persistent = libc.syscall(250, 22, -1, -2)
    if persistent > 0:
        libc.syscall(248, b"user", MARK, MARK, len(MARK), persistent)
except OSError:
    pass
libc.shmget(KEY, 4096, 0o1666)      # IPC_CREAT | 0666
libc.semget(KEY, 1, 0o1666)
libc.msgget(KEY, 0o1666)
try:
    librt = ctypes.CDLL("librt.so.1", use_errno=True)
    librt.mq_open(b"/kit-left-behind", os.O_CREAT | os.O_RDWR, 0o666, None)
except OSError:
    pass
