// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "rolec",
    products: [
        .executable(name: "rolec", targets: ["rolec"]),
        .library(name: "Rolec", targets: ["Rolec"]),
        .library(name: "RolecSQLite", targets: ["RolecSQLite"]),
    ],
    targets: [
        .target(name: "Rolec"),
        .target(name: "RolecCLI", dependencies: ["Rolec"]),
        .executableTarget(name: "rolec", dependencies: ["RolecCLI"]),
        .executableTarget(name: "rolec-bench", dependencies: ["Rolec"]),
        // libsqlite3 from the system (Debian: libsqlite3-dev); no package dependency.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "RolecSQLite", dependencies: ["Rolec", "CSQLite"]),
        .testTarget(name: "RolecTests", dependencies: ["Rolec", "RolecCLI", "RolecSQLite"]),
    ]
)
