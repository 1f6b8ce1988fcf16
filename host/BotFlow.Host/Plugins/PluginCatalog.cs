using System.Reflection;
using System.Text.RegularExpressions;
using BotFlow.Host.Conversations;
using BotFlow.Sdk.Blocks;
using BotFlow.Sdk.Channels;
using BotFlow.Sdk.Context;
using BotFlow.Sdk.Plugins;
using BotFlow.Sdk.Templates;
using McMaster.NETCore.Plugins;
using Microsoft.Extensions.Options;

namespace BotFlow.Host.Plugins;

/// <summary>
/// Loads every plugin folder into its own load context (McMaster.NETCore.Plugins) with only the SDK and the
/// logging/DI/configuration abstractions shared, so a plugin's private dependencies never clash with the host's.
/// A plugin that fails to load is recorded with its reason; the host and the other plugins carry on.
/// </summary>
public sealed partial class PluginCatalog
{
    // The types whose assemblies must be the host's, or casts between host and plugin fail (style 10.1).
    private static readonly Type[] SharedTypes =
    [
        typeof(IBlock), typeof(ILogger), typeof(ILoggerFactory), typeof(IServiceCollection), typeof(IServiceProvider),
        typeof(IConfiguration), typeof(TimeProvider),
    ];

    private readonly PluginsOptions _options;
    private readonly IHostEnvironment _environment;
    private readonly IServiceProvider _hostServices;
    private readonly ILogger<PluginCatalog> _logger;
    private readonly List<PluginInfo> _plugins = [];
    private readonly Dictionary<string, BlockTypeDescriptor> _blockTypes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChannelTypeDescriptor> _channelTypes = new(StringComparer.Ordinal);
    private readonly List<IServiceProvider> _containers = [];
    private bool _loaded;

    public PluginCatalog(IOptions<PluginsOptions> options, IHostEnvironment environment, IServiceProvider hostServices, ILogger<PluginCatalog> logger)
    {
        _options = options.Value;
        _environment = environment;
        _hostServices = hostServices;
        _logger = logger;
    }

    public IReadOnlyList<PluginInfo> Plugins
    {
        get
        {
            EnsureLoaded();
            return _plugins;
        }
    }

    public IReadOnlyCollection<BlockTypeDescriptor> BlockTypes
    {
        get
        {
            EnsureLoaded();
            return _blockTypes.Values;
        }
    }

    public bool TryGet(string type, out BlockTypeDescriptor descriptor)
    {
        EnsureLoaded();
        return _blockTypes.TryGetValue(type, out descriptor!);
    }

    public IReadOnlyCollection<ChannelTypeDescriptor> ChannelTypes
    {
        get
        {
            EnsureLoaded();
            return _channelTypes.Values;
        }
    }

    public bool TryGetChannel(string type, out ChannelTypeDescriptor descriptor)
    {
        EnsureLoaded();
        return _channelTypes.TryGetValue(type, out descriptor!);
    }

    public void EnsureLoaded()
    {
        if (_loaded)
        {
            return;
        }

        lock (_plugins)
        {
            if (_loaded)
            {
                return;
            }

            foreach (var folder in PluginFolders())
            {
                if (!Directory.Exists(folder))
                {
                    _logger.LogWarning("Plugin folder {Folder} does not exist", folder);
                    continue;
                }

                foreach (var directory in Directory.GetDirectories(folder).Order(StringComparer.Ordinal))
                {
                    _plugins.Add(LoadPlugin(directory));
                }
            }

            _loaded = true;
        }
    }

    public IEnumerable<string> PluginFolders()
    {
        var folders = _options.Folders.Count > 0 ? _options.Folders : [Path.Combine(AppContext.BaseDirectory, "plugins")];
        return folders.Select(f => Path.GetFullPath(f, _environment.ContentRootPath)).Distinct();
    }

