/// Stage waves: a stage runs in the wave after the last of its dependencies.
package enum StageGraph {
    /// Stage ids grouped by wave (wave 1 first), each wave in plan order.
    /// The plan must be free of cycles (``PlanParser`` guarantees it).
    package static func waves(of plan: Plan) -> [[String]] {
        var level: [String: Int] = [:]
        func depth(_ id: String, _ visiting: Set<String>) -> Int {
            if let known = level[id] { return known }
            guard let stage = plan.stage(id), !visiting.contains(id) else { return 0 }
            let value = 1 + (stage.dependencies.map { depth($0, visiting.union([id])) }.max() ?? 0)
            level[id] = value
            return value
        }
        var waves: [[String]] = []
        for stage in plan.stages {
            let wave = depth(stage.id, [])
            while waves.count < wave { waves.append([]) }
            waves[wave - 1].append(stage.id)
        }
        return waves
    }

    /// The stages of one cycle, in dependency order, or nil if there is none.
    static func cycle(in plan: Plan) -> [String]? {
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var path: [String] = []
        func visit(_ id: String) -> [String]? {
            if state[id] == 2 { return nil }
            if state[id] == 1 {
                guard let start = path.firstIndex(of: id) else { return [id] }
                return Array(path[start...])
            }
            guard let stage = plan.stage(id) else { return nil }
            state[id] = 1
            path.append(id)
            for dependency in stage.dependencies {
                if let found = visit(dependency) { return found }
            }
            path.removeLast()
            state[id] = 2
            return nil
        }
        for stage in plan.stages {
            if let found = visit(stage.id) { return found }
        }
        return nil
    }
}
