import ArgumentParser

struct CompletionCommand: RunnableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completion",
        abstract: "Print a shell completion script (bash, zsh or fish)."
    )

    @Argument(help: "bash, zsh or fish.") var shell: String

    func validate() throws {
        guard CompletionShell(rawValue: shell) != nil else {
            throw ValidationError("unsupported shell \"\(shell)\": use bash, zsh or fish")
        }
    }

    func execute() async throws {
        guard let completionShell = CompletionShell(rawValue: shell) else { return }
        Console.out(Mctl.completionScript(for: completionShell))
    }
}
