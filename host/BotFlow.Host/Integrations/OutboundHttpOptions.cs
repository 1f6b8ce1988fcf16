namespace BotFlow.Host.Integrations;

/// <summary>Outbound calls of integration blocks. Section <c>BotFlow:Integration</c>.</summary>
public sealed class OutboundHttpOptions
{
    public const string Section = "BotFlow:Integration";

    /// <summary>
    /// Host names or IP addresses that may be reached even though they resolve to loopback, private, link-local or
    /// metadata addresses (for example a CRM on the office network). Empty by default. In Development every address is allowed.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Refuse internal addresses in Development too (tests of the guard set it). Default false.</summary>
    public bool EnforceAddressGuardInDevelopment { get; set; }
}
