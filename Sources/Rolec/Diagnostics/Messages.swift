/// The catalog: every diagnostic rolec can produce, with its stable code.
/// Messages are lower-case and quote source text in '...'.
extension Diagnostic {
    // MARK: E01xx lexical and syntax

    static func unexpectedCharacter(_ text: String, at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0101", "unexpected character '\(text)'", at: r)
    }
    static func unterminatedString(at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0102", "unterminated string literal", at: r, help: "close it with ' (write '' for a quote inside)")
    }
    static func unterminatedIdentifier(at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0103", "unterminated quoted identifier", at: r, help: "close it with \" (write \"\" for a quote inside)")
    }
    static func invalidUTF8(at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0104", "invalid UTF-8 byte sequence", at: r)
    }
    static func nulByte(at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0105", "NUL byte in source", at: r, help: "no database accepts NUL in names or strings")
    }
    static func emptyIdentifier(at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0106", "empty quoted identifier", at: r)
    }
    static func expected(_ what: String, found: String, at r: SourceRange, help: String? = nil) -> Diagnostic {
        Diagnostic(.error, "E0110", "expected \(what), found \(found)", at: r, help: help)
    }
    static func integerTooLarge(at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0111", "integer literal is too large", at: r)
    }
    static func unknownProfile(_ name: String, at r: SourceRange, suggestion: String?) -> Diagnostic {
        Diagnostic(.error, "E0112", "unknown profile '\(name)'", at: r,
                   help: suggestion.map { "did you mean '\($0)'? (profiles: readonly, readwrite, maintenance, admin)" }
                       ?? "profiles are readonly, readwrite, maintenance and admin")
    }
    static func unknownDialect(_ name: String, at r: SourceRange, known: [String], suggestion: String?) -> Diagnostic {
        Diagnostic(.error, "E0113", "unknown dialect '\(name)'", at: r,
                   help: (suggestion.map { "did you mean '\($0)'? " } ?? "") + "known dialects: \(known.joined(separator: ", "))")
    }
    static func nestedBlock(_ what: String, at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0114", "\(what) is not allowed inside a dialect block", at: r)
    }

    // MARK: E02xx names and principals

    static func unknownPrincipal(_ name: String, at r: SourceRange, suggestion: (String, String)?) -> Diagnostic {
        Diagnostic(.error, "E0201", "unknown role '\(name)'", at: r,
                   help: suggestion.map { "did you mean '\($0.0)'? (declared at \($0.1))" }
                       ?? "declare it with 'role \(name)', or 'external role \(name)' if it exists already")
    }
    static func duplicatePrincipal(_ name: String, at r: SourceRange, previous: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0202", "'\(name)' is declared twice", at: r,
                   help: "merge the two declarations into one block",
                   notes: [Note("first declared here", at: previous)])
    }
    static func reservedName(_ name: String, at r: SourceRange, why: String) -> Diagnostic {
        Diagnostic(.error, "E0203", "'\(name)' cannot be used as a role name: \(why)", at: r)
    }
    static func nameTooLong(_ name: String, dialect: String, limit: String, at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0204", "name '\(name)' is too long for \(dialect) (at most \(limit))", at: r,
                   help: "\(dialect) would truncate it silently; choose a shorter name")
    }
    static func membershipCycle(_ path: [String], at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0205", "membership cycle: \(path.map { "'\($0)'" }.joined(separator: " -> "))", at: r,
                   help: "a role cannot be a member of itself, directly or through other roles")
    }
    static func declaredAndAbsent(_ name: String, at r: SourceRange, declared: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0206", "'\(name)' is declared absent but is also declared or used", at: r,
                   notes: [Note("declared or used here", at: declared)])
    }
    static func builtinNotInVersion(_ name: String, dialect: String, version: String, since: String, at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0207", "built-in role '\(name)' does not exist in \(dialect) \(version)", at: r,
                   help: "it exists from \(dialect) \(since): target --server-version \(since) or later")
    }
    static func builtinNotInDialect(_ name: String, dialect: String, at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0207", "built-in role '\(name)' does not exist in \(dialect)", at: r,
                   help: "put statements that use it inside a 'dialect' block for the dialects that have it")
    }
    static func builtinRedeclared(_ name: String, at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0208", "'\(name)' is a built-in role and cannot be declared or dropped", at: r,
                   help: "use it directly: built-in roles are known without declaration")
    }
    static func publicAsMember(at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0209", "'public' cannot be a member of a role", at: r,
                   help: "PUBLIC is every role; grant the privileges to PUBLIC instead")
    }
    static func caseCollision(_ name: String, other: String, at r: SourceRange, otherRange: SourceRange) -> Diagnostic {
        Diagnostic(.warning, "W0201", "'\(name)' differs from '\(other)' only by case", at: r,
                   help: "names are case-sensitive here, but unquoted SQL folds case; rename one of them",
                   notes: [Note("'\(other)' declared here", at: otherRange)])
    }

    // MARK: E03xx privileges and objects

    static func invalidPrivilege(_ privilege: String, kind: String, valid: [String], at r: SourceRange, suggestion: String?) -> Diagnostic {
        let help = suggestion.map { "did you mean '\($0)'? " } ?? ""
        return Diagnostic(.error, "E0301", "privilege '\(privilege)' is not valid on \(kind)", at: r,
                          help: help + "valid on \(kind): \(valid.joined(separator: ", "))")
    }
    static func unsupported(_ what: String, dialect: String, at r: SourceRange, hint: String) -> Diagnostic {
        Diagnostic(.error, "E0302", "\(dialect) does not support \(what)", at: r, help: hint)
    }
    static func contradiction(_ what: String, at r: SourceRange, other: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0303", "\(what) is both granted and revoked", at: r,
                   help: "remove the grant or the revoke", notes: [Note("the other statement is here", at: other)])
    }
    static func grantOptionToPublic(at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0304", "'with grant option' cannot be given to public", at: r)
    }
    static func perSchemaPublicExecuteRevoke(at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0305", "revoking execute from public on functions in one schema does not affect future functions", at: r,
                   help: "PostgreSQL grants EXECUTE to PUBLIC on every new function; use the database-wide form 'revoke execute on all functions from public' (with 'database D created by ...')")
    }
    static func columnsNotAllowed(kind: String, at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0306", "column lists are only allowed on tables and views, not on \(kind)", at: r)
    }
    static func columnPrivilegeInvalid(_ privilege: String, at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0307", "privilege '\(privilege)' cannot be limited to columns", at: r,
                   help: "column privileges are select, insert, update and references")
    }
    static func profileObject(_ profile: String, at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0308", "profile '\(profile)' applies to schemas only", at: r, help: "write 'profile \(profile) on schema NAME'")
    }
    static func noSchemaForExisting(_ kind: String, at r: SourceRange, severity: Diagnostic.Severity) -> Diagnostic {
        Diagnostic(severity, severity == .error ? "E0310" : "W0503",
                   "no schema is declared, so existing \(kind) of the whole database cannot be listed", at: r,
                   help: "declare the schemas ('schema NAME') or name one ('in schema NAME')"
                       + (severity == .warning ? "; only future \(kind) get these privileges" : ""))
    }
    static func futureFunctionsCoverProcedures(at r: SourceRange) -> Diagnostic {
        Diagnostic(.warning, "W0504", "PostgreSQL default privileges for future functions also apply to future procedures", at: r,
                   help: "write 'all routines' to say so, or 'all existing functions' to leave future objects out")
    }
    static func allPrivilegesWithColumns(at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0309", "'all' cannot be combined with other privileges", at: r)
    }

    // MARK: E04xx passwords

    static func plaintextPassword(at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0401", "this looks like a plaintext password", at: r,
                   help: "give a pre-hashed verifier (PostgreSQL: 'SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>')")
    }
    static func noVerifierFits(dialect: String, at r: SourceRange, accepted: String) -> Diagnostic {
        Diagnostic(.error, "E0402", "no password verifier of this user fits \(dialect)", at: r, help: "add one: \(accepted)")
    }
    static func md5Verifier(at r: SourceRange) -> Diagnostic {
        Diagnostic(.warning, "W0401", "MD5 password verifiers are deprecated", at: r,
                   help: "PostgreSQL 18 warns on every MD5 verifier; use a SCRAM-SHA-256 verifier")
    }
    static func passwordOnRole(at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0403", "a role without login cannot have a password", at: r, help: "declare it as 'user', or add 'login'")
    }

    // MARK: E05xx attributes, settings, membership options

    static func conflictingAttribute(_ what: String, at r: SourceRange, previous: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0501", "conflicting attribute '\(what)'", at: r, notes: [Note("set differently here", at: previous)])
    }
    static func membershipOptionUnsupported(_ option: String, target: String, at r: SourceRange, hint: String) -> Diagnostic {
        Diagnostic(.error, "E0502", "membership option '\(option)' is not supported by \(target)", at: r, help: hint)
    }
    static func invalidValue(_ what: String, at r: SourceRange, help: String) -> Diagnostic {
        Diagnostic(.error, "E0503", "invalid \(what)", at: r, help: help)
    }
    static func userItemOnRole(_ item: String, at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0504", "'\(item)' applies to users only", at: r, help: "declare the principal with 'user'")
    }
    static func duplicateSetting(_ name: String, at r: SourceRange, previous: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0505", "setting '\(name)' is set twice", at: r, notes: [Note("first set here", at: previous)])
    }
    static func defaultRoleNotMember(_ role: String, user: String, at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0507", "default role '\(role)' is not a role '\(user)' is a member of", at: r,
                   help: "add 'member of \(role)' to '\(user)'")
    }
    static func duplicateOwner(_ object: String, at r: SourceRange, previous: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0506", "\(object) is declared twice", at: r, notes: [Note("first declared here", at: previous)])
    }

    // MARK: E06xx policy rules

    static func separationViolated(_ principal: String, roles: [String], paths: [String], at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0601", "'\(principal)' holds separated roles \(roles.map { "'\($0)'" }.joined(separator: " and "))", at: r,
                   help: "remove one of them from '\(principal)'",
                   notes: paths.map { Note("\(principal): \($0)") })
    }
    static func forbiddenHeld(_ principal: String, privilege: String, object: String, path: String, at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0602", "'\(principal)' holds forbidden \(privilege.lowercased()) on \(object)", at: r,
                   help: "take the privilege away, or add '\(principal)' to 'except'", notes: [Note(path)])
    }
    static func forbiddenAttribute(_ principal: String, attribute: String, at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0603", "'\(principal)' has the forbidden attribute '\(attribute)'", at: r,
                   help: "remove the attribute, or add '\(principal)' to 'except'")
    }
    static func memberLimitExceeded(_ role: String, limit: Int, members: [String], at r: SourceRange) -> Diagnostic {
        Diagnostic(.error, "E0604", "'\(role)' has \(members.count) login members, more than the limit of \(limit)", at: r,
                   help: "members: \(members.joined(separator: ", "))")
    }

    static func allowNotALint(_ code: String, at r: SourceRange) -> Diagnostic {
        Diagnostic(.warning, "W0601", "'allow' names '\(code)', which is not a lint code: it silences nothing", at: r,
                   help: "only lints can be allowed: \(lintCatalog.map(\.code).joined(separator: ", "))")
    }

    // MARK: warnings of lowering and backends

    static func maintenanceFallback(version: String, at r: SourceRange) -> Diagnostic {
        Diagnostic(.warning, "W0501", "PostgreSQL \(version) has no MAINTAIN privilege: the maintenance profile grants read access for backups only", at: r,
                   help: "VACUUM, ANALYZE and REINDEX need table ownership before PostgreSQL 17: make the role a member of the owning role, or target --server-version 17")
    }
    static func futureWithoutCreator(_ scope: String, at r: SourceRange) -> Diagnostic {
        Diagnostic(.warning, "W0502", "future objects in \(scope) get these privileges only when created by the role that runs the script", at: r,
                   help: "declare who creates them: 'schema NAME owned by ROLE' or 'created by ROLE, ...'")
    }

    // MARK: W07xx lints

    /// Every lint: its code and a one-line description (for `--format sarif` and docs).
    public static let lintCatalog: [(code: String, summary: String)] = [
        ("W0701", "grant to PUBLIC"),
        ("W0702", "grant of all privileges"),
        ("W0703", "grant with grant option"),
        ("W0704", "dangerous attribute (superuser, bypassrls, createrole, replication)"),
        ("W0705", "privileges granted directly to a user"),
        ("W0706", "redundant grant: already held through a role"),
        ("W0707", "unused role: no members and no privileges"),
        ("W0708", "read-only role or profile with write privileges"),
        ("W0709", "inert grant: privileges that can never be exercised"),
    ]

    static func lintPublicGrant(at r: SourceRange) -> Diagnostic {
        Diagnostic(.warning, "W0701", "grant to public: every present and future role holds it", at: r,
                   help: "grant to a role instead; if intended, write 'allow W0701 for public' in a policy block")
    }
    static func lintAllPrivileges(_ grantees: [String], at r: SourceRange) -> Diagnostic {
        Diagnostic(.warning, "W0702", "'all privileges' granted to \(grantees.map { "'\($0)'" }.joined(separator: ", ")): more than any task needs", at: r,
                   help: "list the privileges needed, or use a profile; if intended, write 'allow W0702 for \(grantees.first ?? "NAME")'")
    }
    static func lintGrantOption(_ grantees: [String], at r: SourceRange) -> Diagnostic {
        Diagnostic(.warning, "W0703", "grant with grant option: \(grantees.map { "'\($0)'" }.joined(separator: ", ")) may pass it on to anyone", at: r,
                   help: "drop 'with grant option' unless the role administers these objects; if intended, write 'allow W0703 for \(grantees.first ?? "NAME")'")
    }
    static func lintDangerousAttribute(_ principal: String, attribute: String, at r: SourceRange) -> Diagnostic {
        let why: String
        switch attribute {
        case "superuser": why = "bypasses every privilege check"
        case "bypassrls": why = "ignores every row-level security policy"
        case "createrole": why = "can create, alter and drop other roles"
        default: why = "can read every change of the whole cluster"
        }
        return Diagnostic(.warning, "W0704", "'\(principal)' has the attribute '\(attribute)': it \(why)", at: r,
                          help: "keep such attributes to a few reviewed principals; if intended, write 'allow W0704 for \(principal)'")
    }
    static func lintDirectUserGrant(_ user: String, at r: SourceRange) -> Diagnostic {
        Diagnostic(.warning, "W0705", "privileges granted directly to user '\(user)'", at: r,
                   help: "grant them to a role and make '\(user)' a member, so access is reviewed by role; if intended, write 'allow W0705 for \(user)'")
    }
    static func lintRedundantGrant(_ principal: String, privileges: [String], object: String, via: String, at r: SourceRange) -> Diagnostic {
        Diagnostic(.warning, "W0706", "redundant grant: '\(principal)' already holds \(privileges.joined(separator: ", ")) on \(object) as a member of \(via)", at: r,
                   help: "remove the direct grant; if intended, write 'allow W0706 for \(principal)'")
    }
    static func lintRedundantPublicGrant(_ principal: String, privileges: [String], object: String, at r: SourceRange) -> Diagnostic {
        Diagnostic(.warning, "W0706", "redundant grant: '\(principal)' already holds \(privileges.joined(separator: ", ")) on \(object) through public, like every role", at: r,
                   help: "remove the direct grant; if intended, write 'allow W0706 for \(principal)'")
    }
    static func lintUnusedRole(_ role: String, at r: SourceRange) -> Diagnostic {
        Diagnostic(.warning, "W0707", "role '\(role)' is unused: it has no members and no privileges", at: r,
                   help: "remove it, or give it members and privileges; if intended, write 'allow W0707 for \(role)'")
    }
    static func lintReadOnlyWrites(_ principal: String, why: String, privilege: String, object: String, via: String?, at r: SourceRange) -> Diagnostic {
        Diagnostic(.warning, "W0708", "'\(principal)' \(why) but holds \(privilege) on \(object)" + (via.map { " (as a member of \($0))" } ?? ""), at: r,
                   help: "move the write privileges to another role, or rename it; if intended, write 'allow W0708 for \(principal)'")
    }
    static func lintInertNoUsage(_ grantee: String, object: String, schema: String, at r: SourceRange) -> Diagnostic {
        Diagnostic(.warning, "W0709", "inert grant: privileges of '\(grantee)' on \(object) can never be used: no holder has usage on schema \(schema)", at: r,
                   help: "grant usage on schema \(schema) to '\(grantee)'; if intended, write 'allow W0709 for \(grantee)'")
    }
    static func lintInertNoConnect(_ principal: String, database: String, at r: SourceRange) -> Diagnostic {
        Diagnostic(.warning, "W0709", "inert grant: '\(principal)' cannot connect to database \(database) (connect is revoked from public), so its privileges there can never be used", at: r,
                   help: "grant connect on database \(database) to '\(principal)' or to one of its roles; if intended, write 'allow W0709 for \(principal)'")
    }
    static func lintInertNoLogin(_ role: String, at r: SourceRange) -> Diagnostic {
        Diagnostic(.warning, "W0709", "inert grant: role '\(role)' has privileges but no login principal is a member of it", at: r,
                   help: "make a user a member of '\(role)', or remove it; if intended, write 'allow W0709 for \(role)'")
    }
}

