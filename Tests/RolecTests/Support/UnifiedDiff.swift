/// A line-based unified diff computed in-process (no shelling out to `diff`).
enum UnifiedDiff {
    static func diff(expected: String, actual: String, expectedName: String = "expected", actualName: String = "actual", context: Int = 3) -> String {
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Longest common subsequence table (inputs are golden files: small).
        var lcs = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        enum Op { case same(String), remove(String), add(String) }
        var ops: [Op] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] { ops.append(.same(a[i])); i += 1; j += 1 }
            else if j < b.count, i == a.count || lcs[i][j + 1] >= lcs[i + 1][j] { ops.append(.add(b[j])); j += 1 }
            else { ops.append(.remove(a[i])); i += 1 }
        }
        var out = "--- \(expectedName)\n+++ \(actualName)\n"
        var index = 0
        while index < ops.count {
            guard case .same = ops[index] else {
                let start = max(0, index - context)
                var end = index
                var quiet = 0
                while end < ops.count {
                    if case .same = ops[end] { quiet += 1; if quiet > context * 2 { break } } else { quiet = 0 }
                    end += 1
                }
                end = min(ops.count, end - max(0, quiet - context))
                out += "@@ change near line \(lineNumber(ops, start)) @@\n"
                for op in ops[start..<end] {
                    switch op {
                    case .same(let s): out += " \(s)\n"
                    case .remove(let s): out += "-\(s)\n"
                    case .add(let s): out += "+\(s)\n"
                    }
                }
                index = end
                continue
            }
            index += 1
        }
        return out

        func lineNumber(_ ops: [Op], _ upTo: Int) -> Int {
            var n = 1
            for op in ops[..<upTo] { if case .add = op { continue }; n += 1 }
            return n
        }
    }
}
