import Foundation
import RolecCLI

exit(run(arguments: Array(CommandLine.arguments.dropFirst()),
         stdin: { [UInt8](FileHandle.standardInput.readDataToEndOfFile()) },
         stdout: FileSink(.standardOutput), stderr: FileSink(.standardError)))
