"""Child side: confine the worker process before any student code runs.

Only the worker imports this module. Everything here runs in the child
after ``unshare`` gave it new mount, network and PID namespaces (modes
"root" and "userns") and before the submission's first line:

build_root   a private root file system: an empty tmpfs holding read-only
             bind mounts of the system folders (/usr, /bin, /lib...), a few
             /etc files, the Python installation and the virtual
             environment, a fresh /proc for the new PID namespace, /dev
             null/zero/urandom, and a private writable /tmp; then chroot.
             Nothing else of the machine is visible: not the repository,
             not the answer key, not the grader's output folder. Paths
             listed in cfg["hide"] that are still visible (e.g. an answer
             key installed into site-packages) get an empty tmpfs on top.
set_rlimits  address space, CPU, file size, open files, processes, no core
drop_to_user setgroups([]), setgid, setuid to the uid leased for this
             child alone (uids.py), then clear that uid's user keyrings:
             a key a earlier submission left under the same uid is gone
drop_caps    empty capability sets and bounding set (userns mode, where
             the child is "root" of its own user namespace)
"""

import ctypes
import os
import resource
import signal

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                       ctypes.c_ulong, ctypes.c_char_p]
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong,
                       ctypes.c_ulong, ctypes.c_ulong]
libc.syscall.restype = ctypes.c_long

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21

PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_SECUREBITS = 28
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
# NOROOT, NOROOT_LOCKED, NO_SETUID_FIXUP, NO_SETUID_FIXUP_LOCKED, KEEP_CAPS_LOCKED
SECUREBITS_LOCKED_DOWN = 0x01 | 0x02 | 0x04 | 0x08 | 0x20

