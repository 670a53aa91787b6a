// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "rolec",
    products: [
        .executable(name: "rolec", targets: ["rolec"]),
        .library(name: "Rolec", targets: ["Rolec"]),
    ],
    targets: [
        .target(name: "Rolec"),
        .target(name: "RolecCLI", dependencies: ["Rolec"]),
        .executableTarget(name: "rolec", dependencies: ["RolecCLI"]),
        .executableTarget(name: "rolec-bench", dependencies: ["Rolec"]),
        .testTarget(name: "RolecTests", dependencies: ["Rolec", "RolecCLI"]),
    ]
)
