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
      help        show help for a command

    OPTIONS:
      -h, --help  show this help
      --version   print the version

    EXIT CODES:
      0 success; 1 the policy has errors (or warnings with --strict); 2 usage error

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
        "help": """
        OVERVIEW: show help for a command

        USAGE: rolec help [<command>]

        """,
    ]
}
