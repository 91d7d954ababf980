import SwellCLI

@main
enum SwellNodeMain {
    static func main() async {
        await CommandMain.run(NodeCommand.self)
    }
}
