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
    /// MariaDB ed25519: the 32-byte public key as 43 base64 characters without padding
    /// (what `SHOW CREATE USER` prints after `IDENTIFIED VIA ed25519 USING`).
    case ed25519

    public static func kind(of value: String) -> PasswordVerifier? {
        let bytes = Array(value.utf8)
        if isSCRAM(bytes) { return .scramSHA256 }
        if bytes.count == 35, value.hasPrefix("md5"), bytes[3...].allSatisfy(isLowerHex) { return .md5 }
        if bytes.count == 41, bytes[0] == UInt8(ascii: "*"), bytes[1...].allSatisfy(isUpperHex) { return .mysqlNative }
        if bytes.count == 70, value.hasPrefix("$A$005$") { return .cachingSHA2 }
        // The same hash as MySQL prints it with HEX(authentication_string): its salt may hold
        // bytes that no string literal carries safely.
        if bytes.count == 142, value.hasPrefix("0x"), bytes[2...].allSatisfy(isUpperHex),
           value.uppercased().hasPrefix("0X24412430303524") { return .cachingSHA2 }
        if bytes.count == 43, bytes.allSatisfy(isBase64Digit) { return .ed25519 }
        return nil
    }

    /// PostgreSQL compares MD5 verifiers as text: only lower-case hex is a verifier.
    static func isLowerHex(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || (b >= 97 && b <= 102) }
    /// MySQL prints mysql_native_password hashes in upper case.
    static func isUpperHex(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || (b >= 65 && b <= 70) }

    static func isBase64Digit(_ b: UInt8) -> Bool {
        (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b == UInt8(ascii: "+") || b == UInt8(ascii: "/")
    }

    /// Length in bytes of what strictly padded base64 decodes to, or nil if it is not base64.
    static func base64DecodedLength<C: Collection>(_ text: C) -> Int? where C.Element == UInt8 {
        let bytes = Array(text)
        guard !bytes.isEmpty, bytes.count % 4 == 0 else { return nil }
        var padding = 0
        if bytes[bytes.count - 1] == UInt8(ascii: "=") { padding += 1 }
        if bytes[bytes.count - 2] == UInt8(ascii: "=") { padding += 1 }
        guard bytes[..<(bytes.count - padding)].allSatisfy(isBase64Digit) else { return nil }
        return bytes.count / 4 * 3 - padding
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
        guard !head[0].isEmpty, head[0].count <= 9, head[0].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return false }
        // The salt is any base64; StoredKey and ServerKey are SHA-256 outputs: 32 bytes.
        guard let salt = base64DecodedLength(head[1]), salt > 0 else { return false }
        return base64DecodedLength(keys[0]) == 32 && base64DecodedLength(keys[1]) == 32
    }
}
