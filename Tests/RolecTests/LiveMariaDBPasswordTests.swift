// Verifiers compiled by rolec, applied to the live MariaDB server: the accounts they
// create accept the password behind the hash over TCP and refuse any other, and
// `rolec verify` notices a password changed by hand.

import Foundation
import Testing
@testable import Rolec

extension LiveServerTests {
    @Suite("Live MariaDB: compiled verifiers log in")
    struct LiveMariaDBPasswordTests {
        @Test("mysql_native_password and ed25519 hashes from a policy work at login", .requiresMariaDB)
        func verifiersLogIn() throws {
            guard let server = liveMariaDBOrSkip() else { return }
            try server.resetAccounts()
            defer { try? server.resetAccounts() }
            try server.createDatabase("rolec_pw")
            try server.sql("CREATE TABLE rolec_pw.t (a INT); INSERT INTO rolec_pw.t VALUES (7);")
            // PASSWORD('secret') and the ed25519 key of 'secret' (SHOW CREATE USER after
            // IDENTIFIED VIA ed25519 USING PASSWORD('secret') on 10.11).
            let policy = """
            role reader { grant select on table rolec_pw.t }
            user native_pw { member of reader
              password hash '*14E65567ABDB5135D0CFD9A70B3032C179A49EE7' }
            user ed_pw { member of reader
              password hash 'ZIgUREUg5PVgQ6LskhXmO+eZLS0nC8be6HPjYWR4YJY' }
            """
            let compilation = Compilation(files: [SourceFile(id: 0, path: "pw.roles", text: policy)])
            let dialect = MySQLDialect(flavour: .mariadb)
            let script = try #require(compilation.compile(for: Target(dialect: dialect, version: dialect.defaultVersion)).script)
            try server.sql(script)
            try server.sql(script)
            for user in ["native_pw", "ed_pw"] {
                #expect(try server.login(user: user, password: "secret", sql: "SELECT a FROM rolec_pw.t;") == "7")
                #expect(throws: (any Error).self) { try server.login(user: user, password: "wrong", sql: "SELECT 1;") }
                #expect(throws: (any Error).self) { try server.login(user: user, password: "", sql: "SELECT 1;") }
            }
            // `rolec verify` checks the stored verifiers: it passes now, and fails naming the
            // account once a password is changed by hand (another plugin, or another hash).
            let verify = dialect.renderVerification(try #require(compilation.compile(for: Target(dialect: dialect, version: dialect.defaultVersion)).ir),
                                                    options: RenderOptions())
            try server.sql(verify)
            for (user, change) in [("native_pw", "IDENTIFIED BY 'other'"), ("ed_pw", "IDENTIFIED BY 'secret'")] {
                try server.sql("ALTER USER '\(user)'@'%' \(change);")
                do {
                    try server.sql(verify)
                    Issue.record("verify passed after ALTER USER \(user) \(change)")
                } catch let error as MariaDBError {
                    #expect(error.code == 1644 && error.stderr.contains("account '\(user)'@'%': password is not the declared verifier"),
                            "\(error.stderr)")
                }
                try server.sql(script)
                try server.sql(verify)
            }
        }
    }
}
