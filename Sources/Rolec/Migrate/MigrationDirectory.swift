import Foundation

/// A migrations directory: its snapshot, the files of its migrations, and the hash chain
/// that ties them together. Writes are all or nothing.
public struct MigrationDirectory: Sendable {
    public struct Problem: Error, Sendable {
        public var diagnostics: [Diagnostic]
        init(_ diagnostic: Diagnostic) { diagnostics = [diagnostic] }
    }

    public let path: String
    public init(path: String) { self.path = path }

    public var snapshotPath: String { file(MigrationSnapshot.fileName) }

    func file(_ relative: String) -> String {
        path.hasSuffix("/") ? path + relative : path + "/" + relative
    }

    /// The snapshot, or nil when no migration was written yet.
    public func snapshot() throws -> MigrationSnapshot? {
        guard let data = FileManager.default.contents(atPath: snapshotPath) else {
            if FileManager.default.fileExists(atPath: snapshotPath) {
                throw Problem(.snapshotUnreadable(snapshotPath, reason: "cannot read the file"))
            }
            return nil
        }
        do {
            let snapshot = try MigrationSnapshot.decode(data)
            guard snapshot.formatVersion == MigrationSnapshot.currentFormatVersion else {
                throw Problem(.snapshotUnreadable(snapshotPath, reason: "format version \(snapshot.formatVersion) is not \(MigrationSnapshot.currentFormatVersion)"))
            }
            return snapshot
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(.snapshotUnreadable(snapshotPath, reason: "not a rolec snapshot (\(Self.describe(error)))"))
        }
    }

