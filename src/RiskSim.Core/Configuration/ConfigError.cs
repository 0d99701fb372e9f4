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
    public ConfigException(string file, IReadOnlyList<ConfigError> errors)
        : base(string.Join(Environment.NewLine, errors.Select(e => e.Format(file))))
    {
        File = file;
        Errors = errors;
    }

    public ConfigException()
        : this("(config)", [])
    {
    }

    public ConfigException(string message)
        : base(message)
    {
        File = "(config)";
        Errors = [];
    }

    public ConfigException(string message, Exception inner)
        : base(message, inner)
    {
        File = "(config)";
        Errors = [];
    }

    public string File { get; } = "(config)";

    public IReadOnlyList<ConfigError> Errors { get; } = [];
}
