namespace RiskSim.Core.Configuration;

/// <summary>One problem in a config: where, what, the bad value and what is allowed.</summary>
public sealed record ConfigError(string Path, string Message, string Value, string Allowed)
{
    /// <summary>"file: path: message (got value; allowed: ...)".</summary>
    public string Format(string file) =>
        $"{file}: {(Path.Length == 0 ? "(root)" : Path)}: {Message}" +
        (Value.Length > 0 ? $" (got {Value}" + (Allowed.Length > 0 ? $"; allowed: {Allowed})" : ")") : Allowed.Length > 0 ? $" (allowed: {Allowed})" : "");
}

/// <summary>Thrown when a config is invalid; carries every error found.</summary>
public sealed class ConfigException : Exception
{
    /// <summary>A config error: every problem found in <paramref name="file"/>, one per line of the message.</summary>
    public ConfigException(string file, IReadOnlyList<ConfigError> errors)
        : base(string.Join(Environment.NewLine, errors.Select(e => e.Format(file))))
    {
        File = file;
        Errors = errors;
    }

    /// <summary>An empty config error (for serializers and tests).</summary>
    public ConfigException()
        : this("(config)", [])
    {
    }

    /// <summary>A config error with a message of its own.</summary>
    public ConfigException(string message)
        : base(message)
    {
        File = "(config)";
        Errors = [];
    }

    /// <summary>A config error with a message of its own and its cause.</summary>
    public ConfigException(string message, Exception inner)
        : base(message, inner)
    {
        File = "(config)";
        Errors = [];
    }

    /// <summary>The file (or <c>Decision.Origin</c>) the errors are in.</summary>
    public string File { get; } = "(config)";

    /// <summary>Every problem found: path, message, bad value, what is allowed.</summary>
    public IReadOnlyList<ConfigError> Errors { get; } = [];
}
