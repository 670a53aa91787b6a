import Foundation

/// The state of a migrations directory (`DIR/rolec.snapshot.json`, committed with the
/// migrations): the last migrated policy and the hash chain of every migration written.
/// JSON with sorted keys, pretty-printed: the same state gives the same bytes.
public struct MigrationSnapshot: Codable, Hashable, Sendable {
    public static let fileName = "rolec.snapshot.json"
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    public var dialect: String
    public var serverVersion: String
    /// The migration tool format the directory is written in (one per directory).
    public var format: String
    /// What the database holds once every migration ran (with `--phase`: only the part
    /// that was migrated, so the next migration does the rest).
    public var policy: PolicyIR
    /// Every migration written, oldest first.
    public var migrations: [MigrationRecord]

    public init(dialect: String, serverVersion: String, format: String, policy: PolicyIR, migrations: [MigrationRecord] = []) {
        self.formatVersion = MigrationSnapshot.currentFormatVersion
        self.dialect = dialect
        self.serverVersion = serverVersion
        self.format = format
        self.policy = policy
        self.migrations = migrations
    }

    /// The hash the next migration names as its predecessor.
    public var lastHash: String { migrations.last?.hash ?? MigrationRecord.noPrevious }

    public func encoded() throws -> String {
        String(decoding: try MigrationSnapshot.encoder.encode(self), as: UTF8.self) + "\n"
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// sha256 of a policy state as the snapshot stores it (its canonical JSON).
    public static func stateHash(_ policy: PolicyIR) -> String {
        let data = (try? encoder.encode(policy)) ?? Data()
        return SHA256.hex([UInt8](data))
    }

    public static func decode(_ data: Data) throws -> MigrationSnapshot {
        try JSONDecoder().decode(MigrationSnapshot.self, from: data)
    }
}

/// A file and its sha256 (lower-case hex). Migration files are relative to the
/// migrations directory; policy sources as recorded (relative to it where possible).
public struct FileDigest: Codable, Hashable, Sendable {
    public var path: String
    public var sha256: String
    public init(path: String, sha256: String) {
        self.path = path
        self.sha256 = sha256
    }
}

/// One link of the chain.
public struct MigrationRecord: Codable, Hashable, Sendable {
    /// The predecessor hash of the first migration.
    public static let noPrevious = "none"

    public var version: String
    public var name: String
    /// `principals`, `privileges` or nil (everything).
    public var phase: String?
    /// The files the migration consists of, as written.
    public var files: [FileDigest]
    public var sources: [FileDigest]
    /// sha256 over the sources' paths and hashes (`MigrationRecord.policyHash`).
    public var policySHA256: String
    public var previous: String
    /// sha256 of the policy state after this migration (`MigrationSnapshot.stateHash`): the
    /// last one must match the snapshot's `policy`.
    public var stateSHA256: String
    /// sha256 over the previous hash, version, name, phase, policy and state hashes and every file's hash.
    public var hash: String
    public var principalsCreated: [String]
    public var principalsDropped: [String]
    /// What login principals gain and lose, in plain words (AccessChange).
    public var gains: [String]
    public var losses: [String]
    /// Refusals that `--accept-loss` overrode.
    public var acceptedRefusals: [String]

    public init(version: String, name: String, phase: String?, files: [FileDigest], sources: [FileDigest], previous: String,
                stateSHA256: String, principalsCreated: [String], principalsDropped: [String], gains: [String], losses: [String], acceptedRefusals: [String]) {
        self.version = version
        self.name = name
        self.phase = phase
        self.files = files
        self.sources = sources
        self.policySHA256 = MigrationRecord.policyHash(sources)
        self.previous = previous
        self.stateSHA256 = stateSHA256
        self.principalsCreated = principalsCreated
        self.principalsDropped = principalsDropped
        self.gains = gains
        self.losses = losses
        self.acceptedRefusals = acceptedRefusals
        self.hash = ""
        self.hash = computedHash
    }

    /// One hash for a policy of several files: over "path sha256" lines in order.
    public static func policyHash(_ sources: [FileDigest]) -> String {
        SHA256.hex(Array(sources.map { "\($0.path) \($0.sha256)\n" }.joined().utf8))
    }

    /// The link's hash, recomputed from what the record says.
    public var computedHash: String {
        var text = "rolec-migration-v1\nprevious \(previous)\nversion \(version)\nname \(name)\nphase \(phase ?? "all")\npolicy \(policySHA256)\nstate \(stateSHA256)\n"
        for file in files { text += "file \(file.path) \(file.sha256)\n" }
        return SHA256.hex(Array(text.utf8))
    }
}
