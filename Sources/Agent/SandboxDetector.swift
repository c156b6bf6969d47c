#if canImport(Glibc)
import Glibc
#endif

/// What kind of machine the agent runs in and which sandbox back-ends it could use
/// (orchestration.md §3.2 step 4), reported in `sandbox_types` and as `sandbox.<type>`
/// capabilities.
public struct SandboxEnvironment: Sendable, Equatable {
    /// `container`, `vm`, `gvisor`, `kata` or `host`.
    public var isolation: String
    /// Available sandbox types: `docker`, `gvisor`, `bwrap`, `nsjail`, `namespace`.
    public var types: [String]
}

public enum SandboxDetector {
    /// Inputs of the detection, read from the system by `detect()` and given directly in tests.
    public struct Probe: Sendable {
        public var fileExists: @Sendable (String) -> Bool
        public var readFile: @Sendable (String) -> String?
        public var executableOnPath: @Sendable (String) -> Bool
        public var isRoot: Bool

        public init(
            fileExists: @escaping @Sendable (String) -> Bool, readFile: @escaping @Sendable (String) -> String?,
            executableOnPath: @escaping @Sendable (String) -> Bool, isRoot: Bool
        ) {
            self.fileExists = fileExists
            self.readFile = readFile
            self.executableOnPath = executableOnPath
            self.isRoot = isRoot
        }

        public static func system(path: String) -> Probe {
            let directories = path.split(separator: ":").map(String.init)
            return Probe(
                fileExists: { access($0, F_OK) == 0 },
                readFile: { ProcFS.readSmallFile($0) },
                executableOnPath: { name in directories.contains { access($0 + "/" + name, X_OK) == 0 } },
                isRoot: geteuid() == 0)
        }
    }

    public static func detect(_ probe: Probe) -> SandboxEnvironment {
        var isolation = "host"
        let version = probe.readFile("/proc/version") ?? ""
        let cmdline = probe.readFile("/proc/cmdline") ?? ""
        let cgroup = (probe.readFile("/proc/1/cgroup") ?? "").lowercased()
        if version.lowercased().contains("gvisor") {
            isolation = "gvisor"
        } else if cmdline.contains("kata") {
            isolation = "kata"
        } else if probe.fileExists("/.dockerenv") || probe.fileExists("/run/.containerenv")
            || ["docker", "containerd", "kubepods", "lxc"].contains(where: { cgroup.contains($0) })
        {
            isolation = "container"
        } else if isVirtualMachine(probe) {
            isolation = "vm"
        }

        var types: [String] = []
        if probe.fileExists("/var/run/docker.sock") || probe.fileExists("/run/docker.sock") { types.append("docker") }
        if probe.executableOnPath("runsc") { types.append("gvisor") }
        if probe.executableOnPath("bwrap") { types.append("bwrap") }
        if probe.executableOnPath("nsjail") { types.append("nsjail") }
        if probe.isRoot, probe.executableOnPath("unshare") { types.append("namespace") }
        return SandboxEnvironment(isolation: isolation, types: types)
    }

    static func isVirtualMachine(_ probe: Probe) -> Bool {
        let product = (probe.readFile("/sys/class/dmi/id/product_name") ?? "").lowercased()
        let markers = ["kvm", "qemu", "vmware", "virtualbox", "xen", "hyper-v", "virtual machine", "bochs", "firecracker"]
        if markers.contains(where: { product.contains($0) }) { return true }
        if let hypervisor = probe.readFile("/sys/hypervisor/type"), !hypervisor.trimmingWhitespace().isEmpty {
            return true
        }
        return (probe.readFile("/proc/cpuinfo") ?? "").contains(" hypervisor")
    }
}
