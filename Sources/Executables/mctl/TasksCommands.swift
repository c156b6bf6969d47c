import ArgumentParser
import Client
import Foundation

struct TasksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "Create, follow and manage tasks.",
        subcommands: [
            Create.self, List.self, Get.self, Logs.self, Cancel.self, Execute.self, Retry.self, Runs.self, Wait.self,
        ],
        aliases: ["task"]
    )
}

// MARK: - Shared behaviour

enum TaskFlow {
    /// Streams the task's logs until the `end` record; returns it.
    static func follow(
        _ client: MarionetteClient,
        taskID: String,
        query: LogQuery,
        printer: Printer,
        fullTimestamps: Bool
    ) async throws -> JSONValue {
        var formatter = LogLineFormatter(fullTimestamps: fullTimestamps)
        return try await notFound("task", taskID) {
            try await client.followTaskLogs(
                taskID,
                query: query,
                onNotice: { notice in
                    switch notice {
                    case .reconnecting(let reason, let delay):
                        Console.error("Connection lost (\(reason)); reconnecting in \(String(format: "%.1f", delay))s...")
                    }
                },
                onRecord: { record in
                    guard printer.isTable else { return printer.record(record) }
                    if record["type"]?.stringValue ?? "log" == "log" {
                        for line in formatter.lines(for: record) { Console.line(line) }
                    }
                }
            )
        }
    }

    /// Exit rule of `--wait`: success when completed, else `Task X failed: <error>` (exit 1).
    static func finish(taskID: String, status: String?, error: String?, exitCode: Int?, printer: Printer) throws {
        switch status {
        case "completed":
            printer.message("Task \(taskID) completed.")
        case "canceled":
            throw CLIError("Task \(taskID) canceled")
        default:
            var message = "Task \(taskID) failed"
            if let error, !error.isEmpty {
                message += ": " + error
            } else if let exitCode {
                message += ": exit code \(exitCode)"
            } else if let status, status != "failed" {
                message += ": status \(status)"
            }
            throw CLIError(message)
        }
    }

    /// Polls until terminal, then applies the exit rule using the last run's error.
    static func waitAndFinish(_ client: MarionetteClient, taskID: String, timeout: Double?, printer: Printer, printFinal: Bool)
        async throws
    {
        let task = try await notFound("task", taskID) { try await client.waitForTask(taskID, timeout: timeout) }
        if printFinal, !printer.isTable { printer.raw(task) }
        let status = task["status"]?.stringValue
        var error: String?
        var exitCode: Int?
        if status != "completed" {
            let runs = try? await client.listTaskRuns(taskID, page: PageRequest(limit: 200), all: true)
            if let last = runs.map(ListEnvelope.items)?.last {
                error = last["error"]?.stringValue
                exitCode = last["exit_code"]?.intValue
            }
        }
        try finish(taskID: taskID, status: status, error: error, exitCode: exitCode, printer: printer)
    }
}

// MARK: - Commands

extension TasksCommand {
    struct Create: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a task.")

        @Option(help: "Session ID (not needed with --continue).") var session: String?
        @Option(help: "Prompt text.") var prompt: String?
        @Option(name: .customLong("prompt-file"), help: "Read the prompt from a file (- for stdin).") var promptFile: String?
        @Option(name: .customLong("continue"), help: "Continue from this task ID.") var continueFrom: String?
        @Option(help: "Task timeout (90s, 15m, 1h or seconds).") var timeout = "3600"
        @Option(name: .customLong("max-retries"), help: "Automatic retries.") var maxRetries = 0
        @Option(name: [.customLong("labels"), .customLong("label")], help: "Labels k=v.") var labels: [String] = []
        @Flag(help: "Wait until the task ends; exit 0 only when it completed.") var wait = false
        @Flag(name: [.customShort("f"), .customLong("follow")], help: "Stream the task's logs.") var follow = false
        @OptionGroup(title: "Global Options") var global: GlobalOptions

        func validate() throws {
            if prompt != nil, promptFile != nil { throw ValidationError("--prompt and --prompt-file are mutually exclusive") }
            if prompt == nil, promptFile == nil, continueFrom == nil {
                throw ValidationError("a prompt is required: use --prompt or --prompt-file (or --continue)")
            }
            if session == nil, continueFrom == nil { throw ValidationError("--session is required unless --continue is given") }
            _ = try parseSeconds(timeout, flag: "--timeout")
            _ = try parseLabels(labels)
        }

