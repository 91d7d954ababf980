import SwellCLI

@main
enum SwellCoordinatorMain {
    static func main() async {
        await CommandMain.run(CoordinatorCommand.self)
    }
}