    public func read(_ relative: String) -> String? {
        FileManager.default.contents(atPath: file(relative)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A path as recorded in the chain: relative to this directory when the file lies
    /// in the same tree (so the record does not depend on where the checkout lives).
    public func recordedPath(of source: String) -> String {
        guard !source.hasPrefix("<") else { return source }
        let base = URL(fileURLWithPath: path).standardizedFileURL.pathComponents
        let target = URL(fileURLWithPath: source).standardizedFileURL.pathComponents
        var common = 0
        while common < base.count, common < target.count, base[common] == target[common] { common += 1 }
        guard common > 0 else { return source }
        let ups = Array(repeating: "..", count: base.count - common)
        return (ups + target[common...]).joined(separator: "/")
    }

    // MARK: Writing

    /// Writes every file or none: each goes to a temporary file beside its target first,
    /// then all are renamed into place (the snapshot last). `fresh` files must not exist.
    public func write(_ files: [(path: String, contents: String)], fresh: Set<String>) throws {
        let manager = FileManager.default
        for (relative, _) in files where fresh.contains(relative) && manager.fileExists(atPath: file(relative)) {
            throw Problem(.migrationFileExists(file(relative)))
        }
        var staged: [(temporary: String, target: String)] = []
        func discard() { for s in staged { try? manager.removeItem(atPath: s.temporary) } }
        let pid = ProcessInfo.processInfo.processIdentifier
        do {
            for (relative, contents) in files {
                let target = URL(fileURLWithPath: file(relative))
                try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).rolec-\(pid).tmp")
                try Data(contents.utf8).write(to: temporary)
                staged.append((temporary.path, target.path))
            }
        } catch {
            discard()
            throw Problem(.migrationFormatProblem("cannot write into \(path): \(Self.describe(error))"))
        }
        var renamed: [String] = []
        for s in staged {
            if rename(s.temporary, s.target) != 0 {
                let reason = String(cString: strerror(errno))
                discard()
                // Take back the new migration files already in place; nothing else was replaced yet
                // (the snapshot and sqitch.plan come last).
                for target in renamed where fresh.contains(where: { file($0) == target }) { try? manager.removeItem(atPath: target) }
                throw Problem(.migrationFormatProblem("cannot write \(s.target): \(reason)"))
            }
            renamed.append(s.target)
        }
    }

    static func describe(_ error: Error) -> String {
        if let decoding = error as? DecodingError {
            switch decoding {
            case .dataCorrupted(let context): return context.debugDescription
            case .keyNotFound(let key, _): return "missing key '\(key.stringValue)'"
            case .typeMismatch(_, let context), .valueNotFound(_, let context):
                return "unexpected value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
            @unknown default: return "\(decoding)"
            }
        }
        return (error as NSError).localizedDescription
    }

    // MARK: The chain

    /// The first problem of the chain: a migration file edited, removed or renamed
    /// (reordered) after it was written, or a record of the snapshot altered. Empty: intact.
    public func verify(_ snapshot: MigrationSnapshot) -> [Diagnostic] {
        var previous = MigrationRecord.noPrevious
        var onDisk: [String: String]?  // sha256 -> relative path, built when first needed
        for (index, record) in snapshot.migrations.enumerated() {
            let label = "migration \(index + 1) (\(record.version) \(record.name))"
            if record.previous != previous {
                return [.migrationChainBroken(label, why: "it names \(record.previous) as its predecessor, not \(previous)")]
            }
            if record.computedHash != record.hash {
                return [.migrationChainBroken(label, why: "its recorded hash \(record.hash) does not match its contents (\(record.computedHash))")]
            }
            for digest in record.files {
                let current = FileManager.default.contents(atPath: file(digest.path)).map { SHA256.hex([UInt8]($0)) }
                if current == digest.sha256 { continue }
                if onDisk == nil { onDisk = hashes() }
                if let now = onDisk?[digest.sha256], now != digest.path {
                    return [.migrationReordered(label, file: digest.path, now: now)]
                }
                return [current == nil ? .migrationRemoved(label, file: digest.path) : .migrationEdited(label, file: digest.path)]
            }
            previous = record.hash
        }
        if snapshot.format == MigrationFormat.sqitch.rawValue, let problem = verifySqitchPlan(snapshot) { return [problem] }
        if let last = snapshot.migrations.last, last.stateSHA256 != MigrationSnapshot.stateHash(snapshot.policy) {
            let label = "migration \(snapshot.migrations.count) (\(last.version) \(last.name))"
            return [.migrationChainBroken(label, why: "the snapshot's policy is not the state this migration recorded")]
        }
        return []
    }

    /// Sqitch deploys in the order of sqitch.plan, which rolec appends to but does not
    /// chain (the plan may hold changes of other authors): its rolec changes must still be
    /// there, in the order they were written.
    func verifySqitchPlan(_ snapshot: MigrationSnapshot) -> Diagnostic? {
        let written = snapshot.migrations.map(\.name)
        let known = Set(written)
        let planned = read(MigrationFormat.sqitchPlanFile).map { MigrationFormat.sqitchChanges($0).filter { known.contains($0) } } ?? []
        for (index, record) in snapshot.migrations.enumerated() {
            let label = "migration \(index + 1) (\(record.version) \(record.name))"
            guard planned.contains(record.name) else {
                return .migrationPlanLineRemoved(label, plan: MigrationFormat.sqitchPlanFile)
            }
            if index < planned.count, planned[index] != record.name {
                return .migrationPlanReordered(label, plan: MigrationFormat.sqitchPlanFile, position: (planned.firstIndex(of: record.name) ?? 0) + 1)
            }
        }
        return nil
    }

    /// sha256 -> path of every file below the directory (for finding renamed migrations).
    func hashes() -> [String: String] {
        var result: [String: String] = [:]
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return result }
        var paths: [String] = []
        while let relative = enumerator.nextObject() as? String { paths.append(relative) }
        for relative in paths.sorted() where relative != MigrationSnapshot.fileName {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file(relative), isDirectory: &isDirectory), !isDirectory.boolValue,
                  let data = FileManager.default.contents(atPath: file(relative)) else { continue }
            let hash = SHA256.hex([UInt8](data))
            if result[hash] == nil { result[hash] = relative }
        }
        return result
    }
}

extension MigrationDirectory {
    /// The diagnostics the commands print (the catalog keeps their text).
    public static func mismatch(_ path: String, what: String, recorded: String, requested: String) -> Diagnostic {
        .snapshotMismatch(path, what: what, recorded: recorded, requested: requested)
    }
    public static func refusal(_ reason: String) -> Diagnostic { .migrationRefused(reason) }
}