        func execute() async throws {
            var body = CreateTaskRequest(sessionID: session)
            if let prompt {
                body.prompt = prompt
            } else if let promptFile {
                body.prompt = promptFile == "-" ? Console.readStdin() : try Console.readFile(promptFile)
            }
            body.continueFrom = continueFrom
            body.timeoutSeconds = try parseSeconds(timeout, flag: "--timeout")
            body.maxRetries = maxRetries
            let parsedLabels = try parseLabels(labels)
            body.labels = parsedLabels.isEmpty ? nil : parsedLabels
            let context = CommandContext(global: global, requestTimeout: 60)
            let printer = context.printer
            try await context.withAPI { client in
                let task: JSONValue
                if let session {
                    task = try await notFound("session", session) { try await client.createTask(body) }
                } else {
                    task = try await client.createTask(body)
                }
                if follow, printer.format == .json {
                    printer.record(task)
                } else {
                    printer.object(task, view: Views.task)
                }
                guard let taskID = task["id"]?.stringValue else { return }
                if follow {
                    let end = try await TaskFlow.follow(
                        client, taskID: taskID, query: LogQuery(), printer: printer, fullTimestamps: false)
                    if wait {
                        try TaskFlow.finish(
                            taskID: taskID,
                            status: end["status"]?.stringValue,
                            error: end["error"]?.stringValue,
                            exitCode: end["exit_code"]?.intValue,
                            printer: printer
                        )
                    }
                } else if wait {
                    try await TaskFlow.waitAndFinish(client, taskID: taskID, timeout: nil, printer: printer, printFinal: false)
                }
            }
        }
    }

    struct List: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List tasks.", aliases: ["ls"])

        @Option(help: "Filter by session ID.") var session: String?
        @Option(help: "Filter by status (comma-separated or repeated).") var status: [String] = []
        @Option(name: [.customLong("labels"), .customLong("label")], help: "Filter by labels k=v.") var labels: [String] = []
        @OptionGroup var list: ListOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws { _ = try parseLabels(labels) }

        func execute() async throws {
            var filter = TaskListFilter()
            filter.sessionID = session
            filter.statuses = CommaList.split(status)
            filter.labels = try parseLabels(labels)
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let envelope = try await context.withAPI { try await $0.listTasks(filter, page: list.page, all: list.all) }
            context.printer.list(envelope, view: Views.task)
        }
    }

    struct Get: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a task.")

        @Argument(help: "Task ID.") var taskID: String
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let task = try await context.withAPI { client in
                try await notFound("task", taskID) { try await client.getTask(taskID) }
            }
            context.printer.object(task, view: Views.task)
        }
    }

    struct Logs: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print (or follow) a task's logs.")

        @Argument(help: "Task ID.") var taskID: String
        @Flag(name: [.customShort("f"), .customLong("follow")], help: "Keep streaming until the task ends.") var follow = false
        @Option(help: "Only the last N lines.") var tail: Int?
        @Option(name: .customLong("after-sequence"), help: "Start after this sequence number.") var afterSequence: Int64?
        @Option(name: .customLong("run"), help: "Only this run (run ID).") var run: String?
        @Option(help: "Level filter: debug, info, warn, error (repeatable).") var level: [String] = []
        @Option(help: "Stream filter: stdout, stderr, system (repeatable).") var stream: [String] = []
        @Flag(help: "Show full RFC 3339 timestamps instead of HH:MM:SS.") var timestamps = false
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func validate() throws {
            if let tail, tail < 0 { throw ValidationError("--tail must not be negative") }
            for value in CommaList.split(level) { try requireOneOf(value, ["debug", "info", "warn", "error"], flag: "--level") }
            for value in CommaList.split(stream) { try requireOneOf(value, ["stdout", "stderr", "system"], flag: "--stream") }
        }

        func execute() async throws {
            var query = LogQuery()
            query.levels = CommaList.split(level)
            query.streams = CommaList.split(stream)
            query.runID = run
            query.afterSequence = afterSequence
            query.tail = tail
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let printer = context.printer
            let fullTimestamps = timestamps
            try await context.withAPI { client in
                if follow {
                    _ = try await TaskFlow.follow(
                        client, taskID: taskID, query: query, printer: printer, fullTimestamps: fullTimestamps)
                    return
                }
                var snapshotQuery = query
                snapshotQuery.limit = query.tail == nil ? 1000 : nil
                let envelope = try await notFound("task", taskID) { try await client.allTaskLogs(taskID, query: snapshotQuery) }
                guard printer.isTable else { return printer.raw(envelope) }
                let lines = ListEnvelope.items(envelope)
                if lines.isEmpty { return Console.line("No logs found.") }
                var attempts: [String: Int] = [:]
                if let runs = try? await client.listTaskRuns(taskID, page: PageRequest(limit: 200), all: true) {
                    for runRecord in ListEnvelope.items(runs) {
                        if let id = runRecord["id"]?.stringValue, let attempt = runRecord["attempt"]?.intValue {
                            attempts[id] = attempt
                        }
                    }
                }
                var formatter = LogLineFormatter(fullTimestamps: fullTimestamps)
                var out = ""
                for record in lines {
                    let attempt = record["run_id"]?.stringValue.flatMap { attempts[$0] }
                    for line in formatter.lines(for: record, attempt: attempt) { out += line + "\n" }
                }
                Console.out(out)
            }
        }
    }

    struct Cancel: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a pending or running task.")

        @Argument(help: "Task ID.") var taskID: String
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            try await context.withAPI { client in
                try await notFound("task", taskID) { try await client.cancelTask(taskID) }
            }
            context.printer.message("Task \(taskID) canceled.")
        }
    }

    struct Execute: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "execute", abstract: "Dispatch a pending task now.")

        @Argument(help: "Task ID.") var taskID: String
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let result = try await context.withAPI { client in
                try await notFound("task", taskID) { try await client.executeTask(taskID) }
            }
            if context.printer.isTable {
                context.printer.message("Task \(taskID) executing.")
            } else if let result {
                context.printer.raw(result)
            }
        }
    }

    struct Retry: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "retry", abstract: "Retry a failed task.")

        @Argument(help: "Task ID.") var taskID: String
        @Flag(help: "Retry even when the retry budget is used up.") var force = false
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            try await context.withAPI { client in
                try await notFound("task", taskID) { try await client.retryTask(taskID, force: force) }
            }
            context.printer.message("Task \(taskID) retrying.")
        }
    }

    struct Runs: RunnableCommand {
        static let configuration = CommandConfiguration(commandName: "runs", abstract: "List a task's runs.")

        @Argument(help: "Task ID.") var taskID: String
        @Option(help: "Filter by status (comma-separated or repeated).") var status: [String] = []
        @OptionGroup var list: ListOptions
        @OptionGroup(title: "Global Options") var global: GlobalOptions
        @OptionGroup var request: RequestTimeoutOption

        func execute() async throws {
            let statuses = CommaList.split(status)
            let context = CommandContext(global: global, requestTimeout: request.seconds)
            let envelope = try await context.withAPI { client in
                try await notFound("task", taskID) {
                    try await client.listTaskRuns(taskID, statuses: statuses, page: list.page, all: list.all)
                }
            }
            context.printer.list(envelope, view: Views.taskRun)
        }
    }

    struct Wait: RunnableCommand {
        static let configuration = CommandConfiguration(
            commandName: "wait",
            abstract: "Wait until a task ends; exit 0 only when it completed."
        )

        @Argument(help: "Task ID.") var taskID: String
        @Option(help: "Give up after this long (default: wait forever).") var timeout: String?
        @OptionGroup(title: "Global Options") var global: GlobalOptions

        func validate() throws { _ = try parseSeconds(timeout, flag: "--timeout") }

        func execute() async throws {
            let limit = try timeout.map { try DurationParser.seconds($0) }
            let context = CommandContext(global: global, requestTimeout: 60)
            let printer = context.printer
            try await context.withAPI { client in
                try await TaskFlow.waitAndFinish(client, taskID: taskID, timeout: limit, printer: printer, printFinal: true)
            }
        }
    }
}
