#if canImport(Glibc)
import Glibc
#endif

/// Real resource use for heartbeats (runner-protocol.md §4.1 `ResourceUsage`): CPU % and RSS of
/// the agent's process tree (the agent, its descendants and every process group its tasks
/// started, which covers background processes re-parented away from the agent), and the bytes
/// allocated under the workspace base directory.
public struct ResourceSampler: Sendable {
    public struct Sample: Sendable, Equatable {
        public var cpuPercent: Double
        public var memoryBytes: Int64
        public var diskBytes: Int64
    }

    private var previousTicks: Int64?
    private var previousTime: ContinuousClock.Instant?
    /// Cap on directory entries visited per disk scan, so a huge workspace cannot stall heartbeats.
    public var maxScannedEntries = 500_000

    public init() {}

    /// Processes of the tree rooted at `root` plus members of `groups`.
    public static func tree(root: pid_t, groups: Set<pid_t>, in processes: [ProcFS.ProcessStat]) -> [ProcFS.ProcessStat] {
        var children: [pid_t: [pid_t]] = [:]
        var byPID: [pid_t: ProcFS.ProcessStat] = [:]
        for process in processes {
            children[process.parent, default: []].append(process.pid)
            byPID[process.pid] = process
        }
        var selected = Set<pid_t>()
        var stack = [root] + processes.filter { groups.contains($0.processGroup) }.map(\.pid)
        while let pid = stack.popLast() {
            guard selected.insert(pid).inserted else { continue }
            stack.append(contentsOf: children[pid] ?? [])
        }
        return selected.compactMap { byPID[$0] }
    }

    /// CPU % (100 = one core busy) since the previous call, RSS and workspace disk use.
    public mutating func sample(processGroups: Set<pid_t>, workspaceBase: String) -> Sample {
        let processes = Self.tree(root: getpid(), groups: processGroups, in: ProcFS.processes())
        let ticks = processes.reduce(Int64(0)) { $0 + $1.cpuTicks }
        let rss = processes.reduce(Int64(0)) { $0 + $1.residentPages } * ProcFS.pageSize
        let now = ContinuousClock.now
        var cpu = 0.0
        if let previousTicks, let previousTime {
            let elapsed = previousTime.duration(to: now).agentSeconds
            if elapsed > 0 {
                cpu = max(0, Double(ticks - previousTicks) / ProcFS.ticksPerSecond / elapsed * 100)
            }
        }
        previousTicks = ticks
        previousTime = now
        return Sample(cpuPercent: cpu, memoryBytes: rss, diskBytes: Self.diskUsage(of: workspaceBase, maxEntries: maxScannedEntries))
    }

    /// Allocated bytes (`st_blocks × 512`) under a directory, not following symlinks, each inode
    /// counted once, at most `maxEntries` entries.
    public static func diskUsage(of path: String, maxEntries: Int = 500_000) -> Int64 {
        var total: Int64 = 0
        var visited = 0
        var seen = Set<UInt64>()
        var stack = [path]
        while let directory = stack.popLast(), visited < maxEntries {
            var info = stat()
            guard lstat(directory, &info) == 0 else { continue }
            if seen.insert(UInt64(info.st_ino)).inserted { total += Int64(info.st_blocks) * 512 }
            guard (info.st_mode & S_IFMT) == S_IFDIR, let handle = opendir(directory) else { continue }
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                visited += 1
                if visited >= maxEntries { break }
                let child = directory == "/" ? "/" + name : directory + "/" + name
                var childInfo = stat()
                guard lstat(child, &childInfo) == 0 else { continue }
                if (childInfo.st_mode & S_IFMT) == S_IFDIR {
                    stack.append(child)
                } else if childInfo.st_nlink <= 1 || seen.insert(UInt64(childInfo.st_ino)).inserted {
                    total += Int64(childInfo.st_blocks) * 512
                }
            }
            closedir(handle)
        }
        return total
    }
}
