using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace BotFlow.Host.Integrations;

/// <summary>
/// Decides which addresses an integration may connect to, on the address actually connected (hardening.md), so a
/// host name that resolves to an internal address, or starts doing so later (DNS rebinding), is refused.
/// </summary>
public sealed class AddressGuard(IOptionsMonitor<OutboundHttpOptions> options, IHostEnvironment environment)
{
    public bool IsAllowed(string host, IPAddress address)
    {
        var settings = options.CurrentValue;
        if (environment.IsDevelopment() && !settings.EnforceAddressGuardInDevelopment)
        {
            return true;
        }

        if (settings.AllowedHosts.Any(h => string.Equals(h, host, StringComparison.OrdinalIgnoreCase) || string.Equals(h, address.ToString(), StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        return IsPublic(address);
    }

    /// <summary>False for 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.168/16, 198.18/15, 224/4, 240/4, ::1, ::, fc00::/7,
    /// fe80::/10, multicast, and NAT64 / 6to4 / Teredo addresses that embed such an IPv4 address.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return IsPublicV4(address.GetAddressBytes());
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        var b = address.GetAddressBytes();
        if (address.Equals(IPAddress.IPv6Loopback) || address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast)
        {
            return false;
        }

        if ((b[0] & 0xFE) == 0xFC)
        {
            return false; // fc00::/7 unique local, fd00:ec2::254 included
        }

        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
        {
            return IsPublicV4(b[12..]); // NAT64 64:ff9b::/96
        }

        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return IsPublicV4(b[2..6]); // 6to4 2002::/16
        }

        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00)
        {
            // Teredo 2001::/32: the client's IPv4 is the last 32 bits, inverted.
            return IsPublicV4([(byte)~b[12], (byte)~b[13], (byte)~b[14], (byte)~b[15]]) && IsPublicV4(b[4..8]);
        }

        return b.AsSpan(0, 15).IndexOfAnyExcept((byte)0) >= 0 || b[15] > 1; // :: and ::1 in any spelling
    }

    private static bool IsPublicV4(ReadOnlySpan<byte> b) => !(
        b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224
        || (b[0] == 100 && (b[1] & 0xC0) == 64)
        || (b[0] == 169 && b[1] == 254)
        || (b[0] == 172 && (b[1] & 0xF0) == 16)
        || (b[0] == 192 && b[1] == 168)
        || (b[0] == 198 && (b[1] & 0xFE) == 18));

    /// <summary>The socket connect step of the outbound handler: resolve, keep allowed addresses, connect to the first that answers.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        IPAddress[] addresses;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            addresses = await Dns.GetHostAddressesAsync(host, ct);
        }

        var refused = new List<IPAddress>();
        SocketException? lastError = null;
        foreach (var address in addresses)
        {
            if (!IsAllowed(host, address))
            {
                refused.Add(address);
                continue;
            }

            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct);
                // Re-check what we are really connected to (the check above was on the address we asked for).
                if (socket.RemoteEndPoint is IPEndPoint connected && !IsAllowed(host, connected.Address))
                {
                    socket.Dispose();
                    refused.Add(connected.Address);
                    continue;
                }

                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                lastError = ex;
            }
        }

        if (refused.Count > 0 && lastError is null)
        {
            throw new AddressRefusedException(host, refused[0]);
        }

        throw lastError ?? new SocketException((int)SocketError.HostNotFound);
    }
}

/// <summary>The guard refused every address a host name resolved to.</summary>
public sealed class AddressRefusedException(string host, IPAddress address)
    : IOException($"'{host}' resolves to {address}, an internal address integrations may not reach (allow it in BotFlow:Integration:AllowedHosts)");
