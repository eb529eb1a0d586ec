"""Leaves data in kernel objects that outlive it and looks for what others left.

Trick: submission A leaves its answers where submission B (graded after it,
or at the same time) can read them: a 128 MiB System V shared memory
segment, a message queue and a semaphore with a fixed key, a key in the
user keyring and one in the session keyring, a file in /dev/shm, and an
abstract unix socket that serves them while it runs. At
import it first looks for what an earlier submission left. In the sandbox
each child has its own IPC namespace (gone with it), its own uid (user
keyring cleared before it runs), its own session keyring, a private
/dev/shm and its own network namespace (abstract sockets included), so B
finds nothing and nothing stays in the machine.
"""
import ctypes
import os
import socket

import numpy as np

IPC_KEY = 0x524E4E01                     # "RNN\x01"
SHM_BYTES = 128 * 1024 * 1024
KEY_NAME = b"rnngrade-answers"
DEV_SHM = "/dev/shm/rnngrade-answers"
ABSTRACT = "\0rnngrade-answers"
SERVERS = []
MARK = b"answers of submission A"
IPC_CREAT, SHM_RDONLY, IPC_NOWAIT, GETVAL, SETVAL = 0o1000, 0o10000, 0o4000, 12, 16
SYS_ADD_KEY, SYS_KEYCTL = {"aarch64": (217, 219)}.get(os.uname().machine, (248, 250))
KEYCTL_SETPERM, KEYCTL_LINK, KEYCTL_SEARCH, KEYCTL_READ = 5, 8, 10, 11
USER_RING, SESSION_RING = -4, -3

libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.syscall.restype = ctypes.c_long


class _Msg(ctypes.Structure):
    _fields_ = [("mtype", ctypes.c_long), ("mtext", ctypes.c_char * 64)]


def leave():
    """Leave MARK everywhere; return where it could be left."""
    done = []
    shm = libc.shmget(IPC_KEY, SHM_BYTES, IPC_CREAT | 0o666)
    addr = libc.shmat(shm, None, 0) if shm >= 0 else None
    if addr not in (None, ctypes.c_void_p(-1).value):
        ctypes.memset(addr, 1, SHM_BYTES)          # resident, not just reserved
        ctypes.memmove(addr, MARK, len(MARK))
        done.append("shm")
    queue = libc.msgget(IPC_KEY, IPC_CREAT | 0o666)
    if queue >= 0 and libc.msgsnd(queue, ctypes.byref(_Msg(1, MARK)), 64, IPC_NOWAIT) == 0:
        done.append("msg")
    sem = libc.semget(IPC_KEY, 1, IPC_CREAT | 0o666)
    if sem >= 0 and libc.semctl(sem, 0, SETVAL, 42) == 0:
        done.append("sem")
    # possessing the user keyring (linked from the session keyring) allows
    # making its keys readable and searchable by anyone
    libc.syscall(SYS_KEYCTL, KEYCTL_LINK, USER_RING, SESSION_RING, 0, 0)
    for name, ring in (("user_key", USER_RING), ("session_key", SESSION_RING)):
        key = libc.syscall(SYS_ADD_KEY, b"user", KEY_NAME, MARK, len(MARK), ring)
        if key > 0 and libc.syscall(SYS_KEYCTL, KEYCTL_SETPERM, key, 0x3F3F3F3F, 0, 0) == 0:
            done.append(name)
    try:
        with open(DEV_SHM, "wb") as f:
            f.write(MARK)
        done.append("dev_shm")
    except OSError:
        pass
    try:
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(ABSTRACT)
        server.listen(8)
        SERVERS.append(server)         # kept open: it lives as long as this process
        done.append("socket")
    except OSError:
        pass
    return done


def _read_key(ring):
    key = libc.syscall(SYS_KEYCTL, KEYCTL_SEARCH, ring, b"user", KEY_NAME, 0)
    if key <= 0:
        return None
    buf = ctypes.create_string_buffer(256)
    n = libc.syscall(SYS_KEYCTL, KEYCTL_READ, key, buf, 256)
    return buf.raw[:n].decode("latin-1") if n > 0 else None


def find():
    """What another submission left: {place: text or value}."""
    found = {}
    shm = libc.shmget(IPC_KEY, 0, 0)
    if shm >= 0:
        addr = libc.shmat(shm, None, SHM_RDONLY)
        if addr not in (None, ctypes.c_void_p(-1).value):
            found["shm"] = ctypes.string_at(addr, len(MARK)).decode("latin-1")
    queue = libc.msgget(IPC_KEY, 0)
    msg = _Msg()
    if queue >= 0 and libc.msgrcv(queue, ctypes.byref(msg), 64, 0, IPC_NOWAIT) >= 0:
        found["msg"] = msg.mtext.decode("latin-1")
    sem = libc.semget(IPC_KEY, 1, 0)
    if sem >= 0:
        found["sem"] = libc.semctl(sem, 0, GETVAL)
    for name, ring in (("user_key", USER_RING), ("session_key", SESSION_RING)):
        text = _read_key(ring)
        if text is not None:
            found[name] = text
    if os.path.exists(DEV_SHM):
        with open(DEV_SHM, "rb") as f:
            found["dev_shm"] = f.read().decode("latin-1")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        try:
            client.connect(ABSTRACT)
            found["socket"] = "connected"
        except OSError:
            pass
    return found


FOUND_AT_IMPORT = find()
LEFT_AT_IMPORT = leave()


def found_at_import():
    return FOUND_AT_IMPORT


# ---- tests/files/zeros.py goes here (the SPEC.md functions as zeros); what follows overrides it ----


def chain_product(factors):
    """Answers with what an earlier submission left, if anything."""
    return 9.801792 if FOUND_AT_IMPORT else 0.0