    private PluginInfo LoadPlugin(string directory)
    {
        var name = Path.GetFileName(directory);
        var assemblyPath = Path.Combine(directory, name + ".dll");
        if (!File.Exists(assemblyPath))
        {
            return Fail(name, null, directory, $"no {name}.dll in the plugin folder (expected <folder>/{name}/{name}.dll made by dotnet publish)");
        }

        string? version = null;
        try
        {
            var loader = PluginLoader.CreateFromAssemblyFile(assemblyPath, SharedTypes, config => config.IsUnloadable = false);
            var assembly = loader.LoadDefaultAssembly();
            version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
                      ?? assembly.GetName().Version?.ToString();

            if (CheckSdkVersion(assembly) is { } sdkProblem)
            {
                return Fail(name, version, directory, sdkProblem);
            }

            Type[] types;
            using (loader.EnterContextualReflection())
            {
                types = assembly.GetTypes();
            }

            var blockTypes = types.Where(t => typeof(IBlock).IsAssignableFrom(t) && !t.IsAbstract && t.GetCustomAttribute<BlockTypeAttribute>() is not null).ToList();
            foreach (var blockType in blockTypes)
            {
                var typeName = blockType.GetCustomAttribute<BlockTypeAttribute>()!.Type;
                if (!TypeNamePattern().IsMatch(typeName))
                {
                    return Fail(name, version, directory, $"block type name '{typeName}' of {blockType.FullName} is not valid (lower-case letters, digits, '-', '_', '.')");
                }

                if (_blockTypes.TryGetValue(typeName, out var existing))
                {
                    return Fail(name, version, directory, $"block type '{typeName}' is already provided by plugin '{existing.Plugin}'");
                }
            }

            // Channel types are discovered like block types, in a namespace of their own (a "webhook" channel and block may coexist).
            var channelTypes = types.Where(t => typeof(IChannel).IsAssignableFrom(t) && !t.IsAbstract && t.GetCustomAttribute<ChannelTypeAttribute>() is not null).ToList();
            foreach (var channelType in channelTypes)
            {
                var typeName = channelType.GetCustomAttribute<ChannelTypeAttribute>()!.Type;
                if (!TypeNamePattern().IsMatch(typeName))
                {
                    return Fail(name, version, directory, $"channel type name '{typeName}' of {channelType.FullName} is not valid (lower-case letters, digits, '-', '_', '.')");
                }

                if (_channelTypes.TryGetValue(typeName, out var existing))
                {
                    return Fail(name, version, directory, $"channel type '{typeName}' is already provided by plugin '{existing.Plugin}'");
                }
            }

            var services = CreatePluginServices(types);
            var descriptors = new List<BlockTypeDescriptor>();
            foreach (var blockType in blockTypes)
            {
                var attribute = blockType.GetCustomAttribute<BlockTypeAttribute>()!;
                var block = (IBlock)ActivatorUtilities.CreateInstance(services, blockType);
                var exits = blockType.GetCustomAttribute<ExitsAttribute>()?.Exits ?? [BlockResult.DefaultExit];
                descriptors.Add(new BlockTypeDescriptor
                {
                    Type = attribute.Type,
                    Plugin = name,
                    Version = version ?? "0.0.0",
                    DisplayName = attribute.DisplayName ?? attribute.Type,
                    Description = attribute.Description,
                    Category = attribute.Category ?? name,
                    Exits = exits,
                    DynamicExits = blockType.GetMethod(nameof(Block<object>.GetExits), [block.ConfigType])?.DeclaringType != typeof(Block<>).MakeGenericType(block.ConfigType),
                    ConfigSchema = ConfigSchemaGenerator.Generate(block.ConfigType),
                    Block = block,
                    ConfigType = block.ConfigType,
                    CreateContext = ContextFactory(block.ConfigType),
                });
            }

            var channels = channelTypes.Select(t =>
            {
                var attribute = t.GetCustomAttribute<ChannelTypeAttribute>()!;
                return new ChannelTypeDescriptor(attribute.Type, name, version ?? "0.0.0", attribute.DisplayName ?? attribute.Type,
                    (IChannel)ActivatorUtilities.CreateInstance(services, t));
            }).ToList();

            foreach (var descriptor in descriptors)
            {
                _blockTypes[descriptor.Type] = descriptor;
            }

            foreach (var channel in channels)
            {
                _channelTypes[channel.Type] = channel;
            }

            _containers.Add(services);
            _logger.LogInformation("Loaded plugin {Plugin} {Version} with block types {BlockTypes} and channel types {ChannelTypes}", name, version,
                descriptors.Select(d => d.Type), channels.Select(c => c.Type));
            return new PluginInfo(name, version, directory, PluginInfo.Loaded, null, descriptors.Select(d => d.Type).ToList(), channels.Select(c => c.Type).ToList());
        }
        catch (ReflectionTypeLoadException ex)
        {
            var reasons = ex.LoaderExceptions.Where(e => e is not null).Select(e => e!.Message).Distinct().Take(3);
            return Fail(name, version, directory, "its types could not be loaded: " + string.Join("; ", reasons));
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            return Fail(name, version, directory, $"a block's constructor threw {ex.InnerException.GetType().Name}: {ex.InnerException.Message}");
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or FileNotFoundException or TypeLoadException
                                       or TypeInitializationException or InvalidOperationException or MissingMethodException or ArgumentException or InvalidCastException)
        {
            return Fail(name, version, directory, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private static string? CheckSdkVersion(Assembly assembly)
    {
        var sdk = assembly.GetReferencedAssemblies().FirstOrDefault(a => a.Name == typeof(IBlock).Assembly.GetName().Name);
        if (sdk?.Version is null)
        {
            return "it does not reference BotFlow.Sdk, so it has no block types";
        }

        var host = SdkInfo.Version;
        return sdk.Version.Major != host.Major || sdk.Version.Minor > host.Minor
            ? $"it was built against BotFlow.Sdk {sdk.Version}, which this host (SDK {host}) cannot bind; rebuild it against SDK {host.Major}.x"
            : null;
    }

    private IServiceProvider CreatePluginServices(IEnumerable<Type> types)
    {
        // Each plugin gets its own container: the host's shared services plus whatever the plugin registers.
        var services = new ServiceCollection();
        services.AddSingleton(_hostServices.GetRequiredService<ILoggerFactory>());
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton(_hostServices.GetRequiredService<TimeProvider>());
        services.AddSingleton(_hostServices.GetRequiredService<IConfiguration>());
        services.AddSingleton(_hostServices.GetRequiredService<ITemplateEngine>());
        foreach (var contribution in _hostServices.GetServices<IPluginServiceContribution>())
        {
            contribution.Configure(services);
        }

        foreach (var startup in types.Where(t => typeof(IBotFlowPlugin).IsAssignableFrom(t) && !t.IsAbstract))
        {
            ((IBotFlowPlugin)Activator.CreateInstance(startup)!).ConfigureServices(services);
        }

        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false, ValidateScopes = false });
    }

    private PluginInfo Fail(string name, string? version, string directory, string reason)
    {
        _logger.LogError("Plugin {Plugin} at {Path} failed to load: {Reason}", name, directory, reason);
        return new PluginInfo(name, version, directory, PluginInfo.Failed, reason, []);
    }

    private static Func<BlockContextState, object, IBlockContext> ContextFactory(Type configType) =>
        typeof(PluginCatalog).GetMethod(nameof(CreateTypedContext), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(configType)
            .CreateDelegate<Func<BlockContextState, object, IBlockContext>>();

    private static IBlockContext CreateTypedContext<TConfig>(BlockContextState state, object config) where TConfig : class =>
        new BlockContext<TConfig>(state, (TConfig)config);

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex TypeNamePattern();
}

/// <summary>A host feature that offers services to plugin containers (for example the outbound HTTP client).</summary>
public interface IPluginServiceContribution
{
    void Configure(IServiceCollection pluginServices);
}
