import ArgumentParser
import EgretIR
import Foundation

/// How `egret` ends when a command line cannot be run or a command throws, with the
/// statuses the README promises: 0 for help, 2 for a usage error (never the parser's
/// own 64), a command's `ExitCode` as it is, 2 or 3 for a diagnostic about the input.
/// Every message is Egret's own: `egret: error: …`, user input shortened
/// (`Diagnostic.echo`).
enum CommandLineExit {
    /// The status of a usage error: bad options, arguments or values.
    static let usageStatus: Int32 = 2

    /// Ends the process after `parseAsRoot` threw: help on standard output with 0,
    /// anything else on standard error with 2.
    static func afterParsing(_ error: Error) -> Never {
        if Egret.exitCode(for: error) == .success {
            print(Egret.fullMessage(for: error))
            exit(0)
        }
        printError(egretMessage(Egret.fullMessage(for: error)))
        exit(usageStatus)
    }

    /// Ends the process after a command's `run` threw.
    static func afterRunning(_ error: Error) -> Never {
        switch error {
        case let code as ExitCode:
            exit(code.rawValue)
        case let diagnostic as Diagnostic:
            printError(diagnostic.description)
            exit(diagnostic.isUnsupported ? 3 : 2)
        case let failure as CommandLineError:
            printError(failure.description)
            exit(failure.status)
        case let validation as ValidationError:
            printError("egret: error: " + shortenedQuotes(validation.message))
            exit(usageStatus)
        default:
            if Egret.exitCode(for: error) == .success {
                // A command group run without a subcommand: its help.
                print(Egret.fullMessage(for: error))
                exit(0)
            }
            printError("egret: error: \(shortenedQuotes(String(describing: error)))")
            exit(1)
        }
    }

    /// The argument parser's message (`Error: …`, then help and usage lines) in
    /// Egret's words, quoted values shortened.
    static func egretMessage(_ parserMessage: String) -> String {
        var message = shortenedQuotes(parserMessage)
        if message.hasPrefix("Error: ") { message = "egret: error: " + message.dropFirst("Error: ".count) }
        return message
    }

    /// `text` with every single-quoted part longer than `Diagnostic.echoLimit`
    /// shortened: the argument parser quotes the values it rejects whole.
    static func shortenedQuotes(_ text: String) -> String {
        let parts: [Substring] = text.split(separator: "'", omittingEmptySubsequences: false)
        var result = ""
        for (index, part) in parts.enumerated() {
            if index > 0 { result += "'" }
            // Odd parts are between an opening and a closing quote.
            let isQuoted = index % 2 == 1 && index < parts.count - 1
            result += isQuoted ? Diagnostic.echo(part) : String(part)
        }
        return result
    }
}
