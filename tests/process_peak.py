"""The source of a child process's own peak memory, for test scripts run with ``python -c``.

``ru_maxrss`` carries the parent's high-water mark across fork and exec (a child of the test
suite's big pytest process reported 269 MiB having used 14), so the child reads its own
``VmHWM`` where Linux has it: its memory is all new since exec."""

PEAK_KIB = """
import resource
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # the parent's too, as it was at the fork
try:  # this process's own high-water mark (Linux)
    with open("/proc/self/status", encoding="ascii") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    pass
"""
"""Sets ``peak``, in KiB."""
