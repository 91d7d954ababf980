// Fuzz target: the wire decoder and the scheduler behind it, as a hostile peer reaches them.
//
// Built normally, this replays files (`fuzz-wire FILE...`) or writes seed inputs
// (`fuzz-wire --seeds DIR`); built by scripts/fuzz (FUZZING defined, libFuzzer linked), it fuzzes.
import FuzzSupport
import SwellCoordinator
import SwellProtocol
import SwellWire

@main
enum FuzzWire {
    static func main() {
        FuzzMain.run(name: "fuzz-wire", seeds: seeds, testOne: testOne)
    }
}
