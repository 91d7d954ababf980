// Fuzz target: the plan parser and the authorized-keys parser, as hostile files reach them.
//
// Built normally, this replays files (`fuzz-plan FILE...`) or writes seed inputs
// (`fuzz-plan --seeds DIR`); built by scripts/fuzz (FUZZING defined, libFuzzer linked), it fuzzes.
import Foundation
import FuzzSupport
import SwellPlan
import SwellSecurity

func testOne(_ bytes: UnsafeRawBufferPointer) {
    let text = String(decoding: bytes, as: UTF8.self)
    if let keys = try? AuthorizedKeys.parse(text, file: "authorized") {
        for entry in keys.entries { _ = keys.entry(forKey: entry.key) }
    }
    guard let plan = try? PlanParser.parse(text, file: "fuzz.yaml") else { return }
    _ = StageGraph.waves(of: plan)
    _ = plan.sinks
    for stage in plan.stages {
        _ = stage.run.substituted(.init(scope: "a b'c", index: 1, stage: stage.id, run: "r", vars: plan.varValues))
    }
    _ = LinesOf.scopes(from: Data(bytes), stage: "s", source: "t")
}

func seeds() -> [Data] {
    [
        """
        name: audit
        width: 4
        pacing: rolling
        vars: { api: "oldAPI(" }
        stages:
          - id: inventory
            run: find Sources -type d | sort
          - id: scan
            needs: [inventory]
            partition: { lines-of: inventory }
            run: grep -rn {vars.api} {scope} || true
            timeout: 1.5s
            retries: 2
            summarize: sort
            synthesize: [sort, -u]
            input: markdown
            on-failure: continue
            labels: [linux]
            env: { LANG: C }
        """,
        "name: f\nstages:\n  - id: a\n    partition: { files: { root: ., glob: \"**/*.c\", per-task: 2 } }\n    run: wc -l {scope}\n",
        "name: d\nstages:\n  - id: a\n    partition: { directories: { root: src, depth: 2 } }\n    run: ls {scope}\n",
        "name: i\nstages:\n  - id: a\n    partition: { items: [x, y, \"z w\"] }\n    run: echo {scope}\n",
        "# role name key\nnode n1 rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\nclient alice Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID\n",
    ].map { Data($0.utf8) }
}

@main
enum FuzzPlan {
    static func main() {
        FuzzMain.run(name: "fuzz-plan", seeds: seeds, testOne: testOne)
    }
}
