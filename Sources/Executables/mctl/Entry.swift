import ArgumentParser
import Client
import Foundation

/// Leaf commands are `AsyncParsableCommand`s implementing `execute`; group
/// commands only print help. `Entry` calls `execute` directly so that the
/// async requirement is chosen without overload ambiguity.
protocol RunnableCommand: AsyncParsableCommand {
    func execute() async throws
}

extension RunnableCommand {
    func run() async throws { try await execute() }
}

enum Entry {
    /// Parses the command line, runs the command and exits: 0 on success,
    /// 1 on runtime errors (`Error: <message>` on stderr, no usage), 64 on
    /// usage errors, 130 on Ctrl-C.
    static func run() async -> Never {
        // Ctrl-C ends the CLI at once (a followed task keeps running on the server).
        signal(SIGINT) { _ in _exit(130) }
        signal(SIGPIPE, SIG_DFL)

        let arguments = ArgumentHoisting.hoist(Array(CommandLine.arguments.dropFirst()))
        let command: any ParsableCommand
        do {
            command = try Mctl.parseAsRoot(arguments)
        } catch {
            Mctl.exit(withError: error)
        }
        guard let runnable = command as? any RunnableCommand else {
            var plain = command
            do {
                try plain.run()
            } catch {
                Mctl.exit(withError: error)
            }
            exit(0)
        }
        do {
            try await runnable.execute()
            exit(0)
        } catch let exitCode as ExitCode {
            exit(exitCode.rawValue)
        } catch let error as ValidationError {
            Mctl.exit(withError: error)
        } catch let error as CleanExit {
            Mctl.exit(withError: error)
        } catch {
            Console.error("Error: " + ErrorText.message(for: error))
            exit(1)
        }
    }
}

struct Mctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mctl",
        abstract: "Command-line client for Marionette, the server that runs AI coding agents.",
        discussion: """
            Server and credentials come from flags, then MARIONETTE_API_URL / MARIONETTE_API_KEY, \
            then the selected context of the config file (mctl config --help). With nothing \
            configured, mctl uses http://127.0.0.1:8080 and ./.marionette/bootstrap-api-key.
            """,
        subcommands: [
            VersionCommand.self,
            ConfigCommand.self,
            SessionsCommand.self,
            TasksCommand.self,
            RunnersCommand.self,
            PermissionsCommand.self,
            WorkspacesCommand.self,
            StreamsCommand.self,
            TunnelsCommand.self,
            AdminCommand.self,
            CompletionCommand.self,
        ]
    )
}
