"""CPU time of processes, read from /proc: the benchmarks report CPU per unit of work, which does
not drift with the machine's other load as rates do."""
import collections
import os

TICKS = os.sysconf("SC_CLK_TCK")

# parent pid, process group, user + system CPU seconds, and those of its reaped children.
Process = collections.namedtuple("Process", "parent group cpu reaped")


def process_table():
    """pid -> Process, for every process, in one pass over /proc."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[0] is field 3 (state): ppid is field 4, pgrp 5, utime 14, stime 15, cutime 16, cstime 17.
        table[int(entry)] = Process(int(fields[1]), int(fields[2]), (int(fields[11]) + int(fields[12])) / TICKS,
                                    (int(fields[13]) + int(fields[14])) / TICKS)
    return table


def tree_cpu_seconds(roots, table=None):
    """CPU seconds used so far by `roots` and all their descendants. A child that exits and is
    reaped inside the tree moves its time into its parent's, so differences stay right."""
    table = process_table() if table is None else table
    children = collections.defaultdict(list)
    for pid, process in table.items():
        children[process.parent].append(pid)
    total, todo, seen = 0.0, [r for r in roots if r in table], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += table[pid].cpu + table[pid].reaped
        todo.extend(children[pid])
    return total
