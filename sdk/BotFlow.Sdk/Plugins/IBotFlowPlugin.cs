using Microsoft.Extensions.DependencyInjection;

namespace BotFlow.Sdk.Plugins;

/// <summary>
/// Optional entry point of a plugin assembly: registers the services its blocks take in their constructors.
/// The host gives each plugin its own service container holding the host's shared services
/// (<c>ILoggerFactory</c>, <c>TimeProvider</c>, <see cref="Templates.ITemplateEngine"/>, <c>IConfiguration</c> is not shared)
/// plus what this method adds; block instances are created from it once and serve every conversation.
/// </summary>
public interface IBotFlowPlugin
{
    /// <summary>Adds the plugin's own services.</summary>
    void ConfigureServices(IServiceCollection services);
}

/// <summary>The SDK's own version, which the host compares with the version a plugin was built against.</summary>
public static class SdkInfo
{
    /// <summary>The SDK contract version. Plugins built against the same major and a lower or equal minor load.</summary>
    public static Version Version { get; } = typeof(SdkInfo).Assembly.GetName().Version ?? new Version(1, 0);
}
