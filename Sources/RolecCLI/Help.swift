import Rolec

/// Help texts, in the OVERVIEW / USAGE / ARGUMENTS / OPTIONS layout.
enum Help {
    static let overview = """
    OVERVIEW: rolec \(ScriptWriter.toolVersion) - compile database roles as code into GRANT scripts

    USAGE: rolec <command> [arguments] [options]

    COMMANDS:
      compile     compile a policy into one SQL script for one dialect
      preview     show the script of every dialect
      check       report errors and warnings without writing anything
      test        run the policy's test blocks (prints 'N passed, N failed')
      explain     who can do what, and through which roles
      verify      SQL that fails on a live database that does not match the policy
      graph       draw principals and memberships (Mermaid or Graphviz DOT)
      report      the access matrix for access reviews (Markdown, CSV or HTML)
      diff        the incremental script between two policies
      plan        what 'migrate' would write, with the privileges it takes away
      migrate     write the next migration for a migration tool, and the snapshot
      log         the migration history; --verify checks its hash chain
      help        show help for a command

    OPTIONS:
      -h, --help  show this help
      --version   print the version

    EXIT CODES:
      0 success; 1 the policy has errors (or warnings with --strict); 2 usage error;
      3 'diff --exit-code' found a difference; 4 'migrate' refused a change that reduces access

    See 'rolec help <command>' for the options of a command.

    """

