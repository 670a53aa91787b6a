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
          --format <format>        text (default, on stderr) or json (on stdout)
          --strict                 exit 1 on warnings too

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
        "help": """
        OVERVIEW: show help for a command

        USAGE: rolec help [<command>]

        """,
    ]
}