extension Diagnostic {
    // MARK: E08xx migrations (no source position: they concern the migrations directory)

    static func migrationRefused(_ reason: String) -> Diagnostic {
        Diagnostic(.error, "E0801", "migration refused: \(reason)", at: .none,
                   help: "change the policy, or run again with --accept-loss to write the migration anyway (the losses are listed in its header)")
    }
    static func snapshotUnreadable(_ path: String, reason: String) -> Diagnostic {
        Diagnostic(.error, "E0802", "cannot read the migration snapshot \(path): \(reason)", at: .none,
                   help: "restore it from version control; it is written by 'rolec migrate' only")
    }
    static func snapshotMismatch(_ path: String, what: String, recorded: String, requested: String) -> Diagnostic {
        Diagnostic(.error, "E0803", "\(path) records \(what) '\(recorded)', not '\(requested)'", at: .none,
                   help: "a migrations directory serves one \(what); use --\(what) \(recorded) or another --dir")
    }
    static func migrationEdited(_ migration: String, file: String) -> Diagnostic {
        Diagnostic(.error, "E0804", "\(migration): \(file) was edited after it was written", at: .none,
                   help: "restore the file; to change access, change the policy and write a new migration")
    }
    static func migrationRemoved(_ migration: String, file: String) -> Diagnostic {
        Diagnostic(.error, "E0805", "\(migration): \(file) was removed after it was written", at: .none,
                   help: "restore the file from version control")
    }
    static func migrationReordered(_ migration: String, file: String, now: String) -> Diagnostic {
        Diagnostic(.error, "E0806", "\(migration): \(file) was renamed to \(now) after it was written, which reorders the migrations", at: .none,
                   help: "rename it back to \(file)")
    }
    static func migrationPlanReordered(_ migration: String, plan: String, position: Int) -> Diagnostic {
        Diagnostic(.error, "E0806", "\(migration): its line in \(plan) was moved to position \(position) of rolec's changes after it was written, which reorders the migrations", at: .none,
                   help: "restore the order of \(plan) from version control")
    }
    static func migrationPlanLineRemoved(_ migration: String, plan: String) -> Diagnostic {
        Diagnostic(.error, "E0805", "\(migration): its line in \(plan) was removed after it was written", at: .none,
                   help: "restore \(plan) from version control")
    }
    static func migrationChainBroken(_ migration: String, why: String) -> Diagnostic {
        Diagnostic(.error, "E0807", "\(migration): the hash chain is broken: \(why)", at: .none,
                   help: "the snapshot's history was altered; restore rolec.snapshot.json from version control")
    }
    static func migrationFileExists(_ path: String) -> Diagnostic {
        Diagnostic(.error, "E0808", "\(path) exists already; a migration never overwrites a file", at: .none,
                   help: "choose another --name or --version")
    }
    static func migrationFormatProblem(_ message: String) -> Diagnostic {
        Diagnostic(.error, "E0809", message, at: .none)
    }
}