SYSTEM_DIRS = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32")
ETC_FILES = ("passwd", "group", "nsswitch.conf", "hosts", "localtime",
             "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "os-release")
DEV_NODES = ("null", "zero", "full", "random", "urandom")


class ConfineError(Exception):
    pass


def _b(s):
    return None if s is None else os.fsencode(s)


def mount(src, target, fstype, flags, data=None):
    if libc.mount(_b(src), _b(target), _b(fstype), flags, _b(data)) != 0:
        err = ctypes.get_errno()
        raise ConfineError(f"mount {fstype or src} on {target}: {os.strerror(err)}")


def prctl(option, arg2=0, arg3=0, arg4=0, arg5=0):
    if libc.prctl(option, arg2, arg3, arg4, arg5) != 0:
        err = ctypes.get_errno()
        raise ConfineError(f"prctl({option}): {os.strerror(err)}")


def _flags_of(path):
    """The per-mount flags of the mount holding path (to keep locked ones)."""
    f = os.statvfs(path).f_flag
    out = 0
    for st, ms in ((os.ST_RDONLY, MS_RDONLY), (os.ST_NOSUID, MS_NOSUID),
                   (os.ST_NODEV, MS_NODEV), (os.ST_NOEXEC, MS_NOEXEC),
                   (os.ST_NOATIME, MS_NOATIME), (os.ST_NODIRATIME, MS_NODIRATIME),
                   (os.ST_RELATIME, MS_RELATIME)):
        if f & st:
            out |= ms
    return out


def bind(src, target, readonly=True, extra=MS_NOSUID | MS_NODEV):
    mount(src, target, None, MS_BIND | MS_REC)
    if readonly:
        flags = _flags_of(target) | MS_RDONLY | extra
        mount(None, target, None, MS_BIND | MS_REMOUNT | flags)


def _make_dirs(root, path):
    """Create root+path (mode 755) without following symlinks below root.

    Returns False when a component already exists as a symlink or file (the
    path is then reachable, or not, through what is already there)."""
    cur = root
    for part in [p for p in path.split("/") if p]:
        cur = os.path.join(cur, part)
        try:
            os.lstat(cur)
        except FileNotFoundError:
            os.mkdir(cur, 0o755)
            continue
        if not os.path.isdir(cur) or os.path.islink(cur):
            return False
    return True


def _under(path, bases):
    return any(path == b or path.startswith(b.rstrip("/") + "/") for b in bases)


def build_root(cfg):
    """Build the private root in cfg["root"] and chroot into it.

    Returns the protections now in place (names for student.protections).
    """
    root = cfg["root"]
    tmp_bytes = int(cfg["tmp_bytes"])
    prot = []
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=1m,nr_inodes=4096")
    bound = []
    for name in SYSTEM_DIRS:
        src = "/" + name
        dst = os.path.join(root, name)
        if os.path.islink(src):
            target = os.readlink(src)
            os.symlink(target.lstrip("/") if target.startswith("/") else target, dst)
        elif os.path.isdir(src):
            os.mkdir(dst, 0o755)
            bind(src, dst)
            bound.append(src)
    os.mkdir(os.path.join(root, "etc"), 0o755)
    for name in ETC_FILES:
        src = "/etc/" + name
        dst = os.path.join(root, "etc", name)
        if os.path.islink(src):
            os.symlink(os.readlink(src), dst)
        elif os.path.isdir(src):
            os.mkdir(dst, 0o755)
            bind(src, dst)
        elif os.path.isfile(src):
            open(dst, "w").close()
            bind(src, dst)
    # the working folder: a private, size-limited /tmp. Made before the
    # Python binds, which may live under /tmp (a clone checked out there):
    # their mount points are then created inside this tmpfs.
    tmp = os.path.join(root, "tmp")
    os.mkdir(tmp, 0o755)
    mount("tmpfs", tmp, "tmpfs", MS_NOSUID | MS_NODEV,
          f"mode=1777,size={tmp_bytes},nr_inodes=16384")
    work = os.path.join(tmp, "work")          # the empty working folder
    os.mkdir(work)
    os.chmod(work, 0o1777)
    prot.append("private /tmp working folder")
    # the Python installation and the environment, at the same paths
    for src in cfg["binds"]:
        if _under(src, bound) or not os.path.exists(src):
            continue
        dst = root + src
        if os.path.isdir(src):
            if not _make_dirs(root, src):
                continue
        else:
            parent = os.path.dirname(src)
            if not _make_dirs(root, parent) or os.path.lexists(dst):
                continue
            open(dst, "w").close()
        bind(src, dst)
        bound.append(src)
    prot.append("read-only system and Python folders")
    # /dev
    dev = os.path.join(root, "dev")
    os.mkdir(dev, 0o755)
    for name in DEV_NODES:
        if os.path.exists("/dev/" + name):
            open(os.path.join(dev, name), "w").close()
            mount("/dev/" + name, os.path.join(dev, name), None, MS_BIND)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, os.path.join(dev, name))
    os.mkdir(os.path.join(dev, "shm"), 0o755)
    mount("tmpfs", os.path.join(dev, "shm"), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
          f"mode=1777,size={max(tmp_bytes // 4, 1 << 20)},nr_inodes=1024")
    # /proc of the new PID namespace (only the child's own processes)
    os.mkdir(os.path.join(root, "proc"), 0o555)
    try:
        mount("proc", os.path.join(root, "proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        prot.append("private /proc")
    except ConfineError:
        pass
    # answer key and grader data that would still be visible
    empty = os.path.join(root, "dev", ".empty")
    for path in cfg["hide"]:
        dst = root + path
        if not os.path.lexists(dst) or os.path.islink(dst):
            continue
        if os.path.isdir(dst):
            mount("tmpfs", dst, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  "mode=755,size=4k,nr_inodes=16")
        else:
            if not os.path.exists(empty):
                open(empty, "w").close()
            bind(empty, dst)
    # the root itself becomes read-only; then enter it
    mount(None, root, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chdir(root)
    os.chroot(".")
    os.chdir("/tmp/work")
    prot.append("chroot: repository, answer key and grader files not visible")
    return prot


def set_rlimits(limits):
    """Soft = hard limits, so the child cannot raise them again."""
    table = {
        "memory_bytes": resource.RLIMIT_AS,
        "file_bytes": resource.RLIMIT_FSIZE,
        "open_files": resource.RLIMIT_NOFILE,
        "processes": resource.RLIMIT_NPROC,
    }
    for key, res in table.items():
        if limits.get(key) is not None:
            resource.setrlimit(res, (int(limits[key]), int(limits[key])))
    cpu = int(limits["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def drop_to_user(uid, gid):
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise ConfineError("could not change user")
    if _cap_eff() not in (0, None):
        raise ConfineError("capabilities remain after changing user")
    clear_user_keyrings()


SYS_KEYCTL = {"x86_64": 250, "aarch64": 219}.get(os.uname().machine)
KEYCTL_JOIN_SESSION_KEYRING = 1
KEYCTL_CLEAR = 7
KEY_SPEC_USER_KEYRING = -4
KEY_SPEC_USER_SESSION_KEYRING = -5


def keyctl(op, arg2=0):
    """The keyctl system call (no libkeyutils needed); -1 when unavailable."""
    if SYS_KEYCTL is None:
        return -1
    return libc.syscall(ctypes.c_long(SYS_KEYCTL), ctypes.c_long(op), ctypes.c_long(arg2),
                        ctypes.c_long(0), ctypes.c_long(0), ctypes.c_long(0))


def join_new_session_keyring():
    """Leave the grading process's session keyring for a new, empty one
    (a session keyring is inherited by every child and grants its
    possessors access whatever their uid)."""
    if keyctl(KEYCTL_JOIN_SESSION_KEYRING) < 0 and ctypes.get_errno() != 38:   # ENOSYS
        raise ConfineError(f"could not join a new session keyring: "
                           f"{os.strerror(ctypes.get_errno())}")


def clear_user_keyrings():
    """Empty this uid's user and user-session keyrings (they outlive the
    uid's processes in the kernel)."""
    for ring in (KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING):
        if keyctl(KEYCTL_CLEAR, ring) != 0 and ctypes.get_errno() != 38:   # ENOSYS
            raise ConfineError(f"could not clear keyring {ring}: "
                               f"{os.strerror(ctypes.get_errno())}")


def kernel_state(cfg):
    """The protections against state shared through the kernel (set up by
    the grading process and boot.py; cfg says which hold)."""
    prot = []
    if cfg.get("ipc"):
        prot.append("IPC namespace (System V shared memory, queues and semaphores "
                    "of its own, gone with it)")
    if cfg.get("keyring"):
        prot.append("keyrings of its own")
    for what in cfg.get("tree", ()):
        prot.append(f"control group: {what} of the whole process tree limited")
    return prot


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def drop_caps():
    """Empty every capability set (the child stays uid 0 of its own user
    namespace, which then confers nothing)."""
    for cap in range(64):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            break          # EINVAL past the last capability
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    prctl(PR_SET_SECUREBITS, SECUREBITS_LOCKED_DOWN)
    header = _CapHeader(0x20080522, 0)
    data = (_CapData * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        raise ConfineError(f"capset: {os.strerror(ctypes.get_errno())}")
    if _cap_eff() not in (0, None):
        raise ConfineError("capabilities remain")


def _cap_eff():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("CapEff:"):
                    return int(line.split()[1], 16)
    except OSError:
        pass
    return None


def no_new_privs():
    prctl(PR_SET_NO_NEW_PRIVS, 1)


def die_with_parent():
    prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))


def become_subreaper():
    """Orphaned descendants are re-parented to the worker, so the grading
    process can find and kill them (mode "none", without a PID namespace)."""
    prctl(PR_SET_CHILD_SUBREAPER, 1)
