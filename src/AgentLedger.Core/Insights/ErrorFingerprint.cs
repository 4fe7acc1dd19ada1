using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace AgentLedger.Core.Insights;

/// <summary>
/// Groups failures that are "the same error": the type plus the message with what varies between
/// occurrences (ids, numbers, quoted values, paths, urls, times) replaced by placeholders.
/// </summary>
public static partial class ErrorFingerprint
{
    public static string Normalize(string? message)
    {
        var text = message ?? "";
        text = Url().Replace(text, "<url>");
        text = Guid().Replace(text, "<id>");
        text = Timestamp().Replace(text, "<time>");
        text = Quoted().Replace(text, "<quoted>");
        text = FilePath().Replace(text, "<path>");
        text = Hex().Replace(text, "<hex>");
        text = Number().Replace(text, "<n>");
        return Whitespace().Replace(text, " ").Trim();
    }

    /// <summary>A short stable id of (type, normalised message).</summary>
    public static string Of(string? errorType, string? message)
    {
        var key = (errorType ?? "") + "\n" + Normalize(message);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16];
    }

    [GeneratedRegex(@"\b[a-z][a-z0-9+.-]*://\S+", RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    [GeneratedRegex(@"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", RegexOptions.IgnoreCase)]
    private static partial Regex Guid();

    [GeneratedRegex(@"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")]
    private static partial Regex Timestamp();

    [GeneratedRegex("\"[^\"]*\"|'[^']*'")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"(?<![\w<])(/[\w.@-]+){2,}/?|\b[A-Z]:\\[^\s]+")]
    private static partial Regex FilePath();

    [GeneratedRegex(@"\b0x[0-9a-f]+\b|\b[0-9a-f]{12,}\b", RegexOptions.IgnoreCase)]
    private static partial Regex Hex();

    [GeneratedRegex(@"[-+]?\d+([.,]\d+)*")]
    private static partial Regex Number();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
