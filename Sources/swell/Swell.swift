import SwellCLI

@main
enum Swell {
    static func main() async {
        await CommandMain.run(SwellCommand.self)
    }
}
