/// One command of an AT command line, e.g. `E0`, `+CMGF=1`, `+CPMS?` or `+CNMI=?`.
struct ATCommand: Sendable, Equatable {
    /// How an extended command was written.
    enum Form: Sendable, Equatable {
        /// `AT+CMD` (or a basic command such as `ATZ`, `ATE1`).
        case action
        /// `AT+CMD?`
        case read
        /// `AT+CMD=?`
        case test
        /// `AT+CMD=<arguments>`
        case set([ATArgument])
    }

    /// Upper-cased name: `+CMGF`, `^CURC`, `E`, `&F`, `S0`, `I`, `Z`, `D`.
    var name: String
    /// The form (basic commands with a value such as `E1` are `.set` with one argument).
    var form: Form

    /// The arguments of a `.set` form, empty otherwise.
    var arguments: [ATArgument] {
        if case .set(let arguments) = form { return arguments }
        return []
    }
}

/// One argument of an AT command: a number, a quoted string or empty.
struct ATArgument: Sendable, Equatable {
    /// The text, without quotes.
    var text: String
    /// True when the argument was written in double quotes.
    var quoted: Bool

    /// True when the argument was left out (`AT+CNMI=2,,0`).
    var isEmpty: Bool { text.isEmpty && !quoted }
    /// The argument as an integer, if it is one.
    var int: Int? { quoted ? Int(text) : Int(text.trimmingCharacters(in: .whitespaces)) }
}

/// Parses the part of a command line after `AT` into commands, V.250 style.
///
/// Basic commands may follow each other (`ATE0V1`); extended commands (`+`, `^`, `$`, `%`, `*`, `#`)
/// run until `;` outside quotes. Spaces outside quotes are ignored; names are case-insensitive.
enum ATCommandLineParser {
    /// Parse errors answer `ERROR`, as on a real modem.
    struct SyntaxError: Error {}

    static let extendedPrefixes: Set<Character> = ["+", "^", "$", "%", "*", "#", "!"]

    /// Splits `body` (the line without the leading `AT`) into commands.
    static func parse(_ body: String) throws(SyntaxError) -> [ATCommand] {
        let characters = Array(body)
        var commands: [ATCommand] = []
        var index = 0
        func skipSpaces() { while index < characters.count, characters[index] == " " { index += 1 } }
        while true {
            skipSpaces()
            guard index < characters.count else { break }
            let character = characters[index]
            if character == ";" { index += 1; continue }
            if extendedPrefixes.contains(character) {
                commands.append(try parseExtended(characters, &index))
            } else {
                commands.append(try parseBasic(characters, &index))
            }
        }
        return commands
    }

    private static func parseExtended(_ characters: [Character], _ index: inout Int) throws(SyntaxError) -> ATCommand {
        var name = String(characters[index])
        index += 1
        while index < characters.count {
            let character = characters[index]
            if character.isLetter || character.isNumber || "!%-./:_".contains(character) {
                name.append(Character(character.uppercased()))
                index += 1
            } else if character == " " {
                index += 1
            } else {
                break
            }
        }
        guard name.count > 1 else { throw SyntaxError() }
        guard index < characters.count, characters[index] != ";" else { return ATCommand(name: name, form: .action) }
        if characters[index] == "?" {
            index += 1
            return ATCommand(name: name, form: .read)
        }
        guard characters[index] == "=" else { throw SyntaxError() }
        index += 1
        var look = index
        while look < characters.count, characters[look] == " " { look += 1 }
        if look < characters.count, characters[look] == "?" {
            index = look + 1
            return ATCommand(name: name, form: .test)
        }
        return ATCommand(name: name, form: .set(try parseArguments(characters, &index)))
    }

    /// Reads comma-separated arguments up to an unquoted `;` or the end.
    static func parseArguments(_ characters: [Character], _ index: inout Int) throws(SyntaxError) -> [ATArgument] {
        var arguments: [ATArgument] = []
        var current = ""
        var quoted = false
        var inQuotes = false
        while index < characters.count {
            let character = characters[index]
            if inQuotes {
                if character == "\"" { inQuotes = false } else { current.append(character) }
            } else if character == "\"" {
                inQuotes = true
                quoted = true
            } else if character == "," {
                arguments.append(ATArgument(text: current, quoted: quoted))
                current = ""
                quoted = false
            } else if character == ";" {
                break
            } else if character != " " {
                current.append(character)
            }
            index += 1
        }
        guard !inQuotes else { throw SyntaxError() }
        arguments.append(ATArgument(text: current, quoted: quoted))
        return arguments
    }

    private static func parseBasic(_ characters: [Character], _ index: inout Int) throws(SyntaxError) -> ATCommand {
        var name = String(characters[index]).uppercased()
        index += 1
        guard name.first?.isLetter == true || name == "&" else { throw SyntaxError() }
        if name == "&" {
            guard index < characters.count, characters[index].isLetter else { throw SyntaxError() }
            name += characters[index].uppercased()
            index += 1
        }
        if name == "D" {  // dial: the rest of the line
            let rest = String(characters[index...])
            index = characters.count
            return ATCommand(name: name, form: .set([ATArgument(text: rest, quoted: false)]))
        }
        if name == "S" {
            var register = ""
            while index < characters.count, characters[index].isNumber { register.append(characters[index]); index += 1 }
            name += register
            if index < characters.count, characters[index] == "?" {
                index += 1
                return ATCommand(name: name, form: .read)
            }
            if index < characters.count, characters[index] == "=" {
                index += 1
                var value = ""
                while index < characters.count, characters[index].isNumber { value.append(characters[index]); index += 1 }
                return ATCommand(name: name, form: .set([ATArgument(text: value, quoted: false)]))
            }
            return ATCommand(name: name, form: .action)
        }
        var digits = ""
        while index < characters.count, characters[index].isNumber { digits.append(characters[index]); index += 1 }
        if digits.isEmpty { return ATCommand(name: name, form: .action) }
        return ATCommand(name: name, form: .set([ATArgument(text: digits, quoted: false)]))
    }
}
