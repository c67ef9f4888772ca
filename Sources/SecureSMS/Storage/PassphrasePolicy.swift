/// The rule every passphrase for a key file must pass, on every input path (prompt, `--passphrase-file`,
/// systemd credential, `SMSKIT_PASSPHRASE`): not empty, at least `minimumLength` characters, at least
/// `minimumDistinct` different characters, and not one of a few notorious choices.
///
/// It is a floor against accidents (an empty variable, "password", "1111…"), not a strength estimator:
/// Argon2id at the moderate cost is what makes guessing slow.
/// Example: `try PassphrasePolicy.check("correct horse battery")`.
public enum PassphrasePolicy {
    /// Fewest characters accepted.
    public static let minimumLength = 12
    /// Fewest distinct characters accepted.
    public static let minimumDistinct = 6
    private static let notorious: Set<String> = [
        "password1234", "passwordpassword", "123456789012", "qwertyuiopas", "changemechangeme", "letmeinletmein",
        "smskitsmskit", "iloveyou1234", "administrator",
    ]

    /// Throws `weakPassphrase` saying what is wrong.
    public static func check(_ passphrase: String) throws(SecureSMSError) {
        if passphrase.isEmpty { throw .weakPassphrase("the passphrase is empty") }
        if passphrase.count < minimumLength { throw .weakPassphrase("the passphrase has fewer than \(minimumLength) characters") }
        if Set(passphrase).count < minimumDistinct {
            throw .weakPassphrase("the passphrase has fewer than \(minimumDistinct) different characters")
        }
        if notorious.contains(passphrase.lowercased()) { throw .weakPassphrase("the passphrase is a well-known one") }
    }
}
