using System.Globalization;
using BotFlow.Host.Flows;
using BotFlow.Host.Plugins;
using BotFlow.Host.Storage;
using Newtonsoft.Json;
using static BotFlow.Host.Storage.BotFlowDatabase;

namespace BotFlow.Host.Hosts;

/// <summary>
/// Every host sharing a database records, every 30 s, its name and the block types it loaded. A flow that uses a block
/// type some live host lacks is refused at save with that host's name (scale-out.md), so no conversation lands on a host
/// that cannot run it.
/// </summary>
public sealed class HostRegistry(BotFlowDatabase db, PluginCatalog plugins, IConfiguration configuration, TimeProvider clock, ILogger<HostRegistry> logger)
    : BackgroundService
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(30);

    /// <summary>A host not seen for this long is gone (stopped or crashed) and no longer counts.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(90);

    public string Name { get; } = configuration["BotFlow:HostName"] is { Length: > 0 } name
        ? name
        : $"{Environment.MachineName}/{Environment.ProcessId}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await AnnounceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException or IOException)
            {
                logger.LogWarning("Could not record this host in the database: {Error}", ex.Message);
            }

            await Task.Delay(Heartbeat, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public Task AnnounceAsync(CancellationToken ct) => db.WriteAsync(async (c, tx) =>
        await Command(c,
            "insert into hosts (name, block_types, seen_at) values (@n, @b, @t) on conflict (name) do update set block_types = excluded.block_types, seen_at = excluded.seen_at",
            tx, ("@n", Name), ("@b", JsonConvert.SerializeObject(plugins.BlockTypes.Select(t => t.Type).Order(StringComparer.Ordinal))),
            ("@t", SqlValues.Time(clock.GetUtcNow()))).ExecuteNonQueryAsync(ct), ct);

    /// <summary>For each block type of the flow, the live hosts (other than this one) that have not loaded it.</summary>
    public async Task<IReadOnlyList<FlowError>> CheckAsync(FlowDocument document, CancellationToken ct)
    {
        var since = SqlValues.Time(clock.GetUtcNow() - Lifetime);
        var hosts = await db.ReadAsync(async c =>
        {
            var list = new List<(string Name, HashSet<string> Types)>();
            await using var reader = await Command(c, "select name, block_types from hosts where seen_at >= @s and name <> @n", null, ("@s", since), ("@n", Name)).ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                list.Add((reader.GetString(0), JsonConvert.DeserializeObject<HashSet<string>>(reader.GetString(1)) ?? []));
            }

            return list;
        }, ct);

        var errors = new List<FlowError>();
        foreach (var block in document.Blocks.Where(b => b?.Type is not null))
        {
            foreach (var host in hosts.Where(h => !h.Types.Contains(block.Type!)))
            {
                errors.Add(new FlowError(block.Id, "type", string.Format(CultureInfo.InvariantCulture,
                    "block type '{0}' is not loaded on host '{1}'; install the same plugins on every host", block.Type, host.Name)));
            }
        }

        return errors;
    }
}
