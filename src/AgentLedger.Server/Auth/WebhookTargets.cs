using System.Net;
using System.Net.Sockets;

namespace AgentLedger.Server.Auth;

/// <summary>
/// Where alert webhooks may go: not to this machine or the private network behind it (a settings
/// change must not turn the server into a probe of internal services), unless
/// <c>AgentLedger:Alerts:AllowPrivateTargets</c>. Checked on the URL when it is set and again on every
/// address the name resolves to when connecting, so a name that later resolves inward is refused too.
/// </summary>
public static class WebhookTargets
{
    public const string Refusal = "must not target a loopback, private or link-local address (set AgentLedger:Alerts:AllowPrivateTargets to allow it)";

    /// <summary>Null when the URL may be used; else why not. Only literal addresses and localhost are known before connecting.</summary>
    public static string? Check(string? url, bool allowPrivate)
    {
        if (allowPrivate || url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return null;
        }
        var host = uri.IdnHost.Trim('[', ']');
        if (uri.IsLoopback || host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return Refusal;
        }
        return IPAddress.TryParse(host, out var address) && IsPrivate(address) ? Refusal : null;
    }

    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return true;
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            // fc00::/7 unique local, fe80::/10 link-local.
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || (b[0] & 0xFE) == 0xFC;
        }
        var v4 = address.GetAddressBytes();
        return v4[0] switch
        {
            0 or 10 or 127 => true,
            100 => v4[1] is >= 64 and <= 127,      // shared address space (carrier NAT)
            169 => v4[1] == 254,                   // link-local, including cloud metadata services
            172 => v4[1] is >= 16 and <= 31,
            192 => v4[1] == 168,
            _ => false,
        };
    }

    /// <summary>The webhook client's transport: no redirects, and connections only to allowed addresses.</summary>
    public static SocketsHttpHandler Handler(bool allowPrivate) => new()
    {
        AllowAutoRedirect = false,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
            var allowed = allowPrivate ? addresses : addresses.Where(a => !IsPrivate(a)).ToArray();
            if (allowed.Length == 0)
            {
                throw new HttpRequestException($"The webhook host '{host}' {Refusal}.");
            }
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
