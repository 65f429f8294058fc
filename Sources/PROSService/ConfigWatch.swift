#if canImport(Glibc)
    import Glibc
#endif

/// The content of a config folder as one number, so a poll (`configWatchMs`) can tell that it changed.
///
/// Symlinks are followed and names starting with a dot are skipped, as the config loader does: a
/// Kubernetes ConfigMap volume holds its files in a hidden timestamped folder, points the hidden `..data`
/// symlink at it and the visible names (`rules`, `rates`) through `..data`, and updates by swapping
/// `..data` in one rename. Only content counts (each file's path below the folder and its bytes), so a
/// swap that changes nothing, a `touch` or a new inode does not reload; an unreadable entry counts as
/// its error, so it reloads (and is refused) once, not on every poll.
public enum ConfigFolder {
    /// 64-bit FNV-1a over the sorted tree: for change detection, not for security.
    public static func digest(_ dir: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) {
            for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        }
        func walk(_ path: String, _ relative: String, depth: Int) {
            var st = stat()
            guard stat(path, &st) == 0 else {
                mix(Array("!\(relative):\(errno)\n".utf8))
                return
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                guard depth < 8 else { return }  // a symlink loop ends here
                guard let d = opendir(path) else {
                    mix(Array("!\(relative):\(errno)\n".utf8))
                    return
                }
                var names: [String] = []
                while let e = readdir(d) {
                    let name = withUnsafePointer(to: e.pointee.d_name) { p in
                        p.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                    }
                    if !name.hasPrefix(".") { names.append(name) }
                }
                closedir(d)
                for name in names.sorted() {
                    walk(path + "/" + name, relative.isEmpty ? name : relative + "/" + name, depth: depth + 1)
                }
            } else if (st.st_mode & S_IFMT) == S_IFREG {
                do {
                    let bytes = try Files.read(path)
                    mix(Array("\(relative):\(bytes.count)\n".utf8))
                    mix(bytes)
                } catch {
                    mix(Array("!\(relative):\(error.reason)\n".utf8))
                }
            }
        }
        walk(dir, "", depth: 0)
        return h
    }
}
