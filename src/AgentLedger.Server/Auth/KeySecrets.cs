using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace AgentLedger.Server.Auth;

/// <summary>
/// The key format <c>alk_&lt;id&gt;_&lt;secret&gt;</c>: a 16-hex-digit id the server looks the key up by,
/// and 256 bits of randomness (base64url) that only the holder knows.
/// </summary>
public static partial class KeyFormat
{
    public const string Prefix = "alk_";
    private const int IdBytes = 8;
    private const int SecretBytes = 32;

    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdBytes));

    public static string NewSecret() => Base64Url(RandomNumberGenerator.GetBytes(SecretBytes));

    public static string Compose(string id, string secret) => $"{Prefix}{id}_{secret}";

    /// <summary>Splits a presented key; false for anything not in the format (which then fails like an unknown key).</summary>
    public static bool TryParse(string presented, out string id, out string secret)
    {
        var match = Exact().Match(presented);
        id = match.Success ? match.Groups["id"].Value : "";
        secret = match.Success ? match.Groups["secret"].Value : "";
        return match.Success;
    }

    /// <summary>Replaces anything that looks like a key in reported text, so a leaked key is not stored (and shown) by the ledger.</summary>
    public static string Scrub(string text) => text.Contains(Prefix, StringComparison.Ordinal) ? Anywhere().Replace(text, Prefix + "[redacted]") : text;

    internal static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("^alk_(?<id>[0-9a-f]{16})_(?<secret>[A-Za-z0-9_-]{43})$")]
    private static partial Regex Exact();

    // Looser than the exact format, so truncated or differently cut keys are caught as well.
    [GeneratedRegex("alk_[0-9a-f]{8,}_[A-Za-z0-9_-]{16,}")]
    private static partial Regex Anywhere();
}

/// <summary>
/// Hashes secrets with HMAC-SHA256 under a server pepper (<c>AgentLedger:Auth:Pepper</c>, else a
/// mode-600 file beside the generated key file): a copy of the database alone does not let anyone
/// check guesses offline. Every node of one database needs the same pepper.
/// </summary>
public sealed class KeyHasher
{
    public const string FileName = "key-pepper";
    private readonly byte[] _pepper;

    public KeyHasher(string dataFolder, string? configuredPepper = null) =>
        _pepper = Encoding.UTF8.GetBytes(string.IsNullOrWhiteSpace(configuredPepper)
            ? SecretFile.LoadOrCreate(Path.Combine(dataFolder, FileName), () => KeyFormat.Base64Url(RandomNumberGenerator.GetBytes(32)))
            : configuredPepper.Trim());

    public string Hash(string secret) => Convert.ToHexStringLower(HMACSHA256.HashData(_pepper, Encoding.UTF8.GetBytes(secret)));

    /// <summary>Constant time in the secret, so response times say nothing about how much of a guess was right.</summary>
    public bool Matches(string secret, string? storedHash)
    {
        if (storedHash is null)
        {
            return false;
        }
        var expected = Convert.FromHexString(storedHash);
        var actual = HMACSHA256.HashData(_pepper, Encoding.UTF8.GetBytes(secret));
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }
}

/// <summary>A small secret in a file only this user can read, created on first use.</summary>
internal static class SecretFile
{
    public static string LoadOrCreate(string path, Func<string> create)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Of nodes starting at once on one data folder, the one whose exclusive create succeeds
        // writes the value; the others read it once it is there.
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (Read(path) is { } existing)
            {
                return existing;
            }
            if (TryCreate(path, create, overwrite: attempt == 99))
            {
                return Read(path)!;
            }
            Thread.Sleep(20);
        }
        throw new InvalidOperationException($"{path} could not be read or created.");
    }

    /// <summary>False when another process created the file first (it may still be writing it).</summary>
    private static bool TryCreate(string path, Func<string> create, bool overwrite)
    {
        var stream = new FileStreamOptions { Mode = overwrite ? FileMode.Create : FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            stream.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        try
        {
            using var writer = new StreamWriter(path, stream);
            writer.Write(create());
        }
        catch (IOException) when (!overwrite && File.Exists(path))
        {
            return false;
        }
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return true;
    }

    private static string? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        var text = File.ReadAllText(path).Trim();
        return text.Length > 0 ? text : null;
    }
}
