import Foundation

/// Runs a database client (psql, mariadb) with `input` on stdin. stdin, stdout and
/// stderr are plain files: no pipe can fill up and deadlock, and a client that stops
/// early cannot SIGPIPE the test process.
enum ClientProcess {
    struct Result {
        /// The exit status, or minus the signal that ended the process.
        var status: Int32
        /// stdout exactly as the client wrote it.
        var stdout: String
        var stderr: String

        /// stdout without its trailing newlines: the value of a successful query.
        var value: String {
            var trimmed = Substring(stdout)
            while trimmed.last == "\n" { trimmed.removeLast() }
            return String(trimmed)
        }
    }

    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    /// `removing` names environment variables that must not leak into the client;
    /// `setting` adds or overrides others.
    static func run(_ executable: String, _ arguments: [String], input: String,
                    removing: [String], setting: [String: String]) throws -> Result {
        let fm = FileManager.default
        let scratch = fm.temporaryDirectory.appendingPathComponent("rolec-client-\(UUID().uuidString)", isDirectory: true)
        try fm.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: scratch) }
        let inURL = scratch.appendingPathComponent("in.sql")
        let outURL = scratch.appendingPathComponent("out.txt")
        let errURL = scratch.appendingPathComponent("err.txt")
        try Data(input.utf8).write(to: inURL)
        guard fm.createFile(atPath: outURL.path, contents: nil), fm.createFile(atPath: errURL.path, contents: nil) else {
            throw SetupError(description: "cannot create temp files in \(scratch.path)")
        }
        let process = Process()
        do {
            let stdin = try FileHandle(forReadingFrom: inURL)
            let stdout = try FileHandle(forWritingTo: outURL)
            let stderr = try FileHandle(forWritingTo: errURL)
            defer {
                try? stdin.close()
                try? stdout.close()
                try? stderr.close()
            }
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            var env = ProcessInfo.processInfo.environment
            for key in removing { env.removeValue(forKey: key) }
            for (key, value) in setting { env[key] = value }
            process.environment = env
            process.standardInput = stdin
            process.standardOutput = stdout
            process.standardError = stderr
            try process.run()
            process.waitUntilExit()
        }
        let out = String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self)
        let err = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
        let status = process.terminationReason == .exit ? process.terminationStatus : -process.terminationStatus
        return Result(status: status, stdout: out, stderr: err)
    }
}
