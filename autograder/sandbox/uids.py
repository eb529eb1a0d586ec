"""Parent side: a user id of its own for every running submission (as root).

Every child that runs as an unprivileged user gets a uid from a range that
no account uses (FIRST_UID + slot), leased with an exclusive ``flock`` on a
lock file per slot. The lock belongs to the grading process that leased it
(any pool worker of any batch on the machine), so two children that run at
the same time never share a uid, and the lease ends by itself when that
process dies. What a uid carries in the kernel (the user keyring, the
RLIMIT_NPROC count, files it owns) is therefore never shared by two running
submissions; the worker clears the user keyrings when a uid is reused
(confine.fresh_keyrings) before any submission code runs.
"""

import errno
import fcntl
import os
import tempfile

FIRST_UID = 600000
SLOTS = 4096


class UidLease:
    """One leased uid (gid = uid); release() or the process's death ends it."""

    def __init__(self, uid, fd):
        self.uid = uid
        self.gid = uid
        self._fd = fd

    def release(self):
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)          # closing the only descriptor drops the flock

    def __del__(self):
        self.release()


def lock_dir():
    """Where the slots' lock files live (shared by every grading process)."""
    base = "/run" if os.geteuid() == 0 and os.path.isdir("/run") else tempfile.gettempdir()
    path = os.path.join(base, f"rnngrade-uids-{os.geteuid()}")
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    st = os.lstat(path)
    if not os.path.isdir(path) or os.path.islink(path) or st.st_uid != os.geteuid():
        raise OSError(errno.EPERM, f"{path} is not a folder of this user")
    return path


def lease(first=FIRST_UID, slots=SLOTS):
    """A free uid of the range, or None when every slot is taken or the
    lock folder cannot be used (the child then runs as nobody)."""
    try:
        folder = lock_dir()
    except OSError:
        return None
    start = (os.getpid() * 7) % slots          # spread concurrent processes out
    for i in range(slots):
        slot = (start + i) % slots
        try:
            fd = os.open(os.path.join(folder, f"{slot}.lock"),
                         os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return UidLease(first + slot, fd)
    return None
