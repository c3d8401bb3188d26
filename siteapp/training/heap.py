"""Keep freed heap memory for reuse during training (glibc only).

A training step frees and re-allocates the same few-megabyte buffers every step (per-sample
gradients, im2col columns, activations). glibc's defaults return such memory to the kernel
(``mmap``/``munmap``, heap trimming) and fault it in again, zero-filled, on the next step;
on a CPU that costs a DP step about a fifth of its time. Raising the mmap and trim
thresholds keeps those pages in the process instead. The cost is that up to
``TRIM_THRESHOLD_BYTES`` of freed memory stays mapped while the app runs. Elsewhere
(macOS, Windows, musl) the system allocator already caches and this is a no-op.
"""

from __future__ import annotations

import ctypes
import platform

# glibc <malloc.h> parameter numbers.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
# glibc caps the mmap threshold at HEAP_MAX_SIZE / 2, which is 32 MiB on 64-bit systems.
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
TRIM_THRESHOLD_BYTES = 256 * 1024 * 1024

_tuned = False


def retain_freed_memory() -> bool:
    """Tune glibc malloc once per process; return whether the tuning is in effect."""
    global _tuned
    if _tuned:
        return True
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    libc = ctypes.CDLL(None)
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is None:
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    _tuned = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
    )
    return _tuned
