using BotFlow.Host.Errors;
using BotFlow.Host.Fields;
using BotFlow.Host.Flows;
using BotFlow.Host.Security;
using Cronos;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace BotFlow.Host.Jobs;

/// <summary>Recurring integrations: a cron with a time zone and an integration config that runs without a contact.</summary>
public static class RecurringApi
{
    public static RouteGroupBuilder MapRecurring(this IEndpointRouteBuilder routes)
    {
        var recurring = routes.MapGroup("/recurring").WithTags("Recurring integrations");
        recurring.MapGet("/", List).RequireAuthorization(Policies.Read).WithSummary("Recurring integrations with their next run");
        recurring.MapPut("/{id}", Put).RequireAuthorization(Policies.Admin).WithSummary("Create or replace a recurring integration").Accepts<object>("application/json");
        recurring.MapDelete("/{id}", Delete).RequireAuthorization(Policies.Admin).WithSummary("Delete a recurring integration");
        return recurring;
    }

    private static async Task<Ok<List<object>>> List(IBackgroundStore store, CancellationToken ct) =>
        TypedResults.Ok((await store.ListRecurringAsync(ct)).Select(r => (object)new
        {
            id = r.Id,
            cron = r.Cron,
            timeZone = r.TimeZone,
            config = System.Text.Json.JsonDocument.Parse(r.ConfigJson).RootElement,
            updatedAt = r.UpdatedAt,
            nextRun = NextRun(r.Cron, r.TimeZone),
        }).ToList());

    private static async Task<Results<Ok<object>, ProblemHttpResult>> Put(
        string id, HttpRequest request, IBackgroundStore store, FlowValidator validator, FieldService fields, IServiceProvider services,
        IOptions<JobsOptions> options, TimeProvider clock, CancellationToken ct)
    {
        if (!FlowValidator.IdPattern().IsMatch(id))
        {
            return Problems.Invalid("id", "an id is 1 to 64 characters of a-z, 0-9, '-' and '_'");
        }

        var (body, problem) = await JsonBody.ReadAsync(request, JsonBody.DefaultLimit, ct);
        if (body is null)
        {
            return problem.Value!;
        }

        var errors = new List<FlowError>();
        var cron = (string?)body["cron"];
        var timeZone = (string?)body["timeZone"] ?? options.Value.TimeZone;
        if (string.IsNullOrWhiteSpace(cron) || !TryParseCron(cron, out _))
        {
            errors.Add(new FlowError(null, "cron", $"'{cron}' is not a cron expression (five fields, e.g. '0 9 * * 1-5', or six with seconds)"));
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
        {
            errors.Add(new FlowError(null, "timeZone", $"unknown time zone '{timeZone}' (use an IANA id such as America/Sao_Paulo)"));
        }

        if (body["config"] is not JObject config)
        {
            errors.Add(new FlowError(null, "config", "'config' must be an integration config object"));
        }
        else
        {
            var (_, configErrors, _) = validator.ValidateBlockConfig("integration", config, await fields.GetCatalogAsync(ct));
            errors.AddRange(configErrors.Select(e => e with { BlockId = null }));
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid($"The recurring integration '{id}' is not valid.", errors);
        }

        var recurring = new RecurringIntegration(id, cron!.Trim(), timeZone, body["config"]!.ToString(Formatting.None), clock.GetUtcNow());
        await store.UpsertRecurringAsync(recurring, ct);
        services.GetService<IRecurringJobManager>()?.AddOrUpdate<IntegrationJobs>(
            "recurring:" + id, j => j.RunRecurringAsync(id, null, CancellationToken.None), recurring.Cron,
            new RecurringJobOptions { TimeZone = TimeZoneInfo.FindSystemTimeZoneById(timeZone) });
        return TypedResults.Ok((object)new { id, cron = recurring.Cron, timeZone, nextRun = NextRun(recurring.Cron, timeZone) });
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, IBackgroundStore store, IServiceProvider services, CancellationToken ct)
    {
        if (!await store.DeleteRecurringAsync(id, ct))
        {
            return Problems.NotFound($"there is no recurring integration '{id}'");
        }

        services.GetService<IRecurringJobManager>()?.RemoveIfExists("recurring:" + id);
        return TypedResults.NoContent();
    }

    private static bool TryParseCron(string cron, out CronExpression expression)
    {
        expression = null!;
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        try
        {
            expression = CronExpression.Parse(cron.Trim(), fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
            return true;
        }
        catch (CronFormatException)
        {
            return false;
        }
    }

    private static DateTimeOffset? NextRun(string cron, string timeZone) =>
        TryParseCron(cron, out var expression) && TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone)
            ? expression.GetNextOccurrence(DateTimeOffset.UtcNow, zone)
            : null;
}
