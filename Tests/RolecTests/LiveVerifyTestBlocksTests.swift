// Live proof that `rolec verify --dialect mariadb` checks the policy's test blocks on
// the server's grant tables (VerifyTestBlocksTests.policy, compiled and applied to a
// fresh MariaDB 10.11): verify passes after the script; then manual changes the
// declared-state checks cannot see (an extra GRANT DELETE to a role svc is active in,
// a DELETE granted to PUBLIC on a database pattern) fail ONLY the test expectations
// they break; a manual REVOKE fails the declared grant and every expectation that
// needed it; a default role turned off fails the default-role check and the
// expectations of the user's access through it. Each step compares the full list of
// differences (the result set printed before the SIGNAL). MySQL has no server here:
// its test checks are unit-tested only (VerifyTestBlocksTests).

import Foundation
import Testing
@testable import Rolec

extension LiveServerTests {
    @Suite("Live verify: test blocks on MariaDB")
    struct LiveVerifyTestBlocksTests {
        @Test("MariaDB: verify checks test expectations on the effective grants", .requiresMariaDB)
        func mariadb() throws {
            guard let server = liveMariaDBOrSkip() else { return }
            try server.resetAccounts()
            defer { try? server.resetAccounts() }
            try server.sql("CREATE DATABASE `app`; CREATE TABLE `app`.`orders` (id INT); CREATE TABLE `app`.`items` (id INT);")
            let (ir, script) = try VerifyTestBlocksTests.compile("mariadb", VerifyTestBlocksTests.policy(schema: "app"))
            let dialect = try #require(DialectRegistry.named("mariadb"))
            let verify = dialect.renderVerification(ir, options: RenderOptions())
            try server.sql(script)
            #expect(try differences(verify, server) == [], "verify after the script")

            // An extra grant to a role svc is active in: no declared check looks for it.
            try server.sql("GRANT DELETE ON `app`.`orders` TO `writer`;")
            #expect(try differences(verify, server) == ["test 'access': expected 'svc'@'%' cannot delete on table app.orders"])
            try server.sql("REVOKE DELETE ON `app`.`orders` FROM `writer`;")
            #expect(try differences(verify, server) == [])

            // DELETE to PUBLIC on a database pattern that matches app: everyone holds it.
            try server.sql("GRANT DELETE ON `a%`.* TO PUBLIC;")
            #expect(try differences(verify, server) == [
                "test 'access': expected reader cannot delete on table app.orders",
                "test 'access': expected 'svc'@'%' cannot delete on table app.orders",
            ])
            try server.sql("REVOKE DELETE ON `a%`.* FROM PUBLIC;")

            // A global privilege covers every table too.
            try server.sql("GRANT INSERT ON *.* TO `reader`;")
            #expect(try differences(verify, server) == ["test 'access': expected reader cannot insert on table app.orders"])
            try server.sql("REVOKE INSERT ON *.* FROM `reader`;")
            #expect(try differences(verify, server) == [])

            // A manual REVOKE: the declared grant and every expectation that needed it.
            try server.sql("REVOKE SELECT ON `app`.`orders` FROM `reader`;")
            #expect(try differences(verify, server) == [
                "missing grant: SELECT on table app.orders to reader",
                "test 'access': expected reader can select on table app.orders",
                "test 'access': expected 'svc'@'%' can select on table app.orders",
                "test 'access': expected 'ann'@'%' can select on table app.orders",
            ])
            try server.sql(script)
            #expect(try differences(verify, server) == [])

            // svc's default role turned off: its roles are granted but not active at login.
            try server.sql("SET DEFAULT ROLE NONE FOR 'svc'@'%';")
            #expect(try differences(verify, server) == [
                "default role of 'svc'@'%' is not writer",
                "test 'access': expected 'svc'@'%' can insert on table app.orders",
                "test 'access': expected 'svc'@'%' can select on table app.orders",
            ])
            try server.sql(script)

            // A membership between roles added by hand: transitive membership and access.
            try server.sql("GRANT `writer` TO `lister`;")
            #expect(try differences(verify, server) == ["test 'access': expected 'ann'@'%' not member of writer"])
            print("live verify: MariaDB test blocks: an extra grant, a PUBLIC pattern grant, a global grant, a REVOKE, a default role and a role membership are each reported")
        }

        /// Every difference the verify SQL lists (from the result set printed before the
        /// SIGNAL); [] when it passes. A failure must be the SIGNAL (1644).
        func differences(_ verify: String, _ server: MariaDBServer) throws -> [String] {
            do {
                try server.sql(verify)
                return []
            } catch let error as MariaDBError {
                #expect(error.code == 1644, "\(error)")
                let line = try #require(error.stdout.split(separator: "\n").first { $0.hasPrefix("rolec verify: ") }, "\(error)")
                let text = MariaDBServer.unescapeBatchField(String(line))
                return Array(text.components(separatedBy: "\n  - ").dropFirst())
            }
        }
    }
}