    static let commands: [String: String] = [
        "compile": """
        OVERVIEW: compile a policy into one idempotent SQL script

        USAGE: rolec compile <path>... --dialect <dialect> [options]

        ARGUMENTS:
          <path>                   .roles files or directories (every .roles file below, sorted by path); - reads stdin

        OPTIONS:
          --dialect <dialect>      target dialect: \(DialectRegistry.names.joined(separator: ", "))
          --server-version <v>     server version (postgres: 15, 16, 17, 18; default 15)
          --phase <phase>          principals (roles, attributes, settings, memberships) or
                                   privileges (ownership, grants, default privileges, revokes, drops)
          -o, --output <file>      write the script to a file (atomically; nothing is written on error)
          --no-transaction         do not wrap the script in BEGIN/COMMIT (for tools that wrap it themselves)
          --format <format>        diagnostics as text (default, on stderr) or json (on stdout)

        """,
        "preview": """
        OVERVIEW: show the script of every dialect, one after another

        USAGE: rolec preview <path>... [--dialect <dialect>,...]

        ARGUMENTS:
          <path>                   .roles files or directories; - reads stdin

        OPTIONS:
          --dialect <list>         comma-separated dialects (default: all)

        """,
        "check": """
        OVERVIEW: report every error and warning of a policy without writing anything

        USAGE: rolec check <path>... [--dialect <dialect>,...] [options]

        ARGUMENTS:
          <path>                   .roles files or directories; - reads stdin

        OPTIONS:
          --dialect <list>         comma-separated dialects to check for (default: all)
          --server-version <v>     server version to check for
          --format <format>        text (default, on stderr), json or sarif (SARIF 2.1.0
                                   for code scanning; both on stdout)
          --strict                 exit 1 on warnings too

        Lints (warnings W0701-W0709) are silenced for a principal in the policy:
          policy { allow W0705 for alice }

        """,
        "test": """
        OVERVIEW: run the policy's test blocks statically, against who can effectively do what

        USAGE: rolec test <path>... [--dialect <dialect>,...] [--server-version <v>]

        ARGUMENTS:
          <path>                   .roles files or directories; - reads stdin

        OPTIONS:
          --dialect <list>         dialects whose semantics to test (default: postgres)
          --server-version <v>     server version

        Prints every expectation (ok or FAIL, with the path that causes a failure) and the
        closing line 'N passed, N failed'. Exit code 1 when a test fails or the policy has errors.

        """,
        "explain": """
        OVERVIEW: explain effective privileges, with the path that grants each

        USAGE: rolec explain <path>... (--principal <name> | --object '<kind> <name>') [options]

        ARGUMENTS:
          <path>                   .roles files or directories; - reads stdin

        OPTIONS:
          --principal <name>       every privilege this principal holds, by object
          --object '<kind> <name>' who can do what on this object, e.g. 'table sales.orders'
          --privilege <p>          only this privilege
          --dialect <dialect>      whose semantics (default: postgres)
          --server-version <v>     server version
          --format <format>        text (default) or json

        Objects are those the policy names; schema-wide grants apply to them.

        """,
        "graph": """
        OVERVIEW: draw principals and memberships as a Mermaid flowchart or a Graphviz digraph

        USAGE: rolec graph <path>... [--format mermaid|dot] [options]

        ARGUMENTS:
          <path>                   .roles files or directories; - reads stdin

        OPTIONS:
          --format <format>        mermaid (default; renders in GitHub Markdown) or dot (Graphviz)
          --dialect <dialect>      whose semantics (default: postgres)
          --server-version <v>     server version
          -o, --output <file>      write to a file (atomically; nothing is written on error)

        An arrow goes from a member to its role; admin option is a thick, labelled arrow.
        Users are rounded (ellipses), roles rectangles, built-in roles hexagons, and
        external principals dashed.

        """,
        "report": """
        OVERVIEW: print the access matrix (principals x objects x privileges) for access reviews

        USAGE: rolec report <path>... [--format markdown|csv|html] [options]

        ARGUMENTS:
          <path>                   .roles files or directories; - reads stdin

        OPTIONS:
          --format <format>        markdown (default), csv (RFC 4180) or html (one self-contained page)
          --dialect <dialect>      whose semantics (default: postgres)
          --server-version <v>     server version
          -o, --output <file>      write to a file (atomically; nothing is written on error)

        Lists every principal (users first), each object the policy names, each privilege
        held on it and how (direct, via a role path, PUBLIC). The header names the policy
        sources and their sha256 (CSV is a plain RFC 4180 table: a header row of column
        names, no other header); there are no timestamps, so the output is reproducible.
        scripts/render-report renders the HTML in headless Chromium to a PNG.

        """,
        "verify": """
        OVERVIEW: SQL that changes nothing and fails on a live database that does not match the policy

        USAGE: rolec verify <path>... --dialect <dialect> [options]

        ARGUMENTS:
          <path>                   .roles files or directories; - reads stdin

        OPTIONS:
          --dialect <dialect>      target dialect: \(DialectRegistry.names.joined(separator: ", "))
          --server-version <v>     server version (as for compile)
          --phase <phase>          check only what that phase of the compiled script does
          -o, --output <file>      write the SQL to a file (atomically; nothing is written on error)
          --format <format>        diagnostics as text (default, on stderr) or json (on stdout)

        Run the output where the compiled script was applied: it succeeds when the state
        matches, and otherwise fails with one error listing every difference (PostgreSQL:
        RAISE EXCEPTION; MySQL/MariaDB: SIGNAL SQLSTATE '45000'; SQLite: RAISE in a
        temporary trigger). Exit codes as compile.

        """,
        "diff": """
        OVERVIEW: the incremental script that turns one policy into another

        USAGE: rolec diff <old> <new> --dialect <dialect> [options]

        ARGUMENTS:
          <old>                    the policy before: a .roles file or a directory of them
          <new>                    the policy after: a .roles file or a directory of them

        OPTIONS:
          --dialect <dialect>      target dialect: \(DialectRegistry.names.joined(separator: ", "))
          --server-version <v>     server version (as for compile)
          --down                   print the script that goes back from <new> to <old>
          --exit-code              exit 3 when the policies differ (0 when they do not)
          --phase <phase>          only the principals or the privileges changes
          --successor <role>       who receives what a dropped role owns (PostgreSQL; default: the
                                   role that runs the script)
          -o, --output <file>      write the script to a file (atomically; nothing is written on error)

        The header names both sides' sources with their sha256 and lists the privileges
        login principals lose, in plain words. Both policies must compile (errors: exit 1).

        """,
        "plan": """
        OVERVIEW: show what 'rolec migrate' would write, and the access it takes away; writes nothing

        USAGE: rolec plan <path>... --dir <dir> --dialect <dialect> [options]

        ARGUMENTS:
          <path>                   .roles files or directories; - reads stdin

        OPTIONS:
          --dir <dir>              the migrations directory (its rolec.snapshot.json is the policy
                                   migrated so far; none: the first migration creates everything)
          --dialect <dialect>      target dialect: \(DialectRegistry.names.joined(separator: ", "))
          --server-version <v>     server version (as for compile)
          --format <format>        show the files of this tool (\(MigrationFormat.names.joined(separator: ", ")))
                                   instead of the plain up script
          --name <name>            with --format: the migration's name (default: next)
          --version <v>            with --format: the migration's version
          --phase <phase>          only the principals or the privileges changes
          --successor <role>       who receives what a dropped role owns (PostgreSQL)

        Prints the up script, then every privilege a login principal loses, in plain words
        ("svc_orders loses DELETE on table shop_app.orders, was via app_write"), and the
        reasons 'migrate' would refuse the change (exit 4 there). Exit code 0 unless the
        policy has errors (1).

        """,
        "migrate": """
        OVERVIEW: write the next migration (up and down) for a migration tool, and update the snapshot

        USAGE: rolec migrate <path>... --dir <dir> --dialect <dialect> --format <format> --name <name> [options]

        ARGUMENTS:
          <path>                   .roles files or directories; - reads stdin

        OPTIONS:
          --dir <dir>              the migrations directory; rolec.snapshot.json in it records the
                                   policy migrated so far and the hash chain of the migrations
          --dialect <dialect>      target dialect: \(DialectRegistry.names.joined(separator: ", "))
          --server-version <v>     server version (as for compile)
          --format <format>        dbmate           <version>_<name>.sql (-- migrate:up / -- migrate:down)
                                   flyway           V<n>__<name>.sql and U<n>__<name>.sql (undo)
                                   golang-migrate   <version>_<name>.up.sql / .down.sql
                                   goose            <version>_<name>.sql (-- +goose Up / Down)
                                   sqitch           deploy/, revert/, verify/<name>.sql and a sqitch.plan line
                                   liquibase        <version>_<name>.sql (formatted SQL, --rollback lines)
                                   plain            <version>_<name>.up.sql / .down.sql
          --name <name>            the migration's name: letters, digits, '_' and '-'
          --version <v>            the version (default: the next integer for flyway, otherwise the
                                   UTC time YYYYMMDDHHMMSS; sqitch derives its plan timestamp from it)
          --phase <phase>          migrate only the principals or the privileges changes; the
                                   snapshot records what was migrated, so the next run does the rest
          --accept-loss            write the migration even when it reduces a protected principal's
                                   access, removes a login or leaves inert grants
          --successor <role>       who receives what a dropped role owns (PostgreSQL REASSIGN OWNED)

        Every file opens with a header: generated by rolec, the policy sources and their
        sha256, the previous migration's hash, dialect and version, and the privilege
        losses. A BEGIN/COMMIT is added only where the tool does not wrap the migration in a
        transaction itself; compound statements get DELIMITER (client-run MySQL/MariaDB
        files), goose StatementBegin/StatementEnd or Liquibase splitStatements:false.
        Nothing is written when there is no change (exit 0), on any error (exit 1 or 2), or
        when the change is refused (exit 4); all files and the snapshot are written
        atomically.

        """,
        "log": """
        OVERVIEW: the migration history of a directory; --verify checks its hash chain

        USAGE: rolec log --dir <dir> [--verify]

        OPTIONS:
          --dir <dir>              the migrations directory (with rolec.snapshot.json)
          --verify                 check that no migration file was edited, removed or renamed
                                   (reordered) after it was written: exit 1 naming the first one,
                                   0 with 'N migrations, chain intact'

        Lists every migration, oldest first: version, name, policy sha256, migration hash,
        principals created and dropped, privileges gained and lost.

        """,
        "help": """
        OVERVIEW: show help for a command

        USAGE: rolec help [<command>]

        """,
    ]
}
