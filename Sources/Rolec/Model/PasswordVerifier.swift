/// Recognises pre-hashed password verifiers. rolec never accepts plaintext: a value
/// that matches no known verifier format is reported as a plaintext password.
public enum PasswordVerifier: String, Sendable {
    /// PostgreSQL `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`.
    case scramSHA256
    /// PostgreSQL `md5` + 32 hex digits (deprecated).
    case md5
    /// MySQL/MariaDB mysql_native_password: `*` + 40 hex digits.
    case mysqlNative
    /// MySQL caching_sha2_password: `$A$005$` + 20 salt bytes + 43 hash characters.
    case cachingSHA2

    public static func kind(of value: String) -> PasswordVerifier? {
        let bytes = Array(value.utf8)
        if isSCRAM(bytes) { return .scramSHA256 }
        if bytes.count == 35, value.hasPrefix("md5"), bytes[3...].allSatisfy(isHex) { return .md5 }
        if bytes.count == 41, bytes[0] == UInt8(ascii: "*"), bytes[1...].allSatisfy(isHex) { return .mysqlNative }
        if bytes.count == 70, value.hasPrefix("$A$005$") { return .cachingSHA2 }
        return nil
    }

    static func isHex(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (b >= 65 && b <= 70) || (b >= 97 && b <= 102)
    }

    static func isBase64(_ b: UInt8) -> Bool {
        (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b == UInt8(ascii: "+") || b == UInt8(ascii: "/") || b == UInt8(ascii: "=")
    }

    /// `SCRAM-SHA-256$` digits `:` base64 `$` base64 `:` base64, each base64 part non-empty.
    static func isSCRAM(_ bytes: [UInt8]) -> Bool {
        let prefix = Array("SCRAM-SHA-256$".utf8)
        guard bytes.count > prefix.count, Array(bytes[0..<prefix.count]) == prefix else { return false }
        let rest = bytes[prefix.count...]
        let parts = rest.split(separator: UInt8(ascii: "$"), omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let head = parts[0].split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        let keys = parts[1].split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard head.count == 2, keys.count == 2 else { return false }
        guard !head[0].isEmpty, head[0].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return false }
        return [head[1], keys[0], keys[1]].allSatisfy { !$0.isEmpty && $0.allSatisfy(isBase64) }
    }
}
